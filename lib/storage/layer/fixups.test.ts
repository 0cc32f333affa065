/**
 * Deferred ownership (rootless extraction in tote's own process): what
 * needs namespace root is recorded, not attempted, and applyFixups does it
 * afterwards. Run as root here, so applyFixups' chown and mknod work.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { applyLayer } from './apply.js';
import { applyFixups, emptyFixups, hasFixups } from './fixups.js';
import { makeTar, myUid, streamOf, tempDir } from './test-fixtures.js';

let base: string;
let n = 0;

beforeAll(async () => {
  base = await tempDir('tote-fixups-test-');
});

afterAll(async () => {
  await fs.rm(base, { recursive: true, force: true });
});

async function target(): Promise<string> {
  const dir = path.join(base, `case${n++}`);
  await fs.mkdir(dir);
  return dir;
}

describe('deferred fixups', () => {
  test('container root needs nothing; other owners, whiteouts and security xattrs are recorded', async () => {
    const dir = await target();
    const tar = await makeTar([
      { name: 'root-file', content: 'x', uid: 0, gid: 0 },
      { name: 'd/', type: 'directory', uid: 0, gid: 0, mtime: new Date('2021-01-01T00:00:00Z') },
      { name: 'd/user-file', content: 'y', uid: 1000, gid: 1000, mode: 0o4755 },
      { name: 'd/.wh.gone', content: '' },
      { name: 'cap', content: 'z', uid: 0, gid: 0, rawPax: [{ key: 'SCHILY.xattr.security.capability', value: Buffer.from([1, 0, 0, 2]) }] },
    ]);
    const fixups = emptyFixups();
    await applyLayer(streamOf(tar), dir, { fixups });
    expect(hasFixups(fixups)).toBe(true);
    expect(fixups.owners).toEqual([['d/user-file', 1000, 1000, 0o4755]]);
    expect(fixups.whiteouts).toEqual(['d/gone']);
    expect(fixups.xattrs.map((x) => x.slice(0, 2))).toEqual([['cap', 'security.capability']]);
    expect(fixups.times).toEqual([['d', 1609459200, 1609459200]]);
    // Nothing privileged happened yet: the file is ours, the whiteout absent.
    expect((await fs.stat(path.join(dir, 'd/user-file'))).uid).toBe(myUid);
    await expect(fs.lstat(path.join(dir, 'd/gone'))).rejects.toThrow();
  });

  test('applyFixups sets owners (mode again after chown), makes whiteouts and restores directory times', async () => {
    if (myUid !== 0) return; // chown to another id and mknod need root
    const dir = await target();
    const tar = await makeTar([
      { name: 'd/', type: 'directory', uid: 0, gid: 0, mtime: new Date('2021-01-01T00:00:00Z') },
      { name: 'd/user-file', content: 'y', uid: 1000, gid: 1001, mode: 0o4755 },
      { name: 'd/.wh.gone', content: '' },
    ]);
    const fixups = emptyFixups();
    await applyLayer(streamOf(tar), dir, { fixups });
    await applyFixups(dir, fixups);
    const st = await fs.stat(path.join(dir, 'd/user-file'));
    expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([1000, 1001, 0o4755]);
    const wh = await fs.lstat(path.join(dir, 'd/gone'));
    expect(wh.isCharacterDevice()).toBe(true);
    expect((await fs.stat(path.join(dir, 'd'))).mtime.toISOString()).toBe('2021-01-01T00:00:00.000Z');
  });
});
