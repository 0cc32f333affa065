/**
 * Driver selection and the three rootfs forms, end to end through the real
 * helper: two layers (the upper one with a whiteout and an opaque dir) must
 * merge to the same tree whichever driver builds it.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { loadConfig, type ToteConfig } from '../../config/index.js';
import { helperPath, planUserns, spawnInUserns, waitExit, type UsernsPlan } from '../../userns/index.js';
import { extractLayer, removeTree, runInUserns } from '../layer/extract.js';
import { exists, makeTar, streamOf, tempDir } from '../layer/test-fixtures.js';
import { MAX_MOUNT_OPTIONS, rootfsMountPlan } from './plan.js';
import { probeDriver, probeFuseOverlayfs, probeOverlay, storageInfoFile } from './probe.js';
import { populateVfsRootfs } from './vfs.js';

let config: ToteConfig;
let plan: UsernsPlan;
let base: string;

beforeAll(async () => {
  base = await tempDir('tote-driver-test-');
  config = { ...loadConfig(), dataDir: path.join(base, 'data') };
  helperPath(config); // a missing helper fails the suite
  plan = await planUserns(config);
});

afterAll(async () => {
  if (base) await removeTree(config, plan, base);
});

describe('rootfsMountPlan', () => {
  test('overlay: one mount with userxattr, top layer first', () => {
    const p = rootfsMountPlan('overlay', ['/s/layers/top', '/s/layers/bottom'], '/c/upper', '/c/work', '/c/merged');
    expect(p).toEqual({
      driver: 'overlay',
      mount: {
        type: 'overlay',
        source: 'overlay',
        target: '/c/merged',
        options: 'lowerdir=/s/layers/top:/s/layers/bottom,upperdir=/c/upper,workdir=/c/work,userxattr',
      },
    });
  });

  test('an image without layers gets an empty lower dir', async () => {
    const c = path.join(base, 'nolayers');
    const p = rootfsMountPlan('overlay', [], path.join(c, 'upper'), path.join(c, 'work'), path.join(c, 'merged'));
    expect(p.driver === 'overlay' && p.mount.options).toContain(`lowerdir=${path.join(c, 'empty')},`);
    expect((await fs.readdir(path.join(c, 'empty'))).length).toBe(0);
  });

  test('too long for one page: short symlinks under layers/l', async () => {
    const layersDir = path.join(base, 'many', 'layers');
    const lowers = Array.from({ length: 60 }, (_, i) => path.join(layersDir, `${'a'.repeat(56)}${String(i).padStart(8, '0')}`));
    for (const l of lowers) await fs.mkdir(l, { recursive: true });
    const p = rootfsMountPlan('overlay', lowers, '/c/upper', '/c/work', '/c/merged');
    if (p.driver !== 'overlay') throw new Error('wrong driver');
    expect(p.mount.options!.length).toBeLessThanOrEqual(MAX_MOUNT_OPTIONS);
    const shortLowers = /lowerdir=([^,]*)/.exec(p.mount.options!)![1]!.split(':');
    expect(shortLowers.length).toBe(60);
    for (let i = 0; i < lowers.length; i++) {
      expect(path.dirname(shortLowers[i]!)).toBe(path.join(layersDir, 'l'));
      expect(await fs.readlink(shortLowers[i]!)).toBe(lowers[i]);
    }
    // the same links again (deterministic, no duplicates)
    const again = rootfsMountPlan('overlay', lowers, '/c/upper', '/c/work', '/c/merged');
    expect(again).toEqual(p);
    expect((await fs.readdir(path.join(layersDir, 'l'))).length).toBe(60);
    // beyond what even short links fit: a clear error
    const tooMany = Array.from({ length: 400 }, (_, i) => path.join(layersDir, `x${i}`));
    expect(() => rootfsMountPlan('overlay', tooMany, '/c/upper', '/c/work', '/c/merged')).toThrow(
      expect.objectContaining({ code: 'E_TOO_MANY_LAYERS' }),
    );
  });

  test('lower paths with , or : go through short links; such upper paths are refused', async () => {
    const weird = path.join(base, 'weird', 'layers', 'a,b:c');
    await fs.mkdir(weird, { recursive: true });
    const p = rootfsMountPlan('overlay', [weird], '/c/upper', '/c/work', '/c/merged');
    expect(p.driver === 'overlay' && p.mount.options).not.toContain('a,b:c');
    expect(() => rootfsMountPlan('overlay', ['/l'], '/c/up,per', '/c/work', '/c/merged')).toThrow(
      expect.objectContaining({ code: 'E_STORAGE_PATH' }),
    );
  });

  test('fuse-overlayfs: a command prefix; vfs: a copy', () => {
    const p = rootfsMountPlan('fuse-overlayfs', ['/l2', '/l1'], '/u', '/w', '/m');
    expect(p).toEqual({
      driver: 'fuse-overlayfs',
      options: 'lowerdir=/l2:/l1,upperdir=/u,workdir=/w',
      prefix: ['/bin/sh', '-c', 'fuse-overlayfs -o "$1" "$2" && shift 2 && exec "$@"', 'sh', 'lowerdir=/l2:/l1,upperdir=/u,workdir=/w', '/m'],
    });
    expect(rootfsMountPlan('vfs', ['/l'], '/u', '/w', '/m')).toEqual({ driver: 'vfs', copy: true });
  });
});

describe('probeDriver', () => {
  test('probes once and caches the answer in storage.json', async () => {
    const driver = await probeDriver(config, plan);
    expect(['overlay', 'fuse-overlayfs', 'vfs']).toContain(driver);
    const info = JSON.parse(await fs.readFile(storageInfoFile(config), 'utf8'));
    expect(info.driver).toBe(driver);
    expect(Number.isNaN(Date.parse(info.probedAt))).toBe(false);
    // no probe directories are left behind
    expect((await fs.readdir(config.dataDir)).filter((f) => f.startsWith('.probe-'))).toEqual([]);
    // the cache wins over probing
    await fs.writeFile(storageInfoFile(config), JSON.stringify({ driver: 'vfs', probedAt: 'x' }));
    expect(await probeDriver(config, plan)).toBe('vfs');
    await fs.writeFile(storageInfoFile(config), JSON.stringify({ driver: driver, probedAt: 'x' }));
  });

  test('a forced driver is used as is; an unknown one is a usage error', async () => {
    expect(await probeDriver(config, plan, 'fuse-overlayfs')).toBe('fuse-overlayfs');
    await expect(probeDriver(config, plan, 'btrfs')).rejects.toMatchObject({ code: 'E_USAGE' });
  });
});

describe('rootfs from two layers', () => {
  let lower: string;
  let upper: string;
  const expected = ['./d', './d/new', './d/old', './keep', './o', './o/new'];

  beforeAll(async () => {
    lower = path.join(base, 'layers', 'lower');
    upper = path.join(base, 'layers', 'upper');
    await fs.mkdir(lower, { recursive: true });
    await fs.mkdir(upper, { recursive: true });
    await extractLayer(
      config,
      plan,
      streamOf(
        await makeTar([
          { name: 'a', content: 'gone' },
          { name: 'keep', content: 'kept' },
          { name: 'd/old', content: 'old' },
          { name: 'o/old', content: 'hidden' },
          { name: 'o/sub/deep', content: 'hidden' },
        ]),
      ),
      lower,
    );
    await extractLayer(
      config,
      plan,
      streamOf(
        await makeTar([
          { name: '.wh.a', content: '' },
          { name: 'd/new', content: 'new' },
          { name: 'o/', type: 'directory' },
          { name: 'o/.wh..wh..opq', content: '' },
          { name: 'o/new', content: 'new' },
        ]),
      ),
      upper,
    );
  });

  async function containerDirs(name: string): Promise<{ upperDir: string; workDir: string; merged: string }> {
    const c = path.join(base, 'containers', name);
    const dirs = { upperDir: path.join(c, 'upper'), workDir: path.join(c, 'work'), merged: path.join(c, 'merged') };
    for (const d of Object.values(dirs)) await fs.mkdir(d, { recursive: true });
    return dirs;
  }

  const list = 'cd "$1" && find . -mindepth 1 | LC_ALL=C sort';

  test('overlay (when the kernel allows it here)', async () => {
    if (!(await probeOverlay(config, plan))) {
      console.warn('kernel overlay with userxattr is not available on this machine: overlay rootfs not tested');
      return;
    }
    const c = await containerDirs('ovl');
    const p = rootfsMountPlan('overlay', [upper, lower], c.upperDir, c.workDir, c.merged);
    if (p.driver !== 'overlay') throw new Error('wrong driver');
    const child = spawnInUserns(config, plan, ['/bin/sh', '-c', list, 'sh', c.merged], { mounts: [p.mount], stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    expect(await waitExit(child)).toBe(0);
    expect(out.trim().split('\n')).toEqual(expected);
  });

  test('fuse-overlayfs (when /dev/fuse is usable here)', async () => {
    if (!(await probeFuseOverlayfs(config, plan))) {
      console.warn('fuse-overlayfs is not usable on this machine: fuse-overlayfs rootfs not tested');
      return;
    }
    const c = await containerDirs('fuse');
    const p = rootfsMountPlan('fuse-overlayfs', [upper, lower], c.upperDir, c.workDir, c.merged);
    if (p.driver !== 'fuse-overlayfs') throw new Error('wrong driver');
    const r = await runInUserns(config, plan, [...p.prefix, '/bin/sh', '-c', `${list}; rc=$?; cd /; umount "$1"; exit $rc`, 'sh', c.merged]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(expected);
  });

  test('vfs copy', async () => {
    const rootfs = path.join(base, 'containers', 'vfs', 'rootfs');
    const stats = await populateVfsRootfs(config, plan, [upper, lower], rootfs);
    expect(stats.layers).toBe(2);
    const r = await runInUserns(config, plan, ['/bin/sh', '-c', list, 'sh', rootfs]);
    expect(r.stdout.trim().split('\n')).toEqual(expected);
    expect(await fs.readFile(path.join(rootfs, 'keep'), 'utf8')).toBe('kept');
    expect(await exists(path.join(rootfs, 'a'))).toBe(false);
  });
});
