/** Removing containers: their record, rootfs layers and runtime state. */
import { promises as fs } from 'node:fs';
import type { ToteConfig } from '../config/index.js';
import { ToteError } from '../errors/index.js';
import { withLock } from '../state/index.js';
import { containerDir, removeTree, storePaths, type ContainerRecord } from '../storage/index.js';
import type { UsernsPlan } from '../userns/index.js';
import { refreshStatus } from './status.js';

export async function removeContainer(config: ToteConfig, plan: UsernsPlan, record: ContainerRecord, force: boolean): Promise<void> {
  const current = await refreshStatus(config, record);
  if (current.status === 'running' || current.status === 'paused') {
    if (!force) {
      throw new ToteError('E_CONTAINER_RUNNING', `cannot remove container ${record.id.slice(0, 12)} as it is ${current.status}`, {
        hint: 'stop the container before removing it, or use `tote rm -f`',
      });
    }
    if (current.pid) {
      try {
        process.kill(current.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
  await withLock(storePaths(config).lock, async () => {
    const dir = containerDir(config, record.id);
    // Marks the record first: a crash mid-removal leaves a container that
    // `rm` can finish, never one that looks intact but lost its files.
    await fs.rm(`${dir}/container.json`, { force: true });
    await removeTree(config, plan, dir);
  });
}
