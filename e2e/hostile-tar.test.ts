/**
 * Hostile tarballs through `tote import`: no entry may write outside the
 * layer directory. Either the import fails (125) or the entry lands inside;
 * the targets outside must never appear or change.
 */
import { describe, test, expect, beforeAll } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { makeEnv, show } from './harness.js';
import { hostileCases, HostileCase } from './fixtures/hostile.js';

const e = makeEnv();
const outside = path.join(e.dir, 'outside');
const secret = path.join(outside, 'secret');
let cases: HostileCase[] = [];

beforeAll(async () => {
  mkdirSync(outside, { recursive: true });
  writeFileSync(secret, 'original\n');
  cases = await hostileCases(outside, secret);
});

describe('hostile tars', () => {
  const names = [
    'tar-slip through ..',
    'absolute path',
    'symlink (absolute) then a file through it',
    'symlink (relative ..) then a file through it',
    'symlinked directory then a directory and file through it',
    'hardlink to a host file, then content written through it',
  ];

  test.each(names.map((n, i) => [n, i] as const))('%s', async (name, i) => {
    const c = cases[i];
    expect(c.name).toBe(name);
    const tarFile = path.join(e.dir, `hostile-${i}.tar`);
    writeFileSync(tarFile, c.tar);
    const r = await e.tote(['import', tarFile, `hostile:${i}`]);
    if (r.code !== 0 && r.code !== 125) throw new Error(`import must succeed or fail with 125\n${show(r)}`);
    for (const p of c.mustNotExist) expect({ path: p, exists: existsSync(p) }).toEqual({ path: p, exists: false });
    expect(readFileSync(secret, 'utf8')).toBe('original\n');
    expect(statSync(secret).nlink).toBe(1);
    expect(readdirSync(outside).sort()).toEqual(['secret']);
    if (r.code === 125) {
      expect(r.stderr).toMatch(/^Error: /m);
    }
  });

  test('the tar-slip case names its outside target (sanity check of the corpus)', () => {
    expect(cases[0].mustNotExist[0].startsWith(outside)).toBe(true);
  });
});
