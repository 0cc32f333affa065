/**
 * Starts a container under its monitor (helpers/tote-monitor), which
 * outlives this process: it is started in its own session, and reports back
 * over a pipe on fd 3 once the container runs (or failed to start).
 */
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type net from 'node:net';
import type { ToteConfig } from '../config/index.js';
import { SystemError } from '../errors/index.js';
import { classifyRuntimeError, lastRuntimeError } from '../runtime/index.js';
import { containerDir, type ContainerRecord } from '../storage/index.js';
import { helperArgs, helperPath, type UsernsPlan } from '../userns/index.js';
import { connectAttach } from './attach.js';
import { prepareBundle, volatilePaths } from './bundle.js';

export interface MonitorStart {
  /** The container's init, as seen from the host. */
  pid: number;
  monitorPid: number;
  /** Connected before the container started, when asked for. */
  attached?: net.Socket;
}

export function monitorPath(config: ToteConfig): string {
  const file = path.join(config.helperDir, 'tote-monitor');
  if (!existsSync(file)) {
    throw new SystemError('E_NO_HELPER', `the container monitor is missing: ${file}`, { hint: 'build the native helpers with `npm run build:helpers`' });
  }
  return file;
}

export function containerLogPath(config: ToteConfig, id: string): string {
  return path.join(containerDir(config, id), 'ctr.log');
}

export function exitFilePath(config: ToteConfig, id: string): string {
  return path.join(containerDir(config, id), 'exit.json');
}

/** The command the monitor execs after the container exits. */
function cleanupCommand(config: ToteConfig, id: string): string[] {
  return [
    config.nodePath,
    path.join(config.distDir, 'cli', 'main.js'),
    '--root',
    config.dataDir,
    '--runroot',
    config.runDir,
    ...(config.storageDriver ? ['--storage-driver', config.storageDriver] : []),
    'container',
    'cleanup',
    id,
  ];
}

/** Reads "word rest\n" lines from the monitor's sync pipe. */
function lineReader(stream: NodeJS.ReadableStream): () => Promise<string | undefined> {
  let buf = '';
  const waiting: Array<(l: string | undefined) => void> = [];
  const lines: string[] = [];
  let ended = false;
  stream.setEncoding?.('utf8');
  stream.on('data', (chunk: string) => {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const w = waiting.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  const finish = () => {
    ended = true;
    for (const w of waiting.splice(0)) w(undefined);
  };
  stream.on('end', finish);
  stream.on('error', finish);
  stream.on('close', finish);
  return () =>
    new Promise((resolve) => {
      if (lines.length) resolve(lines.shift());
      else if (ended) resolve(undefined);
      else waiting.push(resolve);
    });
}

export async function startWithMonitor(
  config: ToteConfig,
  plan: UsernsPlan,
  record: ContainerRecord,
  options: { attach?: boolean } = {},
): Promise<MonitorStart> {
  const bundle = await prepareBundle(config, plan, record, 'detached');
  const vol = volatilePaths(config, record.id);
  await fs.rm(exitFilePath(config, record.id), { force: true });
  const args = [
    '--exit-file',
    exitFilePath(config, record.id),
    '--log-file',
    containerLogPath(config, record.id),
    '--attach-socket',
    vol.attach,
    '--pid-file',
    bundle.pidFile,
    ...(bundle.consoleSocket ? ['--console-socket', bundle.consoleSocket] : []),
    ...(record.spec.interactive ? ['--stdin'] : []),
    ...(options.attach ? ['--wait-attach'] : []),
    '--sync-fd',
    '3',
    ...cleanupCommand(config, record.id).flatMap((a) => ['--cleanup', a]),
    '--',
    helperPath(config),
    ...helperArgs(plan, bundle.command, { mounts: bundle.mounts }),
  ];
  const monitorErr = await fs.open(path.join(containerDir(config, record.id), 'monitor.log'), 'a');
  const child = spawn(monitorPath(config), args, {
    detached: true,
    stdio: ['ignore', 'ignore', monitorErr.fd, 'pipe'],
  });
  await monitorErr.close();
  const sync = child.stdio[3] as NodeJS.ReadableStream;
  const next = lineReader(sync);
  let attached: net.Socket | undefined;
  try {
    let line = await next();
    if (line === 'listening') {
      attached = await connectAttach(vol.attach);
      line = await next();
    }
    const ready = /^ready (\d+)$/.exec(line ?? '');
    if (!ready) {
      attached?.destroy();
      const failure = await lastRuntimeError(bundle.logFile);
      if (failure) throw classifyRuntimeError(bundle.runtime.name, failure);
      const detail = line ?? (await fs.readFile(path.join(containerDir(config, record.id), 'monitor.log'), 'utf8').catch(() => '')).trim();
      throw new SystemError('E_MONITOR', `the container monitor failed to start the container: ${detail || 'no reason given'}`);
    }
    return { pid: Number(ready[1]), monitorPid: child.pid!, attached };
  } finally {
    (sync as unknown as { destroy(): void }).destroy();
    child.unref();
  }
}
