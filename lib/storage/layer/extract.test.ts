/**
 * extractLayer / removeTree through the real user-namespace helper
 * (dist-helpers/tote-userns): rootful as root, rootless with the runner's
 * subuid range otherwise. A missing helper fails the suite (never skipped).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { loadConfig, type ToteConfig } from '../../config/index.js';
import { helperPath, planUserns, toHostId, type UsernsPlan } from '../../userns/index.js';
import { xattrLib } from './apply.js';
import { extractLayer, removeTree } from './extract.js';
import { exists, makeTar, streamOf, tempDir } from './test-fixtures.js';

let config: ToteConfig;
let plan: UsernsPlan;
let base: string;

beforeAll(async () => {
  config = loadConfig();
  helperPath(config); // throws E_NO_HELPER if dist-helpers/tote-userns was not built
  plan = await planUserns(config);
  base = await tempDir('tote-extract-test-');
});

afterAll(async () => {
  if (base) await removeTree(config, plan, base);
});

function hostUid(id: number): number | undefined {
  return plan.rootful ? id : toHostId(plan.uidMap, id);
}
function hostGid(id: number): number | undefined {
  return plan.rootful ? id : toHostId(plan.gidMap, id);
}

let n = 0;
async function target(): Promise<string> {
  const dir = path.join(base, `t${n++}`);
  await fs.mkdir(dir);
  return dir;
}

async function rejection(p: Promise<unknown>): Promise<{ code?: string; message: string; hint?: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code?: string; message: string; hint?: string };
  }
  throw new Error('expected a rejection');
}

describe('extractLayer', () => {
  test('ownership, setuid, whiteout devices and opaque dirs', async () => {
    expect(plan.rootful || plan.uidMap.length > 1).toBe(true); // the runner needs a subuid range
    const dir = await target();
    const tarBuf = await makeTar([
      { name: 'usr/', type: 'directory', uid: 0, gid: 0 },
      { name: 'usr/bin/su', content: 'elf', uid: 0, gid: 0, mode: 0o4755 },
      { name: 'home/user/', type: 'directory', uid: 1000, gid: 1000, mode: 0o751 },
      { name: 'private/', type: 'directory', uid: 1000, gid: 1000, mode: 0o700 },
      { name: 'private/secret', content: 's', uid: 1000, gid: 1000, mode: 0o600 },
      { name: 'home/user/file', content: 'mine', uid: 1000, gid: 1001, mode: 0o2750 },
      { name: 'home/user/link', type: 'symlink', linkname: 'file', uid: 1000, gid: 1000 },
      { name: 'etc/.wh.removed', content: '' },
      { name: 'var/.wh..wh..opq', content: '' },
      { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3 },
    ]);
    const debug: string[] = [];
    const stats = await extractLayer(config, plan, streamOf(tarBuf), dir, {
      info() {},
      warn() {},
      debug: (m) => debug.push(m),
    });
    expect(stats).toMatchObject({ files: 3, dirs: 3, symlinks: 1, whiteouts: 1, opaques: 1, devicesSkipped: 1 });
    expect(debug.some((m) => m.includes('dev/null'))).toBe(true);

    const su = await fs.lstat(path.join(dir, 'usr/bin/su'));
    expect(su.uid).toBe(hostUid(0));
    expect(su.mode & 0o7777).toBe(0o4755);
    const file = await fs.lstat(path.join(dir, 'home/user/file'));
    expect(file.uid).toBe(hostUid(1000));
    expect(file.gid).toBe(hostGid(1001));
    expect(file.mode & 0o7777).toBe(0o2750);
    const link = await fs.lstat(path.join(dir, 'home/user/link'));
    expect(link.uid).toBe(hostUid(1000));
    const home = await fs.lstat(path.join(dir, 'home/user'));
    expect(home.uid).toBe(hostUid(1000));
    expect(home.mode & 0o7777).toBe(0o751);
    const priv = await fs.lstat(path.join(dir, 'private'));
    expect(priv.uid).toBe(hostUid(1000));
    expect(priv.mode & 0o7777).toBe(0o700);

    const wh = await fs.lstat(path.join(dir, 'etc/removed'));
    expect(wh.isCharacterDevice()).toBe(true);
    expect(wh.rdev).toBe(0);
    expect(wh.uid).toBe(hostUid(0));
    expect(await exists(path.join(dir, 'etc/.wh.removed'))).toBe(false);
    expect((await xattrLib().getAttribute(path.join(dir, 'var'), 'user.overlay.opaque'))?.toString()).toBe('y');
    expect(await exists(path.join(dir, 'dev/null'))).toBe(false);
  });

  test('binary security.capability survives (not UTF-8 mangled)', async () => {
    const dir = await target();
    // VFS_CAP_REVISION_2 | effective; permitted = cap_setuid(7) + cap_net_bind_service(10) = 0x480:
    // the 0x80 byte is invalid UTF-8 and would come out as EF BF BD if decoded as text.
    const cap = Buffer.alloc(20);
    cap.writeUInt32LE(0x02000001, 0);
    cap.writeUInt32LE(0x480, 4);
    await extractLayer(
      config,
      plan,
      streamOf(await makeTar([{ name: 'ping', content: 'elf', mode: 0o755, rawPax: [{ key: 'SCHILY.xattr.security.capability', value: cap }] }])),
      dir,
    );
    const got = await xattrLib().getAttribute(path.join(dir, 'ping'), 'security.capability');
    expect(got).not.toBeNull();
    // Rootless, the kernel stores it as v3 with the namespace's root id; rootful it stays v2.
    expect(got!.readUInt32LE(0) >>> 24).toBe(plan.rootful ? 2 : 3);
    expect(got!.readUInt32LE(0) & 1).toBe(1);
    expect(got!.readUInt32LE(4)).toBe(0x480);
    if (!plan.rootful) expect(got!.readUInt32LE(20)).toBe(config.uid);
  });

  test('a whiteout over an entry of the same layer replaces it', async () => {
    const dir = await target();
    const tarBuf = await makeTar([
      { name: 'a/sub/f', content: 'x' },
      { name: '.wh.a', content: '' },
    ]);
    await extractLayer(config, plan, streamOf(tarBuf), dir);
    expect((await fs.lstat(path.join(dir, 'a'))).isCharacterDevice()).toBe(true);
  });

  test('unsafe layers fail with E_LAYER_UNSAFE and write nothing outside', async () => {
    const dir = await target();
    const outside = path.join(base, `outside${n++}`);
    await fs.mkdir(outside);
    const tarBuf = await makeTar([
      { name: 'link', type: 'symlink', linkname: outside },
      { name: 'link/evil', content: 'x' },
    ]);
    const err = await rejection(extractLayer(config, plan, streamOf(tarBuf), dir));
    expect(err.code).toBe('E_LAYER_UNSAFE');
    expect(err.message).toContain('link/evil');
    expect(err.hint).toBeTruthy();
    expect(await fs.readdir(outside)).toEqual([]);
    const err2 = await rejection(extractLayer(config, plan, streamOf(await makeTar([{ name: '../escape', content: 'x' }])), dir));
    expect(err2.code).toBe('E_LAYER_UNSAFE');
    expect(await exists(path.join(path.dirname(dir), 'escape'))).toBe(false);
  });

  test('a truncated tar fails with E_LAYER_CORRUPT', async () => {
    const dir = await target();
    const tarBuf = await makeTar([{ name: 'f', content: Buffer.alloc(50_000, 1) }]);
    const err = await rejection(extractLayer(config, plan, streamOf(tarBuf.subarray(0, 20_000)), dir));
    expect(err.code).toBe('E_LAYER_CORRUPT');
  });

  test('an unmapped owner fails with E_ID_NOT_MAPPED and the usermod hint', async () => {
    const dir = await target();
    const single: UsernsPlan = {
      rootful: false,
      uidMap: [{ containerId: 0, hostId: config.uid, size: 1 }],
      gidMap: [{ containerId: 0, hostId: config.gid, size: 1 }],
      warnings: [],
    };
    const err = await rejection(extractLayer(config, single, streamOf(await makeTar([{ name: 'f', content: 'x', uid: 1000, gid: 1000 }])), dir));
    expect(err.code).toBe('E_ID_NOT_MAPPED');
    expect(err.message).toContain('1000');
    expect(err.hint).toContain('usermod --add-subuids');
  });

  test('an input stream error rejects and stops the child', async () => {
    const dir = await target();
    const input = new Readable({
      read() {
        this.destroy(new Error('registry connection reset'));
      },
    });
    const err = await rejection(extractLayer(config, plan, input, dir));
    expect(err.code).toBe('E_LAYER_READ');
    expect(err.message).toContain('registry connection reset');
  });
});

describe('removeTree', () => {
  test('removes a tree owned by subordinate ids, read-only dirs included', async () => {
    const dir = await target();
    const tarBuf = await makeTar([
      { name: 'ro/', type: 'directory', uid: 1234, gid: 1234, mode: 0o555 },
      { name: 'ro/f', content: 'x', uid: 1234, gid: 1234, mode: 0o400 },
      { name: 'deep/a/b/c', content: 'x', uid: 4321, gid: 4321 },
    ]);
    await extractLayer(config, plan, streamOf(tarBuf), dir);
    expect((await fs.lstat(path.join(dir, 'ro/f'))).uid).toBe(hostUid(1234));
    await removeTree(config, plan, dir);
    expect(await exists(dir)).toBe(false);
  });

  test('is a no-op for a missing directory', async () => {
    await removeTree(config, plan, path.join(base, 'never-created'));
  });
});
