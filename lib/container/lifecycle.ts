/**
 * start, stop, kill, wait and the monitor's cleanup. Every mutation refreshes
 * the status first and checks that the transition is allowed (youki's
 * can_start/can_kill pattern).
 */
import { constants as osConstants } from 'node:os';
import path from 'node:path';
import type { ToteConfig } from '../config/index.js';
import { NoSuchContainerError, ToteError, UsageError } from '../errors/index.js';
import { loadContainer, updateContainer, type ContainerRecord } from '../storage/index.js';
import type { UsernsPlan } from '../userns/index.js';
import { exitFilePath, startWithMonitor, type MonitorStart } from './monitor.js';
import { removeContainer } from './remove.js';
import { isAlive, readExitFile, refreshStatus } from './status.js';
import { settleCgroup } from './cgroup-exit.js';
import { resumeProcesses } from './pause.js';
import { fileWaker } from './wake.js';

/** `SIGTERM`, `TERM`, `15` → 15. */
export function signalNumber(sig: string | number): number {
  if (typeof sig === 'number') return sig;
  const s = sig.trim().toUpperCase();
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (n >= 1 && n <= 64) return n;
  } else {
    const name = s.startsWith('SIG') ? s : `SIG${s}`;
    const n = (osConstants.signals as Record<string, number>)[name];
    if (n) return n;
    const rt = /^SIGRTMIN\+(\d+)$/.exec(name);
    if (rt) return 34 + Number(rt[1]);
  }
  throw new UsageError(`invalid signal: ${sig}`, 'use a name like SIGTERM or KILL, or a number');
}

export function canStart(c: ContainerRecord): boolean {
  return c.status === 'created' || c.status === 'exited';
}

export async function startContainer(
  config: ToteConfig,
  plan: UsernsPlan,
  record: ContainerRecord,
  options: { attach?: boolean } = {},
): Promise<{ record: ContainerRecord; start: MonitorStart }> {
  const current = await refreshStatus(config, record);
  if (!canStart(current)) {
    throw new ToteError('E_CONTAINER_STATE', `container ${current.name} is already ${current.status}`, { hint: 'stop it first, or use `tote restart`' });
  }
  try {
    const start = await startWithMonitor(config, plan, current, options);
    const toRunning = (r: ContainerRecord): ContainerRecord => ({
      ...r,
      status: 'running',
      pid: start.pid,
      monitorPid: start.monitorPid,
      startedAt: new Date().toISOString(),
      finishedAt: undefined,
      exitCode: undefined,
      oomKilled: false,
      pausedWith: undefined,
      stoppedByUser: false,
    });
    const running = (await updateContainer(config, current.id, toRunning)) ?? toRunning(current);
    return { record: running, start };
  } catch (e) {
    const toFailed = (r: ContainerRecord): ContainerRecord => ({
      ...r,
      status: 'exited',
      exitCode: e instanceof ToteError ? e.exitCode : 125,
      finishedAt: new Date().toISOString(),
      pid: undefined,
      monitorPid: undefined,
    });
    const failed = (await updateContainer(config, current.id, toFailed)) ?? toFailed(current);
    if (failed.spec.autoRemove) await removeContainer(config, plan, failed, true).catch(() => undefined);
    throw e;
  }
}

