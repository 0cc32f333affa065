/**
 * Chooses the rootfs driver by trying each one inside the user namespace:
 * kernel overlay with `userxattr` (Linux ≥ 5.11), else fuse-overlayfs (needs
 * /dev/fuse), else vfs (copies). The answer is cached in
 * `<dataDir>/storage.json` so later invocations do not probe again;
 * delete that file to re-probe.
 */
import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import { findProgram, type ToteConfig } from '../../config/index.js';
import { UsageError } from '../../errors/index.js';
import { readJson, writeJsonAtomic } from '../../state/index.js';
import type { UsernsPlan } from '../../userns/index.js';
import { removeTree, runInUserns } from '../layer/extract.js';
import { spawnInUserns, waitExit } from '../../userns/index.js';
import { isStorageDriver, STORAGE_DRIVERS, type StorageDriver } from './plan.js';

export interface StorageInfo {
  driver: StorageDriver;
  probedAt: string;
}

export function storageInfoFile(config: ToteConfig): string {
  return path.join(config.dataDir, 'storage.json');
}

/**
 * @param forced a driver name chosen by the user (e.g. --storage-driver or
 *   TOTE_STORAGE_DRIVER read by lib/config): used as is, no probing, no caching.
 */
export async function probeDriver(config: ToteConfig, plan: UsernsPlan, forced?: string): Promise<StorageDriver> {
  if (forced) {
    if (!isStorageDriver(forced)) {
      throw new UsageError(`unknown storage driver "${forced}"`, `use one of: ${STORAGE_DRIVERS.join(', ')}`);
    }
    return forced;
  }
  const file = storageInfoFile(config);
  const cached = await readJson<Partial<StorageInfo> | null>(file, null).catch(() => null);
  if (cached && isStorageDriver(cached.driver)) return cached.driver;
  await fs.mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const driver = await probeUncached(config, plan);
  await writeJsonAtomic(file, { driver, probedAt: new Date().toISOString() } satisfies StorageInfo);
  return driver;
}

/** Probes without reading or writing the cache. */
export async function probeUncached(config: ToteConfig, plan: UsernsPlan): Promise<StorageDriver> {
  if (await probeOverlay(config, plan)) return 'overlay';
  if (await probeFuseOverlayfs(config, plan)) return 'fuse-overlayfs';
  return 'vfs';
}

async function withProbeDirs<T>(config: ToteConfig, plan: UsernsPlan, fn: (d: Record<'lower' | 'upper' | 'work' | 'merged', string>) => Promise<T>): Promise<T> {
  await fs.mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const base = await fs.mkdtemp(path.join(config.dataDir, '.probe-'));
  const dirs = {
    lower: path.join(base, 'lower'),
    upper: path.join(base, 'upper'),
    work: path.join(base, 'work'),
    merged: path.join(base, 'merged'),
  };
  try {
    for (const d of Object.values(dirs)) await fs.mkdir(d);
    await fs.writeFile(path.join(dirs.lower, 'f'), 'x');
    return await fn(dirs);
  } finally {
    // overlay leaves work/work (mode 000, owned by namespace root): remove inside.
    await removeTree(config, plan, base).catch(() => fs.rm(base, { recursive: true, force: true }).catch(() => {}));
  }
}

/** Mounts overlay (userxattr) inside the namespace, reads a lower file and writes through. */
export async function probeOverlay(config: ToteConfig, plan: UsernsPlan): Promise<boolean> {
  return withProbeDirs(config, plan, async (d) => {
    const child = spawnInUserns(config, plan, ['/bin/sh', '-c', 'test -e "$1/f" && touch "$1/g"', 'sh', d.merged], {
      stdio: ['ignore', 'ignore', 'ignore'],
      mounts: [
        { type: 'overlay', source: 'overlay', target: d.merged, options: `lowerdir=${d.lower},upperdir=${d.upper},workdir=${d.work},userxattr` },
      ],
    });
    const code = await waitExit(child).catch(() => -1);
    return code === 0 && (await exists(path.join(d.upper, 'g')));
  });
}

export async function probeFuseOverlayfs(config: ToteConfig, plan: UsernsPlan): Promise<boolean> {
  const prog = findProgram(config, 'fuse-overlayfs');
  if (!prog) return false;
  try {
    await fs.access('/dev/fuse', fsConstants.R_OK | fsConstants.W_OK);
  } catch {
    return false;
  }
  return withProbeDirs(config, plan, async (d) => {
    const script =
      '"$1" -o "$2" "$3" || exit 1; test -e "$3/f" && touch "$3/g"; rc=$?; ' +
      'umount "$3" 2>/dev/null || fusermount3 -u "$3" 2>/dev/null || fusermount -u "$3"; exit $rc';
    const r = await runInUserns(config, plan, [
      '/bin/sh',
      '-c',
      script,
      'sh',
      prog,
      `lowerdir=${d.lower},upperdir=${d.upper},workdir=${d.work}`,
      d.merged,
    ]).catch(() => ({ code: -1 }));
    return r.code === 0 && (await exists(path.join(d.upper, 'g')));
  });
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}
