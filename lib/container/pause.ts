/**
 * pause/unpause. With a cgroup that has a freezer (rootful, or a delegated
 * subtree), the kernel freezes every process at once. Without one (rootless
 * on a host that delegates nothing), every process of the container gets
 * SIGSTOP instead, and SIGCONT to resume, as for `commit --pause`; a
 * stopped process cannot fork, so nothing escapes. The record remembers
 * which was used so that unpause, stop and rm undo the right one.
 */
import type { ToteConfig } from '../config/index.js';
import { ToteError } from '../errors/index.js';
import { hasFreezer, setFrozen } from '../cgroups/index.js';
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
  let pausedWith: ContainerRecord['pausedWith'] = 'signals';
  if (hasFreezer(current.cgroup)) {
    await setFrozen(current.cgroup, true);
    pausedWith = 'freezer';
  } else {
    await signalAll(current, 'SIGSTOP');
  }
  await updateContainer(config, current.id, (r) => ({ ...r, status: 'paused', pausedWith }));
}

/** Resumes a paused container's processes the way they were stopped. */
export async function resumeProcesses(record: ContainerRecord): Promise<void> {
  if (record.pausedWith === 'freezer' && record.cgroup) await setFrozen(record.cgroup, false);
  else await signalAll(record, 'SIGCONT');
}

export async function unpauseContainer(config: ToteConfig, record: ContainerRecord): Promise<void> {
  const current = await refreshStatus(config, record);
  if (current.status !== 'paused') throw new ToteError('E_CONTAINER_STATE', `container ${current.name} is not paused`);
  await resumeProcesses(current);
  await updateContainer(config, current.id, (r) => ({ ...r, status: 'running', pausedWith: undefined }));
}
