/**
 * Starts a process (a container, or an exec session in one) under a monitor
 * (helpers/tote-monitor), which outlives this process: it is started in its
 * own session and reports back over a pipe on fd 3 once the process runs
 * (or failed to start).
 */
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type net from 'node:net';
import type { ToteConfig } from '../config/index.js';
import { SystemError } from '../errors/index.js';
import { classifyRuntimeError, lastRuntimeError } from '../runtime/index.js';
import { containerDir, type ContainerRecord } from '../storage/index.js';
import { helperArgs, helperPath, type HelperMount, type UsernsPlan } from '../userns/index.js';
import { helperFailure } from '../network/index.js';
import { connectAttach } from './attach.js';
import { createCgroup, removeCgroup } from '../cgroups/index.js';
import { deleteRuntimeState, prepareBundle, volatilePaths } from './bundle.js';

export interface MonitorStart {
  /** The monitored process (container init or exec'd process), as seen from the host. */
  pid: number;
  monitorPid: number;
  /** Connected before the process started, when asked for. */
  attached?: net.Socket;
}

export interface MonitorLaunch {
  /** Runtime command (run -d / exec -d) the helper execs. */
  command: string[];
  mounts: HelperMount[];
  /** Join this process's user namespace instead of creating one. */
  join?: number;
  /** cgroup.procs files the helper joins before the runtime starts (tote-managed cgroups). */
  cgroups?: string[];
  /** Unshare a network namespace and attach the network helper with this hook. */
  netns?: boolean;
  hook?: string;
  /** The network helper's error log, read to explain a failure. */
  networkLog?: string;
  exitFile: string;
  logFile: string;
  attachSocket: string;
  pidFile: string;
  consoleSocket?: string;
  stdin: boolean;
  waitAttach: boolean;
  /** Command exec'd by the monitor once the process exited. */
  cleanup?: string[];
  /** Skip `cleanup` when the first attach client got the exit status (it cleans up). */
  cleanupUnlessAttached?: boolean;
  /** Where the monitor's own errors go. */
  monitorLog: string;
  /** The runtime's JSON log, read to explain a failure. */
  runtimeLog: string;
  runtimeName: string;
  /** The executable to be run, for error messages. */
  executable?: string;
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

/**
 * Whether the container's exit needs `tote container cleanup` (a whole
 * second Node start, ~50 ms of CPU): to remove a --rm container, to apply a
 * restart policy, or to remove the cgroup tote made for it right away. Its
 * other work, the record's `exited` status (and OOMKilled), is done by the
 * next command that reads the record (refreshStatus), and the network
 * helper is ended by the monitor. Keep this in step with cleanupContainer.
 */
export function needsCleanup(record: ContainerRecord): boolean {
  const policy = record.spec.restartPolicy;
  return record.spec.autoRemove || (policy !== undefined && policy.name !== 'no') || record.cgroup?.manager === 'tote';
}

/** Reads lines from the monitor's sync pipe. */
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

export async function launchMonitor(config: ToteConfig, plan: UsernsPlan, l: MonitorLaunch): Promise<MonitorStart> {
  await fs.rm(l.exitFile, { force: true });
  await fs.rm(l.pidFile, { force: true });
  const args = [
    '--exit-file',
    l.exitFile,
    '--log-file',
    l.logFile,
    '--attach-socket',
    l.attachSocket,
    '--pid-file',
    l.pidFile,
    ...(l.consoleSocket ? ['--console-socket', l.consoleSocket] : []),
    ...(l.stdin ? ['--stdin'] : []),
    ...(l.waitAttach ? ['--wait-attach'] : []),
    ...(l.cleanupUnlessAttached ? ['--cleanup-unless-attached'] : []),
    '--sync-fd',
    '3',
    ...(l.cleanup ?? []).flatMap((a) => ['--cleanup', a]),
    '--',
    helperPath(config),
    ...helperArgs(plan, l.command, { mounts: l.mounts, join: l.join, netns: l.netns, hook: l.hook, cgroups: l.cgroups }),
  ];
  const monitorErr = await fs.open(l.monitorLog, 'a');
  const child = spawn(monitorPath(config), args, { detached: true, stdio: ['ignore', 'ignore', monitorErr.fd, 'pipe'] });
  await monitorErr.close();
  const sync = child.stdio[3] as NodeJS.ReadableStream;
  const next = lineReader(sync);
  let attached: net.Socket | undefined;
  try {
    let line = await next();
    if (line === 'listening') {
      attached = await connectAttach(l.attachSocket);
      line = await next();
    }
    const ready = /^ready (\d+)$/.exec(line ?? '');
    if (!ready) {
      attached?.destroy();
      const netFailure = l.networkLog ? await helperFailure(l.networkLog) : undefined;
      if (netFailure) throw new SystemError('E_NETWORK_SETUP', `setting up the container's network failed: ${netFailure}`);
      const failure = await lastRuntimeError(l.runtimeLog);
      if (failure) throw classifyRuntimeError(l.runtimeName, failure, l.executable);
      const detail = line ?? (await fs.readFile(l.monitorLog, 'utf8').catch(() => '')).trim();
      throw new SystemError('E_MONITOR', `the monitor failed to start the process: ${detail || 'no reason given'}`);
    }
    return { pid: Number(ready[1]), monitorPid: child.pid!, attached };
  } finally {
    (sync as unknown as { destroy(): void }).destroy();
    child.unref();
  }
}

export async function startWithMonitor(
  config: ToteConfig,
  plan: UsernsPlan,
  record: ContainerRecord,
  options: { attach?: boolean } = {},
): Promise<MonitorStart> {
  await deleteRuntimeState(config, plan, record);
  const bundle = await prepareBundle(config, plan, record, 'detached');
  const vol = volatilePaths(config, record.id);
  // Rootless with a delegated subtree: tote makes the cgroup, fresh for every start.
  const ownCgroup = record.cgroup?.manager === 'tote' ? record.cgroup : undefined;
  if (ownCgroup) await createCgroup(ownCgroup, record.spec.resourcesUnenforced ? undefined : record.spec.resources);
  return launchMonitor(config, plan, {
    command: bundle.command,
    cgroups: bundle.cgroupJoin,
    mounts: bundle.mounts,
    join: bundle.join,
    netns: bundle.netns,
    hook: bundle.hook,
    networkLog: bundle.networkLog,
    exitFile: exitFilePath(config, record.id),
    logFile: containerLogPath(config, record.id),
    attachSocket: vol.attach,
    pidFile: bundle.pidFile,
    consoleSocket: bundle.consoleSocket,
    stdin: record.spec.interactive,
    waitAttach: Boolean(options.attach),
    cleanup: needsCleanup(record) ? cleanupCommand(config, record.id) : undefined,
    cleanupUnlessAttached: Boolean(options.attach),
    monitorLog: path.join(containerDir(config, record.id), 'monitor.log'),
    runtimeLog: bundle.logFile,
    runtimeName: bundle.runtime.name,
    executable: [...record.spec.entrypoint, ...record.spec.cmd][0],
  }).catch(async (e: unknown) => {
    // The container never ran: its cgroup goes (and a child runc made in it).
    if (ownCgroup) await removeCgroup(ownCgroup).catch(() => undefined);
    throw e;
  });
}