/** Sends a signal to the container's init. */
export async function killContainer(config: ToteConfig, record: ContainerRecord, signal: string | number = 'SIGKILL'): Promise<void> {
  const current = await refreshStatus(config, record);
  if (current.status !== 'running' && current.status !== 'paused') {
    throw new ToteError('E_CONTAINER_STATE', `can only kill running containers. ${current.id.slice(0, 12)} is in state ${current.status}`, {
      hint: 'start it first',
    });
  }
  const sig = signalNumber(signal);
  // Signals that end a container are a manual stop for the restart policy;
  // others (HUP to reload, USR1…) are not.
  if ([osConstants.signals.SIGKILL, osConstants.signals.SIGTERM, osConstants.signals.SIGINT].includes(sig)) {
    await markStoppedByUser(config, current.id);
  }
  try {
    process.kill(current.pid!, sig);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

async function markStoppedByUser(config: ToteConfig, id: string): Promise<void> {
  await updateContainer(config, id, (rec) => ({ ...rec, stoppedByUser: true }));
}

/** Waits until the container is no longer running; returns its exit code. */
export async function waitContainer(config: ToteConfig, record: ContainerRecord, timeoutMs = Infinity): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  const exitFile = exitFilePath(config, record.id);
  const waker = fileWaker(path.dirname(exitFile), path.basename(exitFile));
  try {
    for (;;) {
      const rec = await loadContainer(config, record.id);
      // Removed meanwhile (--rm, or another `rm`) before we saw its exit status.
      if (!rec) throw new NoSuchContainerError(record.name);
      const current = await refreshStatus(config, rec);
      if (current.status !== 'running' && current.status !== 'paused' && current.status !== 'stopping') return current.exitCode ?? 0;
      const exit = !isAlive(current.pid) ? await readExitFile(config, record.id) : undefined;
      if (exit) return exit.exitCode;
      if (Date.now() >= deadline) return undefined;
      await waker.sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
      delay = Math.min(delay * 2, 100);
    }
  } finally {
    waker.close();
  }
}

/** docker stop: the stop signal, up to `timeout` seconds, then SIGKILL. */
export async function stopContainer(config: ToteConfig, record: ContainerRecord, timeoutSeconds?: number): Promise<void> {
  const current = await refreshStatus(config, record);
  if (current.status !== 'running' && current.status !== 'paused') return; // docker: stopping a stopped container succeeds
  const timeout = timeoutSeconds ?? current.spec.stopTimeout ?? 10;
  await markStoppedByUser(config, current.id);
  const send = (sig: number) => {
    try {
      process.kill(current.pid!, sig);
    } catch {
      // Already gone.
    }
  };
  // Resume first (thaw, or SIGCONT): a frozen process does not act on signals.
  if (current.status === 'paused') await resumeProcesses(current).catch(() => undefined);
  // A --rm container may be gone by the time we look again: that is stopped too.
  const waitGone = (ms: number) =>
    waitContainer(config, current, ms).catch((e: unknown) => {
      if (e instanceof NoSuchContainerError) return 0;
      throw e;
    });
  if (timeout > 0) {
    send(signalNumber(current.spec.stopSignal ?? 'SIGTERM'));
    if ((await waitGone(timeout * 1000)) !== undefined) return;
  }
  send(osConstants.signals.SIGKILL);
  await waitGone(10_000);
}

/**
 * Run by the monitor (via `tote container cleanup`) after the container
 * exited: records the exit status, then removes (--rm) or restarts
 * (--restart) the container.
 */
export async function cleanupContainer(config: ToteConfig, plan: UsernsPlan, id: string): Promise<void> {
  const exit = await readExitFile(config, id);
  const before = await loadContainer(config, id);
  const { oomKilled } = before ? await settleCgroup(before) : { oomKilled: false };
  const exited = await updateContainer(config, id, (r) => ({
    ...r,
    status: 'exited',
    oomKilled: oomKilled || Boolean(r.oomKilled),
    pausedWith: undefined,
    exitCode: exit?.exitCode ?? r.exitCode ?? 137,
    finishedAt: exit?.finishedAt ?? new Date().toISOString(),
    pid: undefined,
    monitorPid: undefined,
  }));
  if (!exited) return;
  if (shouldRestart(exited)) {
    const restarted = await updateContainer(config, id, (r) => ({ ...r, restartCount: (r.restartCount ?? 0) + 1 }));
    if (restarted) await startContainer(config, plan, restarted);
    return;
  }
  if (exited.spec.autoRemove) await removeContainer(config, plan, exited, true);
}

export function shouldRestart(c: ContainerRecord): boolean {
  const policy = c.spec.restartPolicy;
  if (!policy || policy.name === 'no' || c.spec.autoRemove) return false;
  if (c.stoppedByUser) return false;
  if (policy.name === 'on-failure') {
    if ((c.exitCode ?? 0) === 0) return false;
    return policy.maximumRetryCount <= 0 || (c.restartCount ?? 0) < policy.maximumRetryCount;
  }
  return true; // always, unless-stopped
}
