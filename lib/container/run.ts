/**
 * Foreground `run`/`start -a`: the container is started under its monitor
 * like a detached one, with this process attached before it starts (so no
 * output is lost), forwarding signals, until it exits.
 */
import type { Readable, Writable } from 'node:stream';
import type { ToteConfig } from '../config/index.js';
import type { ContainerRecord } from '../storage/index.js';
import type { UsernsPlan } from '../userns/index.js';
import { attach } from './attach.js';
import { startContainer } from './lifecycle.js';
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
}

export type RunResult = { kind: 'exited'; exitCode: number } | { kind: 'detached'; id: string };

const PROXIED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runAttached(config: ToteConfig, plan: UsernsPlan, record: ContainerRecord, io: AttachIo): Promise<RunResult> {
  const { record: running, start } = await startContainer(config, plan, record, { attach: true });
  const handlers: Array<[NodeJS.Signals, () => void]> = [];
  for (const sig of PROXIED) {
    const h = () => {
      if (!io.sigProxy) return;
      try {
        process.kill(start.pid, sig);
      } catch {
        // The container is already gone.
      }
    };
    handlers.push([sig, h]);
    process.on(sig, h);
  }
  try {
    const result = await attach('', {
      socket: start.attached,
      stdin: running.spec.interactive ? io.stdin : undefined,
      stdout: io.stdout,
      stderr: io.stderr,
      detachKeys: io.detachKeys,
      size: running.spec.tty ? io.size : undefined,
      onResize: running.spec.tty ? io.onResize : undefined,
    });
    if (result.kind === 'detached') return { kind: 'detached', id: running.id };
    // The monitor finishes with the cleanup (--rm, restart): wait for it, so
    // that `run --rm` returns with the container gone, as docker's does.
    for (let delay = 2; isAlive(start.monitorPid); delay = Math.min(delay * 2, 50)) await sleep(delay);
    if (result.kind === 'exited') return { kind: 'exited', exitCode: result.exitCode };
    return { kind: 'exited', exitCode: (await readExitFile(config, running.id))?.exitCode ?? 125 };
  } finally {
    for (const [sig, h] of handlers) process.off(sig, h);
  }
}
