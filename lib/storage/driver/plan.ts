/**
 * What the caller must do inside the namespace to get a container rootfs,
 * per storage driver.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readlinkSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { SystemError } from '../../errors/index.js';
import type { HelperMount } from '../../userns/index.js';

export type StorageDriver = 'overlay' | 'fuse-overlayfs' | 'vfs';
export const STORAGE_DRIVERS: readonly StorageDriver[] = ['overlay', 'fuse-overlayfs', 'vfs'];

export function isStorageDriver(v: unknown): v is StorageDriver {
  return typeof v === 'string' && (STORAGE_DRIVERS as readonly string[]).includes(v);
}

export type RootfsMountPlan =
  /** Pass `mount` to spawnInUserns({ mounts }). */
  | { driver: 'overlay'; mount: HelperMount }
  /**
   * Run `[...prefix, ...command]` inside the namespace: it mounts
   * fuse-overlayfs on mergedDir, then execs the command. The fuse daemon
   * lives as long as the mount namespace.
   */
  | { driver: 'fuse-overlayfs'; prefix: string[]; options: string }
  /** The rootfs is a copy: call populateVfsRootfs() once at container creation. */
  | { driver: 'vfs'; copy: true };

export interface MountPlanOptions {
  /** Lower dir for an image without layers (created if missing). Default: `<dirname(upperDir)>/empty`. */
  emptyDir?: string;
  /** Where short layer symlinks go. Default: `l/` beside the first lower layer (`<dataDir>/layers/l`). */
  linkDir?: string;
}

/**
 * Mount data is limited to one page (4096 bytes) including the NUL. Keep some
 * room below it; podman does the same with its `l/` short names.
 */
export const MAX_MOUNT_OPTIONS = 4000;

/** Characters overlay/fuse option parsing would split on. */
const UNSAFE_OPTION_CHARS = /[,:\\\n]/;

export function rootfsMountPlan(
  driver: StorageDriver,
  lowerDirs: string[] /* top layer first */,
  upperDir: string,
  workDir: string,
  mergedDir: string,
  options: MountPlanOptions = {},
): RootfsMountPlan {
  if (driver === 'vfs') return { driver: 'vfs', copy: true };
  for (const p of [upperDir, workDir]) {
    if (UNSAFE_OPTION_CHARS.test(p)) throw new SystemError('E_STORAGE_PATH', `storage path contains "," ":" or "\\", which overlay cannot take: ${p}`);
  }
  let lowers = lowerDirs.map((d) => path.resolve(d));
  if (lowers.length === 0) {
    const empty = path.resolve(options.emptyDir ?? path.join(path.dirname(upperDir), 'empty'));
    mkdirSync(empty, { recursive: true, mode: 0o755 });
    lowers = [empty];
  }
  const build = (ls: string[]) => `lowerdir=${ls.join(':')},upperdir=${upperDir},workdir=${workDir}`;
  let opts = build(lowers);
  if (opts.length + ',userxattr'.length > MAX_MOUNT_OPTIONS || lowers.some((l) => UNSAFE_OPTION_CHARS.test(l))) {
    const linkDir = path.resolve(options.linkDir ?? path.join(path.dirname(lowers[0]!), 'l'));
    if (UNSAFE_OPTION_CHARS.test(linkDir)) throw new SystemError('E_STORAGE_PATH', `storage path contains "," ":" or "\\": ${linkDir}`);
    lowers = lowers.map((l) => shortLink(linkDir, l));
    opts = build(lowers);
    if (opts.length + ',userxattr'.length > MAX_MOUNT_OPTIONS) {
      throw new SystemError('E_TOO_MANY_LAYERS', `the image has too many layers (${lowerDirs.length}) for one overlay mount`, {
        hint: 'squash the image (e.g. `tote build --squash`) or use a shorter storage path (--root)',
      });
    }
  }
  if (driver === 'overlay') {
    return { driver: 'overlay', mount: { type: 'overlay', source: 'overlay', target: mergedDir, options: `${opts},userxattr` } };
  }
  return {
    driver: 'fuse-overlayfs',
    options: opts,
    prefix: ['/bin/sh', '-c', 'fuse-overlayfs -o "$1" "$2" && shift 2 && exec "$@"', 'sh', opts, mergedDir],
  };
}

/**
 * `<linkDir>/<8+ hex of sha256(layer path)>` → layer path. Deterministic, so
 * every container reuses the same links; a (rare) prefix collision takes more hex.
 */
function shortLink(linkDir: string, target: string): string {
  mkdirSync(linkDir, { recursive: true, mode: 0o700 });
  const hash = createHash('sha256').update(target).digest('hex');
  for (let len = 8; len <= hash.length; len += 4) {
    const link = path.join(linkDir, hash.slice(0, len));
    try {
      symlinkSync(target, link);
      return link;
    } catch (e) {
      let existing: string | undefined;
      try {
        existing = readlinkSync(link);
      } catch {
        throw e;
      }
      if (existing === target) return link;
    }
  }
  throw new SystemError('E_STORAGE_PATH', `cannot create a short link for ${target} in ${linkDir}`);
}
