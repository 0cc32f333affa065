/**
 * pause/unpause. The freezer cgroup is the usual tool, but rootless on
 * cgroup v1 (and without delegation on v2) there is none: every process of
 * the container gets SIGSTOP instead, and SIGCONT to resume, as for
 * `commit --pause`. A stopped process cannot fork, so nothing escapes.
 */
import type { ToteConfig } from '../config/index.js';
import { ToteError } from '../errors/index.js';
import { updateContainer, type ContainerRecord } from '../storage/index.js';
import { pidsInNamespaceOf } from './top.js';
import { refreshStatus } from './status.js';

async function signalAll(record: ContainerRecord, sig: NodeJS.Signals): Promise<void> {
  for (const pid of await pidsInNamespaceOf(record.pid!)) {
    try {
      process.kill(pid, sig);
    } catch {
      // Exited meanwhile.
    }
  }
}

export async function pauseContainer(config: ToteConfig, record: ContainerRecord): Promise<void> {
  const current = await refreshStatus(config, record);
  if (current.status === 'paused') throw new ToteError('E_CONTAINER_STATE', `container ${current.name} is already paused`);
  if (current.status !== 'running') {
    throw new ToteError('E_CONTAINER_STATE', `container ${current.name} is not running`, { hint: 'start it first' });
  }
  await signalAll(current, 'SIGSTOP');
  await updateContainer(config, current.id, (r) => ({ ...r, status: 'paused' }));
}

export async function unpauseContainer(config: ToteConfig, record: ContainerRecord): Promise<void> {
  const current = await refreshStatus(config, record);
  if (current.status !== 'paused') throw new ToteError('E_CONTAINER_STATE', `container ${current.name} is not paused`);
  await signalAll(current, 'SIGCONT');
  await updateContainer(config, current.id, (r) => ({ ...r, status: 'running' }));
}
