import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type ToteConfig } from '../config/index.js';
import { planUserns } from './plan.js';
import { buildMapping, formatMapping, parseSubIdFile, toHostId } from './subid.js';

describe('subordinate id parsing', () => {
  const text = '# comment\nalice:100000:65536\nbob:200000:1000\n1001:300000:65536\nbad:line\n';
  test('by name', () => expect(parseSubIdFile(text, 'alice', 1000)).toEqual([{ start: 100000, count: 65536 }]));
  test('by uid', () => expect(parseSubIdFile(text, 'carol', 1001)).toEqual([{ start: 300000, count: 65536 }]));
  test('missing user', () => expect(parseSubIdFile(text, 'dave', 1002)).toEqual([]));
  test('full mapping: 0 = user, 1..65536 = range', () =>
    expect(formatMapping(buildMapping(1000, [{ start: 100000, count: 65536 }]))).toBe('0 1000 1 1 100000 65536'));
  test('several small ranges fill up to 65536 ids', () => {
    const m = buildMapping(1000, [
      { start: 100000, count: 1000 },
      { start: 500000, count: 100000 },
    ]);
    expect(formatMapping(m)).toBe('0 1000 1 1 100000 1000 1001 500000 64536');
    expect(toHostId(m, 0)).toBe(1000);
    expect(toHostId(m, 1001)).toBe(500000);
    expect(toHostId(m, 65537)).toBeUndefined();
  });
});

describe('planUserns', () => {
  let dir: string;
  let base: ToteConfig;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tote-plan-'));
    base = { ...loadConfig(), isRoot: false, uid: 1000, gid: 1000, userName: 'alice', etcDir: dir };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('root needs no user namespace', async () => {
    expect(await planUserns({ ...base, isRoot: true, uid: 0 })).toMatchObject({ rootful: true, warnings: [] });
  });

  test('no range: single-id mapping and a warning naming the usermod fix', async () => {
    writeFileSync(path.join(dir, 'subuid'), 'someone:100000:65536\n');
    writeFileSync(path.join(dir, 'subgid'), 'someone:100000:65536\n');
    const plan = await planUserns(base);
    expect(plan.uidMap).toEqual([{ containerId: 0, hostId: 1000, size: 1 }]);
    expect(plan.warnings.join('\n')).toMatch(/usermod --add-subuids .* alice/);
  });

  test('a range but no newuidmap: error that says to install uidmap', async () => {
    writeFileSync(path.join(dir, 'subuid'), 'alice:100000:65536\n');
    writeFileSync(path.join(dir, 'subgid'), 'alice:100000:65536\n');
    await expect(planUserns({ ...base, searchPath: path.join(dir, 'empty-bin') })).rejects.toMatchObject({
      code: 'E_NO_NEWUIDMAP',
      hint: expect.stringContaining('apt-get install uidmap'),
    });
  });

  test('a range and newuidmap: the full mapping', async () => {
    const binDir = path.join(dir, 'bin');
    for (const name of ['newuidmap', 'newgidmap']) {
      writeFileSync(path.join(dir, name), '');
    }
    const { mkdirSync, chmodSync } = await import('node:fs');
    mkdirSync(binDir, { recursive: true });
    for (const name of ['newuidmap', 'newgidmap']) {
      writeFileSync(path.join(binDir, name), '#!/bin/sh\n');
      chmodSync(path.join(binDir, name), 0o755);
    }
    const plan = await planUserns({ ...base, searchPath: binDir });
    expect(plan.rootful).toBe(false);
    expect(formatMapping(plan.uidMap)).toBe('0 1000 1 1 100000 65536');
    expect(plan.newuidmap).toBe(path.join(binDir, 'newuidmap'));
  });
});
