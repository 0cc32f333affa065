import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readJson, writeFileAtomicText, writeJsonAtomic } from './atomic.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tote-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('atomic writes', () => {
  test('write, overwrite, read back; no temp file is left', async () => {
    const file = path.join(dir, 'state.json');
    await writeJsonAtomic(file, { a: 1 });
    await writeJsonAtomic(file, { a: 2 });
    expect(await readJson(file, null)).toEqual({ a: 2 });
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  test('mode is applied (umask permitting)', async () => {
    const file = path.join(dir, 'secret');
    await writeFileAtomicText(file, 'x', 0o600);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  test('a missing file reads as the fallback; a failed write leaves the old content', async () => {
    expect(await readJson(path.join(dir, 'none.json'), 'fallback')).toBe('fallback');
    const file = path.join(dir, 'nodir', 'x.json');
    await expect(writeJsonAtomic(file, {})).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
