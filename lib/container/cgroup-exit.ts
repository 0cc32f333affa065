/**
 * After a container's init exited: whether the kernel's OOM killer was
 * involved (inspect's State.OOMKilled), and the cgroup tote made for it
 * removed. A rootful runtime's cgroup goes with the runtime's state.
 */
import { oomKillCount, removeCgroup } from '../cgroups/index.js';
import type { ContainerRecord } from '../storage/index.js';

export async function settleCgroup(record: Pick<ContainerRecord, 'cgroup'>): Promise<{ oomKilled: boolean }> {
  const place = record.cgroup;
  if (!place) return { oomKilled: false };
  const oomKilled = (await oomKillCount(place)) > 0;
  if (place.manager === 'tote') await removeCgroup(place).catch(() => undefined);
  return { oomKilled };
}
