/**
 * Attached sessions: foreground `run`, `start -a` and `exec`. The process is
 * started under its monitor with this process attached before it starts (so
 * no output is lost), signals are forwarded, and the exit status comes back
 * over the attach socket.
 */
import { promises as fs } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { ToteConfig } from '../config/index.js';
import type { ContainerRecord } from '../storage/index.js';
import type { UsernsPlan } from '../userns/index.js';
import { attach, type AttachResult } from './attach.js';
import { startExec, type ExecOptions } from './exec.js';
import { cleanupContainer, startContainer } from './lifecycle.js';
import type { MonitorStart } from './monitor.js';
import { isAlive, readExitFile } from './status.js';

export interface AttachIo {
  stdin?: Readable;
  stdout: Writable;
  stderr: Writable;
  size?: () => { rows: number; cols: number } | undefined;
  onResize?: (cb: () => void) => () => void;
  detachKeys?: Buffer;
  /** Forward signals this process receives to the container (docker --sig-proxy). */
  sigProxy: boolean;
  /** Called once the container runs, while attached (run --pidfile, --sdnotify); errors are the callback's own. */
  onStarted?: (running: ContainerRecord) => Promise<void>;
}

export type RunResult = { kind: 'exited'; exitCode: number } | { kind: 'detached'; id: string };

const PROXIED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function attachToSession(start: MonitorStart, shape: { interactive: boolean; tty: boolean }, io: AttachIo): Promise<AttachResult> {
  const handlers: Array<[NodeJS.Signals, () => void]> = [];
  for (const sig of PROXIED) {
    const h = () => {
      if (!io.sigProxy) return;
      try {
        process.kill(start.pid, sig);
      } catch {
        // The process is already gone.
      }
    };
    handlers.push([sig, h]);
    process.on(sig, h);
  }
  try {
    return await attach('', {
      socket: start.attached,
      stdin: shape.interactive ? io.stdin : undefined,
      stdout: io.stdout,
      stderr: io.stderr,
      detachKeys: io.detachKeys,
      size: shape.tty ? io.size : undefined,
      onResize: shape.tty ? io.onResize : undefined,
    });
  } finally {
    for (const [sig, h] of handlers) process.off(sig, h);
  }
}

async function waitGone(pid: number): Promise<void> {
  for (let delay = 2; isAlive(pid); delay = Math.min(delay * 2, 50)) await sleep(delay);
}

export async function runAttached(config: ToteConfig, plan: UsernsPlan, record: ContainerRecord, io: AttachIo): Promise<RunResult> {
  const { record: running, start } = await startContainer(config, plan, record, { attach: true });
  const started = io.onStarted?.(running);
  const result = await attachToSession(start, running.spec, io);
  await started;
  if (result.kind === 'detached') return { kind: 'detached', id: running.id };
  if (result.kind === 'exited') {
    // We got the exit status, so the monitor left the cleanup (--rm,
    // restart) to us: done before returning, so `run --rm` returns with the
    // container gone, as docker's does.
    await cleanupContainer(config, plan, running.id);
    return { kind: 'exited', exitCode: result.exitCode };
  }
  // Connection lost: the monitor cleans up; wait for it.
  await waitGone(start.monitorPid);
  return { kind: 'exited', exitCode: (await readExitFile(config, running.id))?.exitCode ?? 125 };
}

export async function execAttached(config: ToteConfig, plan: UsernsPlan, record: ContainerRecord, o: ExecOptions, io: AttachIo): Promise<RunResult> {
  const session = await startExec(config, plan, record, { ...o, detach: false });
  try {
    const result = await attachToSession(session, { interactive: Boolean(o.interactive), tty: Boolean(o.tty) }, io);
    if (result.kind === 'detached') return { kind: 'detached', id: record.id };
    await waitGone(session.monitorPid);
    if (result.kind === 'exited') return result;
    const exit = JSON.parse(await fs.readFile(session.exitFile, 'utf8').catch(() => '{}')) as { exitCode?: number };
    return { kind: 'exited', exitCode: exit.exitCode ?? 125 };
  } finally {
    await fs.rm(session.dir, { recursive: true, force: true }).catch(() => undefined);
  }
}
