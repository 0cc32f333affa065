/**
 * `exec`: a new process in a running container. The runtime's `exec -d`
 * runs inside the container's user namespace (the helper joins it) under a
 * monitor of its own, so `exec -it` gets the same attach, terminal size and
 * exit status handling as `run`.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ToteConfig } from '../config/index.js';
import { ToteError } from '../errors/index.js';
import { chooseRuntime, DEFAULT_CAPABILITIES, isCrun } from '../runtime/index.js';
import { containerDir, layerDir, loadImages, type ContainerRecord } from '../storage/index.js';
import type { UsernsPlan } from '../userns/index.js';
import { runtimeQuirkMounts, runtimeRoot, volatilePaths } from './bundle.js';
import { joinFiles } from '../cgroups/index.js';
import { readImageFile } from './image-files.js';
import { expandEnv, mergeEnv, readEnvFile } from './inputs.js';
import { launchMonitor, type MonitorStart } from './monitor.js';
import { refreshStatus } from './status.js';
import { resolveUser } from './user.js';

export interface ExecOptions {
  command: string[];
  interactive?: boolean;
  tty?: boolean;
  detach?: boolean;
  env?: string[];
  envFiles?: string[];
  user?: string;
  workdir?: string;
  privileged?: boolean;
}

export interface ExecSession extends MonitorStart {
  exitFile: string;
  dir: string;
}

const ALL_CAPS = [
  ...DEFAULT_CAPABILITIES,
  'CAP_AUDIT_WRITE', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_NET_ADMIN', 'CAP_SYS_ADMIN', 'CAP_SYS_PTRACE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_LINUX_IMMUTABLE', 'CAP_SYS_NICE', 'CAP_SYS_PACCT', 'CAP_SYS_TTY_CONFIG', 'CAP_LEASE',
  'CAP_AUDIT_CONTROL', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_BOOT', 'CAP_NET_BROADCAST', 'CAP_MAC_ADMIN', 'CAP_MAC_OVERRIDE',
  'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_DAC_READ_SEARCH',
];

export async function startExec(config: ToteConfig, plan: UsernsPlan, record: ContainerRecord, o: ExecOptions): Promise<ExecSession> {
  const current = await refreshStatus(config, record);
  if (current.status !== 'running') {
    throw new ToteError('E_CONTAINER_STATE', `can only create exec sessions on running containers: container ${current.id.slice(0, 12)} is ${current.status}`, {
      hint: current.status === 'paused' ? 'unpause it first with `tote unpause`' : 'start it first with `tote start`',
    });
  }
  if (o.command.length === 0) throw new ToteError('E_USAGE', 'exec requires a command', { hint: 'tote exec CONTAINER COMMAND [ARG...]' });
  const runtime = chooseRuntime({ ...config, runtime: config.runtime ?? current.runtime });

  // Users are looked up in the container's own files first (it may have
  // changed /etc/passwd), then its image's layers.
  const image = (await loadImages(config)).find((i) => i.id === current.imageId);
  const layers = [path.join(containerDir(config, current.id), 'diff'), ...[...(image?.layers ?? [])].reverse().map((l) => layerDir(config, l))];
  const userSpec = o.user ?? current.spec.user;
  const [passwd, group] = await Promise.all([readImageFile(layers, '/etc/passwd'), readImageFile(layers, '/etc/group')]);
  const user = resolveUser(userSpec, passwd, group);
  const fileEnv: string[] = [];
  for (const f of o.envFiles ?? []) fileEnv.push(...(await readEnvFile(f, config.hostEnv)));
  let env = mergeEnv(current.spec.env, fileEnv, expandEnv(o.env ?? [], config.hostEnv));
  if (o.tty && !env.some((e) => e.startsWith('TERM='))) env = [...env, 'TERM=xterm'];
  if (user.home && userSpec !== current.spec.user) env = mergeEnv(env, [`HOME=${user.home}`]);

  const caps = o.privileged ? ALL_CAPS : DEFAULT_CAPABILITIES;
  const isRootUser = user.uid === 0;
  const processSpec = {
    terminal: Boolean(o.tty),
    user: { uid: user.uid, gid: user.gid, ...(user.additionalGids.length ? { additionalGids: user.additionalGids } : {}) },
    args: o.command,
    env,
    cwd: o.workdir ?? current.spec.workingDir,
    capabilities: {
      bounding: caps,
      effective: isRootUser || o.privileged ? caps : [],
      permitted: isRootUser || o.privileged ? caps : [],
      inheritable: [],
      ambient: [],
    },
    noNewPrivileges: false,
  };

  const vol = volatilePaths(config, current.id);
  const dir = path.join(vol.dir, `e${randomBytes(4).toString('hex')}`);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const processFile = path.join(dir, 'process.json');
  await fs.writeFile(processFile, JSON.stringify(processSpec));
  const runtimeLog = path.join(dir, 'runtime.log');
  const pidFile = path.join(dir, 'pid');
  const consoleSocket = o.tty ? path.join(dir, 'console') : undefined;
  const command = [
    runtime.path,
    '--root',
    runtimeRoot(config, runtime),
    '--log',
    isCrun(runtime) ? `file:${runtimeLog}` : runtimeLog,
    '--log-format',
    'json',
    'exec',
    '-d',
    '--pid-file',
    pidFile,
    ...(consoleSocket ? ['--console-socket', consoleSocket] : []),
    '--process',
    processFile,
    current.id,
  ];
  const exitFile = path.join(dir, 'exit.json');
  const start = await launchMonitor(config, plan, {
    command,
    mounts: runtimeQuirkMounts(runtime),
    join: current.pid,
    // Exec'd processes count against the container's limits, as docker's do.
    cgroups: current.cgroup?.manager === 'tote' ? joinFiles(current.cgroup) : undefined,
    exitFile,
    logFile: o.detach ? path.join(dir, 'output.log') : '/dev/null',
    attachSocket: path.join(dir, 'attach'),
    pidFile,
    consoleSocket,
    stdin: Boolean(o.interactive),
    waitAttach: !o.detach,
    monitorLog: path.join(dir, 'monitor.log'),
    runtimeLog,
    runtimeName: runtime.name,
    executable: o.command[0],
  });
  return { ...start, exitFile, dir };
}
