/** start, stop, kill, restart, wait: thin wrappers over lib/container. */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';
import { out } from '../output.js';
import { setExitCode } from '../exit.js';
import { eachContainer } from './targets.js';

interface TargetArgs extends GlobalArgs {
  containers: string[];
  all?: boolean;
  ignore?: boolean;
}

interface StartArgs extends TargetArgs {
  attach?: boolean;
  interactive?: boolean;
  detachKeys?: string;
  sigProxy?: boolean;
}

export const startCommand: CommandModule<GlobalArgs, StartArgs> = {
  command: 'start [containers..]',
  describe: 'Start one or more containers',
  builder: (y) =>
    y
      .positional('containers', { type: 'string', array: true, default: [], describe: 'Containers to start' })
      .option('attach', { alias: 'a', type: 'boolean', describe: "Attach STDOUT/STDERR and forward signals" })
      .option('interactive', { alias: 'i', type: 'boolean', describe: "Attach the container's STDIN" })
      .option('all', { type: 'boolean', describe: 'Start all containers' })
      .option('detach-keys', { type: 'string', describe: 'Key sequence for detaching (default "ctrl-p,ctrl-q")' })
      .option('sig-proxy', { type: 'boolean', describe: 'Proxy received signals to the container (default true with --attach)' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const lib = await import('../../lib/container/index.js');
    const plan = await ctx.plan();
    if (args.attach || args.interactive) {
      if (args.containers.length !== 1) throw new (await import('../../lib/errors/index.js')).UsageError('you cannot start and attach multiple containers at once');
      const record = await lib.findContainer(ctx.config, args.containers[0]);
      const { terminalIo } = await import('../terminal.js');
      const withStdin = Boolean(args.interactive);
      const term = terminalIo({ tty: record.spec.tty, interactive: withStdin, sigProxy: args.sigProxy ?? true, detachKeys: lib.parseDetachKeys(args.detachKeys ?? 'ctrl-p,ctrl-q') });
      try {
        const result = await lib.runAttached(ctx.config, plan, withStdin ? record : { ...record, spec: { ...record.spec, interactive: false } }, term.io);
        if (result.kind === 'exited') setExitCode(result.exitCode);
      } finally {
        term.restore();
      }
      return;
    }
    await eachContainer(ctx, args.containers, { all: args.all }, async (c, name) => {
      const current = await lib.refreshStatus(ctx.config, c);
      if (current.status !== 'running') await lib.startContainer(ctx.config, plan, current);
      out(name);
    });
  },
};

interface StopArgs extends TargetArgs {
  time?: number;
}

export const stopCommand: CommandModule<GlobalArgs, StopArgs> = {
  command: 'stop [containers..]',
  describe: 'Stop one or more running containers',
  builder: (y) =>
    y
      .positional('containers', { type: 'string', array: true, default: [], describe: 'Containers to stop' })
      .option('time', { alias: 't', type: 'number', describe: 'Seconds to wait before killing the container (default: its stop timeout, 10)' })
      .option('all', { alias: 'a', type: 'boolean', describe: 'Stop all running containers' })
      .option('ignore', { alias: 'i', type: 'boolean', describe: 'Ignore errors when a specified container is missing' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const { stopContainer } = await import('../../lib/container/lifecycle.js'); // not the index: start-up time
    await eachContainer(ctx, args.containers, { all: args.all, ignore: args.ignore, running: true }, async (c, name) => {
      await stopContainer(ctx.config, c, args.time);
      out(name);
    });
  },
};

interface KillArgs extends TargetArgs {
  signal?: string;
}

export const killCommand: CommandModule<GlobalArgs, KillArgs> = {
  command: 'kill [containers..]',
  describe: 'Kill one or more running containers with a signal',
  builder: (y) =>
    y
      .positional('containers', { type: 'string', array: true, default: [], describe: 'Containers to signal' })
      .option('signal', { alias: 's', type: 'string', default: 'KILL', describe: 'Signal to send to the container' })
      .option('all', { alias: 'a', type: 'boolean', describe: 'Signal all running containers' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const { killContainer, signalNumber } = await import('../../lib/container/lifecycle.js'); // not the index: start-up time
    signalNumber(args.signal ?? 'KILL'); // a bad signal is a usage error before anything is sent
    await eachContainer(ctx, args.containers, { all: args.all, running: true }, async (c, name) => {
      await killContainer(ctx.config, c, args.signal ?? 'KILL');
      out(name);
    });
  },
};

export const restartCommand: CommandModule<GlobalArgs, StopArgs> = {
  command: 'restart [containers..]',
  describe: 'Restart one or more containers',
  builder: (y) =>
    y
      .positional('containers', { type: 'string', array: true, default: [], describe: 'Containers to restart' })
      .option('time', { alias: 't', type: 'number', describe: 'Seconds to wait for stop before killing the container' })
      .option('all', { alias: 'a', type: 'boolean', describe: 'Restart all containers' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const lib = await import('../../lib/container/index.js');
    const plan = await ctx.plan();
    await eachContainer(ctx, args.containers, { all: args.all }, async (c, name) => {
      await lib.stopContainer(ctx.config, c, args.time);
      const fresh = await lib.findContainer(ctx.config, c.id);
      await lib.startContainer(ctx.config, plan, fresh);
      out(name);
    });
  },
};

interface WaitArgs extends TargetArgs {
  condition?: string;
}

export const waitCommand: CommandModule<GlobalArgs, WaitArgs> = {
  command: 'wait <containers..>',
  describe: 'Block until one or more containers stop, then print their exit codes',
  builder: (y) =>
    y
      .positional('containers', { type: 'string', array: true, demandOption: true, describe: 'Containers to wait for' })
      .option('condition', { type: 'string', choices: ['stopped', 'exited'], default: 'stopped', describe: 'Condition to wait on' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const { waitContainer } = await import('../../lib/container/index.js');
    await eachContainer(ctx, args.containers, {}, async (c) => {
      out(String(await waitContainer(ctx.config, c)));
    });
  },
};
