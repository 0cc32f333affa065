/** `tote run [OPTIONS] IMAGE [COMMAND [ARG...]]` */
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../lib/errors/index.js';
import type { CreateOptions } from '../../lib/container/index.js';
import type { LimitFlags } from '../../lib/cgroups/index.js';
import { cgroupLimitFlags } from './limit-flags.js';
import type { ContainerRecord } from '../../lib/storage/index.js';
import { makeContext, type GlobalArgs } from '../context.js';
import { createWithUnitFlags } from './unit-flags.js';
import { setExitCode } from '../exit.js';
import { out } from '../output.js';
import { ensureRunImage } from '../ensure-image.js';

/** Resource-limit flags come as lib/cgroups' LimitFlags (strings, parsed there). */
export interface RunArgs extends GlobalArgs, LimitFlags {
  image: string;
  command?: string[];
  name?: string;
  env?: string[];
  envFile?: string[];
  workdir?: string;
  user?: string;
  entrypoint?: string;
  hostname?: string;
  volume?: string[];
  mount?: string[];
  tmpfs?: string[];
  volumesFrom?: string[];
  readOnly?: boolean;
  interactive?: boolean;
  tty?: boolean;
  rm?: boolean;
  detach?: boolean;
  label?: string[];
  sigProxy?: boolean;
  detachKeys?: string;
  restart?: string;
  stopSignal?: string;
  stopTimeout?: number;
  cgroups?: string;
  cgroupParent?: string;
  cidfile?: string;
  pidfile?: string;
  replace?: boolean;
  sdnotify?: string;
  pull?: string;
  platform?: string;
  network?: string;
  publish?: string[];
  publishAll?: boolean;
  dns?: string[];
  dnsSearch?: string[];
  dnsOption?: string[];
  addHost?: string[];
  noHosts?: boolean;
  '--'?: string[];
}

export { RUN_OPTIONS, RUN_VALUE_OPTIONS, RUN_OPTION_NAMES } from './run-options.js';
import { RUN_OPTIONS } from './run-options.js';

export function runOptions(y: Argv<GlobalArgs>): Argv<RunArgs> {
  return y
    .positional('image', { type: 'string', describe: 'Image to run (name, name:tag, name@digest or id)' })
    .positional('command', { type: 'string', array: true, describe: 'Command and arguments (default: the image\'s ENTRYPOINT and CMD)' })
    .options(RUN_OPTIONS) as unknown as Argv<RunArgs>;
}

function parseLabels(list: string[] | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const l of list ?? []) {
    const eq = l.indexOf('=');
    labels[eq < 0 ? l : l.slice(0, eq)] = eq < 0 ? '' : l.slice(eq + 1);
  }
  return labels;
}

const str = (v: unknown): string | undefined => (v === undefined ? undefined : String(v));

/** The flags run and create share, as lib's CreateOptions. */
export function createOptions(args: RunArgs): CreateOptions {
  return {
    image: args.image,
    command: [...(args.command ?? []), ...(args['--'] ?? [])].map(String),
    name: args.name,
    env: args.env,
    envFiles: args.envFile,
    workdir: args.workdir,
    user: args.user,
    entrypoint: args.entrypoint,
    hostname: args.hostname,
    volumes: args.volume,
    mounts: args.mount,
    tmpfs: args.tmpfs,
    volumesFrom: args.volumesFrom,
    readOnly: args.readOnly,
    interactive: args.interactive,
    tty: args.tty,
    rm: args.rm,
    labels: parseLabels(args.label),
    restart: args.restart,
    stopSignal: args.stopSignal,
    stopTimeout: args.stopTimeout,
    network: args.network,
    publish: args.publish?.map(String),
    publishAll: args.publishAll,
    dns: args.dns?.map(String),
    dnsSearch: args.dnsSearch?.map(String),
    dnsOptions: args.dnsOption?.map(String),
    addHosts: args.addHost?.map(String),
    noHosts: args.noHosts,
    cgroups: args.cgroups,
    cgroupParent: args.cgroupParent,
    limits: {
      ...cgroupLimitFlags(args),
      deviceReadBps: args.deviceReadBps?.map(String),
      deviceWriteBps: args.deviceWriteBps?.map(String),
      deviceReadIops: args.deviceReadIops?.map(String),
      deviceWriteIops: args.deviceWriteIops?.map(String),
      ulimit: args.ulimit?.map(String),
      oomScoreAdj: str(args.oomScoreAdj),
    },
  };
}

export const runCommand: CommandModule<GlobalArgs, RunArgs> = {
  command: 'run <image> [command..]',
  describe: 'Run a command in a new container',
  builder: runOptions,
  handler: async (args) => {
    if (!args.detach && args.interactive && args.tty && !process.stdin.isTTY) {
      throw new UsageError('the input device is not a TTY', 'drop -t, or run from a terminal');
    }
    const ctx = makeContext(args);
    // lib/container's modules themselves, not its index (cp, export, logs, top…): start-up time.
    const [{ runAttached }, { startContainer }, { parseDetachKeys }] = await Promise.all([
      import('../../lib/container/run.js'),
      import('../../lib/container/lifecycle.js'),
      import('../../lib/container/attach.js'),
    ]);
    const systemd = await import('../../lib/systemd/index.js');
    const plan = await ctx.plan();
    await ensureRunImage(ctx, await ctx.plan(), args);
    const record = await createWithUnitFlags(ctx, args, { ...createOptions(args), warn: (m) => ctx.reporter.warn(m) });
    const onStarted = (foreground: boolean) => async (running: ContainerRecord) => {
      if (args.pidfile && running.pid) await systemd.writePidFile(args.pidfile, running.pid);
      const mode = systemd.parseSdNotify(args.sdnotify);
      // Foreground, this process is the unit's main process; detached, the monitor outlives us (podman's conmon).
      const mainPid = foreground ? process.pid : running.monitorPid;
      if (mode === 'conmon') await systemd.sdNotify(ctx.config, { ready: true, mainPid });
      else if (mode === 'container') await systemd.sdNotify(ctx.config, { mainPid });
    };
    if (args.detach) {
      const { record: running } = await startContainer(ctx.config, plan, record);
      await onStarted(false)(running);
      out(record.id);
      return;
    }
    const { terminalIo } = await import('../terminal.js');
    const term = terminalIo({
      tty: Boolean(args.tty),
      interactive: Boolean(args.interactive),
      sigProxy: args.sigProxy ?? true,
      detachKeys: parseDetachKeys(args.detachKeys ?? 'ctrl-p,ctrl-q'),
    });
    const started = onStarted(true);
    try {
      const result = await runAttached(ctx.config, plan, record, {
        ...term.io,
        // A failed notification is reported, the container keeps running (it is attached already).
        onStarted: (r) => started(r).catch((e: Error) => ctx.reporter.warn(e.message)),
      });
      if (result.kind === 'detached') return;
      setExitCode(result.exitCode);
    } finally {
      term.restore();
    }
  },
};
