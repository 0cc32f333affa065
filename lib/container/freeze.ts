/**
 * Holding a container still while its files are read (`commit --pause`,
 * docker's default): the cgroup freezer when the container has one, else
 * SIGSTOP to every process in its pid namespace (rootless without a
 * delegated cgroup) and SIGCONT afterwards. Processes the container starts
 * in between cannot start: their parents are stopped.
 */
import { hasFreezer, setFrozen } from '../cgroups/index.js';
import type { ContainerRecord } from '../storage/index.js';
import { pidsInNamespaceOf } from './top.js';

export async function stopProcesses(record: ContainerRecord): Promise<() => Promise<void>> {
  if (!record.pid || record.status === 'paused') return async () => {};
  if (hasFreezer(record.cgroup)) {
    const place = record.cgroup;
    await setFrozen(place, true);
    return () => setFrozen(place, false);
  }
  let pids: number[];
  try {
    pids = await pidsInNamespaceOf(record.pid);
  } catch {
    return async () => {}; // already gone
  }
  const send = (sig: NodeJS.Signals) => {
    for (const pid of pids) {
      try {
        process.kill(pid, sig);
      } catch {
        // Exited meanwhile.
      }
    }
  };
  send('SIGSTOP');
  return async () => send('SIGCONT');
}
