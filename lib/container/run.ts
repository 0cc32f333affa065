/**
 * Foreground start: the helper enters the namespaces, mounts the rootfs and
 * execs the OCI runtime, which runs the container attached to our stdio.
 */
import type { StdioOptions } from 'node:child_process';
import type { ToteConfig } from '../config/index.js';
import { classifyRuntimeError, lastRuntimeError } from '../runtime/index.js';
import { saveContainer, type ContainerRecord } from '../storage/index.js';
import { spawnInUserns, waitExit, type UsernsPlan } from '../userns/index.js';
import { prepareBundle } from './bundle.js';
import { removeContainer } from './remove.js';

export interface ForegroundOptions {
  /**
   * Whether we are in a terminal's foreground process group: the terminal
   * then delivers SIGINT/SIGQUIT to the runtime itself, and forwarding them
   * too would deliver them twice.
   */
  inTerminal: boolean;
}

const FORWARDED: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGINT', 'SIGQUIT'];

/** Runs the container to completion and returns its exit code (128+N for a signal). */
export async function runForeground(config: ToteConfig, plan: UsernsPlan, record: ContainerRecord, options: ForegroundOptions): Promise<number> {
  let current = record;
  try {
    const bundle = await prepareBundle(config, plan, record);
    const stdio: StdioOptions = [record.spec.interactive ? 'inherit' : 'ignore', 'inherit', 'inherit'];
    const child = spawnInUserns(config, plan, bundle.command, { mounts: bundle.mounts, stdio, reapOrphans: true });
    const handlers = new Map<NodeJS.Signals, () => void>();
    for (const sig of FORWARDED) {
      const fromTerminal = sig === 'SIGINT' || sig === 'SIGQUIT';
      const handler = () => {
        if (!(fromTerminal && options.inTerminal)) child.kill(sig);
      };
      handlers.set(sig, handler);
      process.on(sig, handler);
    }
    try {
      current = { ...current, status: 'running', pid: child.pid, startedAt: new Date().toISOString() };
      await saveContainer(config, current);
      const code = await waitExit(child);
      current = { ...current, status: 'exited', exitCode: code, pid: undefined, finishedAt: new Date().toISOString() };
      await saveContainer(config, current);
      if (code !== 0) {
        const failure = await lastRuntimeError(bundle.logFile);
        if (failure) {
          const err = classifyRuntimeError(bundle.runtime.name, failure);
          current = { ...current, exitCode: err.exitCode };
          await saveContainer(config, current);
          throw err;
        }
      }
      return code;
    } finally {
      for (const [sig, handler] of handlers) process.off(sig, handler);
    }
  } finally {
    if (record.spec.autoRemove) await removeContainer(config, plan, current, true);
  }
}
