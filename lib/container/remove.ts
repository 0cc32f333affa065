/** Removing containers: their record, rootfs layers and runtime state. */
import { promises as fs } from 'node:fs';
import type { ToteConfig } from '../config/index.js';
import { NoSuchContainerError, ToteError } from '../errors/index.js';
import { withLock } from '../state/index.js';
import { containerDir, loadContainer, removeTree, storePaths, type ContainerRecord } from '../storage/index.js';
import type { UsernsPlan } from '../userns/index.js';
import { removeAnonymousVolumesLocked } from '../volume/index.js';
import { stopLeftoverHelper } from '../network/index.js';
import { isAlive, refreshStatus } from './status.js';
import { deleteRuntimeState, volatilePaths } from './bundle.js';
import { removeCgroup, setFrozen } from '../cgroups/index.js';

/**
 * A container's directory is usually all the user's own files (the
 * container's root is the user), which a plain rm removes without starting
 * a user namespace (tote-userns, newuidmap and newgidmap: ~10 ms). Files
 * that container users other than root left in directories not writable by
 * the user need the namespace: then removeTree finishes the job.
 */
async function removeContainerDir(config: ToteConfig, plan: UsernsPlan, dir: string): Promise<void> {
  try {
    await fs.rm(dir, { recursive: true, force: true });
  } catch {
    await removeTree(config, plan, dir);
  }
}

/**
 * `volumes` (`rm -v`): also remove the container's anonymous volumes no other
 * container uses; always done for `--rm` containers, as docker does.
 */
export async function removeContainer(
  config: ToteConfig,
  plan: UsernsPlan,
  record: ContainerRecord,
  force: boolean,
  options: { volumes?: boolean } = {},
): Promise<void> {
  const current = await refreshStatus(config, record);
  if (current.status === 'running' || current.status === 'paused') {
    if (!force) {
      throw new ToteError('E_CONTAINER_RUNNING', `cannot remove container ${record.id.slice(0, 12)} as it is ${current.status}`, {
        hint: 'stop the container before removing it, or use `tote rm -f`',
      });
    }
    // The monitor need not run its cleanup (a whole `tote` start): we
    // remove the container ourselves. SIGUSR2 tells it so.
    for (const [pid, sig] of [
      [current.monitorPid, 'SIGUSR2'],
      [current.pid, 'SIGKILL'],
    ] as const) {
      if (!pid) continue;
      try {
        process.kill(pid, sig);
      } catch {
        // Already gone.
      }
    }
    // A frozen process only dies once thawed.
    if (current.pausedWith === 'freezer' && current.cgroup) await setFrozen(current.cgroup, false).catch(() => undefined);
  }
  if (current.status === 'running' || current.status === 'paused') {
    // Wait for the monitor to see the exit, so nothing writes into the
    // container's directory while it is removed.
    for (let i = 0; i < 200 && (isAlive(current.pid) || isAlive(current.monitorPid)); i++) await new Promise((r) => setTimeout(r, 10));
  }
  await deleteRuntimeState(config, plan, current);
  if (current.cgroup?.manager === 'tote') await removeCgroup(current.cgroup).catch(() => undefined);
  await stopLeftoverHelper(volatilePaths(config, record.id).dir);
  await fs.rm(volatilePaths(config, record.id).dir, { recursive: true, force: true });
  await withLock(storePaths(config).lock, async () => {
    // Another invocation may have removed it while we waited for the lock.
    if (!(await loadContainer(config, record.id))) throw new NoSuchContainerError(record.id);
    const dir = containerDir(config, record.id);
    // Marks the record first: a crash mid-removal leaves a container that
    // `rm` can finish, never one that looks intact but lost its files.
    await fs.rm(`${dir}/container.json`, { force: true });
    await removeContainerDir(config, plan, dir);
    if (options.volumes ?? record.spec.autoRemove) await removeAnonymousVolumesLocked(config, plan, record.spec.mounts);
  });
}
