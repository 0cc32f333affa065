/**
 * Status reconciliation: a record that says `running` whose processes are
 * gone (tote or the monitor was killed, the machine rebooted) is reported as
 * exited, with the status the monitor wrote if it got that far; never left
 * running forever.
 */
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ToteConfig } from '../config/index.js';
import { containerDir, updateContainer, type ContainerRecord } from '../storage/index.js';
import { stopLeftoverHelper } from '../network/index.js';
import { volatilePaths } from './paths.js';
import { settleCgroup } from './cgroup-exit.js';

export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie is not alive: look at the state field of /proc/PID/stat
  // (synchronous on purpose: tiny file, read in polling loops).
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.charAt(text.lastIndexOf(')') + 2) !== 'Z';
  } catch {
    return false;
  }
}

export interface ExitInfo {
  exitCode: number;
  finishedAt: string;
}

export async function readExitFile(config: ToteConfig, id: string): Promise<ExitInfo | undefined> {
  try {
    return JSON.parse(await fs.readFile(path.join(containerDir(config, id), 'exit.json'), 'utf8')) as ExitInfo;
  } catch {
    return undefined;
  }
}

export async function refreshStatus(config: ToteConfig, record: ContainerRecord): Promise<ContainerRecord> {
  if (record.status !== 'running' && record.status !== 'paused' && record.status !== 'stopping') return record;
  if (isAlive(record.pid)) return record;
  const exit = await readExitFile(config, record.id);
  // The container is gone but its monitor is still draining output or
  // cleaning up: report what the monitor recorded, if anything yet.
  if (!exit && isAlive(record.monitorPid)) return record;
  // The monitor normally ends the network helper; if it was killed, do it here.
  if (!isAlive(record.monitorPid)) await stopLeftoverHelper(volatilePaths(config, record.id).dir);
  const { oomKilled } = await settleCgroup(record);
  const reconcile = (r: ContainerRecord): ContainerRecord =>
    // Another invocation may have restarted it meanwhile: only a record for
    // the same dead process is changed.
    r.pid !== record.pid
      ? r
      : {
          ...r,
          status: 'exited',
          exitCode: exit?.exitCode ?? r.exitCode ?? 137,
          oomKilled: oomKilled || Boolean(r.oomKilled),
          pausedWith: undefined,
          finishedAt: exit?.finishedAt ?? r.finishedAt ?? new Date().toISOString(),
          pid: undefined,
          monitorPid: undefined,
        };
  return (await updateContainer(config, record.id, reconcile).catch(() => undefined)) ?? reconcile(record);
}
