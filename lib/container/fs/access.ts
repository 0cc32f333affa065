/**
 * The host side: runs cli/internal/fs-op.js where a container's files are
 * reachable with the container's ids.
 *
 *  - stopped: a fresh user namespace with the rootfs mounted as the runtime
 *    mounts it (kernel overlay, fuse-overlayfs, or the vfs copy itself);
 *  - running: the container's own user namespace (`tote-userns --join PID`),
 *    the rootfs seen through /proc/PID/root (a second overlay mount of a live
 *    upper dir is not safe).
 *  - upper-only operations (diff, commit) need no mount at all.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ToteConfig } from '../../config/index.js';
import { NoSuchImageError, SystemError, ToteError } from '../../errors/index.js';
import {
  containerDir,
  layerDir,
  loadImages,
  rootfsMountPlan,
  type ContainerRecord,
  type StorageDriver,
} from '../../storage/index.js';
import { helperPath, spawnInUserns, type HelperMount, type UsernsPlan } from '../../userns/index.js';
import { isAlive } from '../status.js';
import type { FsRequest } from './ops.js';

export function fsOpScript(config: ToteConfig): string {
  return path.join(config.distDir, 'cli', 'internal', 'fs-op.js');
}

export interface ContainerPaths {
  upper: string;
  work: string;
  merged: string;
  /** Image layer dirs, top first. */
  lowers: string[];
}

export async function containerPaths(config: ToteConfig, record: ContainerRecord): Promise<ContainerPaths> {
  const dir = containerDir(config, record.id);
  const image = (await loadImages(config)).find((i) => i.id === record.imageId);
  if (!image) throw new NoSuchImageError(record.image);
  return {
    upper: path.join(dir, 'diff'),
    work: path.join(dir, 'work'),
    merged: path.join(dir, 'merged'),
    lowers: [...image.layers].reverse().map((l) => layerDir(config, l)),
  };
}

export function isRunning(record: ContainerRecord): boolean {
  return (record.status === 'running' || record.status === 'paused' || record.status === 'stopping') && isAlive(record.pid);
}

export interface FsOpRun {
  child: ChildProcess;
  /** Where the container's / is, as the op sees it. */
  root: string;
}

/**
 * Spawns fs-op with a request built from the root the op will see.
 * `needsRoot` false: no mount/join (the request only reads upper/lower dirs).
 */
export async function spawnFsOp(
  config: ToteConfig,
  plan: UsernsPlan,
  record: ContainerRecord,
  build: (root: string) => FsRequest,
  stdio: StdioOptions,
  needsRoot = true,
): Promise<FsOpRun> {
  const node = [config.nodePath, fsOpScript(config)];
  if (!needsRoot) {
    const req = build('/');
    return { root: '/', child: spawnInUserns(config, plan, [...node, JSON.stringify(req)], { stdio }) };
  }
  if (isRunning(record)) {
    const root = `/proc/${record.pid}/root`;
    const argv = [...node, JSON.stringify(build(root))];
    const args = plan.rootful ? ['--rootful', '--', ...argv] : ['--join', String(record.pid), '--', ...argv];
    return { root, child: spawn(helperPath(config), args, { stdio, env: process.env }) };
  }
  const paths = await containerPaths(config, record);
  await Promise.all([paths.upper, paths.work, paths.merged].map((d) => fs.mkdir(d, { recursive: true, mode: 0o755 })));
  const rootfsPlan = rootfsMountPlan(record.driver as StorageDriver, paths.lowers, paths.upper, paths.work, paths.merged);
  if ('copy' in rootfsPlan) {
    if (!(await fs.access(path.join(containerDir(config, record.id), 'vfs-populated')).then(() => true, () => false))) {
      throw new ToteError('E_ROOTFS_NOT_READY', `the root filesystem of container ${record.name} was never created`, {
        hint: 'start the container once (vfs storage copies the image at first start)',
      });
    }
    const req = build(paths.upper);
    return { root: paths.upper, child: spawnInUserns(config, plan, [...node, JSON.stringify(req)], { stdio }) };
  }
  const req = JSON.stringify(build(paths.merged));
  if ('mount' in rootfsPlan) {
    const mounts: HelperMount[] = [rootfsPlan.mount];
    return { root: paths.merged, child: spawnInUserns(config, plan, [...node, req], { stdio, mounts }) };
  }
  return {
    root: paths.merged,
    child: spawnInUserns(config, plan, [...rootfsPlan.prefix, ...node, req], { stdio, reapOrphans: true }),
  };
}

/** The {"error":…} line a failed fs-op printed, as a ToteError. */
export function errorFromLines(text: string): ToteError | undefined {
  const lines = text.split('\n').filter((l) => l.trim().startsWith('{'));
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const v = JSON.parse(lines[i]!) as { error?: { code?: string; message?: string; hint?: string; exitCode?: number } };
      if (v.error) return new ToteError(v.error.code || 'E_FS_OP', v.error.message || 'failed', { hint: v.error.hint, exitCode: v.error.exitCode });
    } catch {
      // not JSON after all
    }
  }
  return undefined;
}

export function opFailed(what: string, code: number, stderr: string): ToteError {
  return (
    errorFromLines(stderr) ??
    new SystemError('E_FS_OP', `${what} failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join('; ') || 'no output'}`)
  );
}
