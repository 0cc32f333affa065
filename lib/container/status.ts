/**
 * Status reconciliation: a record that says `running` whose process is gone
 * (tote was killed, the machine rebooted) is reported as exited, never left
 * running forever.
 */
import type { ToteConfig } from '../config/index.js';
import { saveContainer, type ContainerRecord } from '../storage/index.js';

export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function refreshStatus(config: ToteConfig, record: ContainerRecord): Promise<ContainerRecord> {
  if ((record.status === 'running' || record.status === 'paused' || record.status === 'stopping') && !isAlive(record.pid)) {
    const updated: ContainerRecord = {
      ...record,
      status: 'exited',
      exitCode: record.exitCode ?? 137,
      finishedAt: record.finishedAt ?? new Date().toISOString(),
      pid: undefined,
    };
    await saveContainer(config, updated).catch(() => undefined);
    return updated;
  }
  return record;
}
