/**
 * Holding a container still without a freezer cgroup (rootless on cgroup v1
 * has none): every process in its pid namespace gets SIGSTOP, and SIGCONT
 * afterwards. Used by `commit --pause` (docker's default), so the files are
 * not changing while the layer is read. Processes the container starts in
 * between cannot start: their parents are stopped.
 */
import type { ContainerRecord } from '../storage/index.js';
import { pidsInNamespaceOf } from './top.js';

export async function stopProcesses(record: ContainerRecord): Promise<() => void> {
  if (!record.pid) return () => {};
  let pids: number[];
  try {
    pids = await pidsInNamespaceOf(record.pid);
  } catch {
    return () => {}; // already gone
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
  return () => send('SIGCONT');
}
