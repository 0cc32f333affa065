/** `tote run [OPTIONS] IMAGE [COMMAND [ARG...]]` */
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../lib/errors/index.js';
import { makeContext, type GlobalArgs } from '../context.js';
import { setExitCode } from '../exit.js';

export interface RunArgs extends GlobalArgs {
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
  readOnly?: boolean;
  interactive?: boolean;
  tty?: boolean;
  rm?: boolean;
  detach?: boolean;
  label?: string[];
  '--'?: string[];
}

/** Options that take a value: the argv splitter must skip their values to find IMAGE. */
export const RUN_VALUE_OPTIONS = ['name', 'env', 'e', 'env-file', 'workdir', 'w', 'user', 'u', 'entrypoint', 'hostname', 'h', 'volume', 'v', 'label', 'l'];

export function runOptions(y: Argv<GlobalArgs>): Argv<RunArgs> {
  return y
    .positional('image', { type: 'string', describe: 'Image to run (name, name:tag, name@digest or id)' })
    .positional('command', { type: 'string', array: true, describe: 'Command and arguments (default: the image\'s ENTRYPOINT and CMD)' })
    .option('name', { type: 'string', describe: 'Assign a name to the container' })
    .option('env', { alias: 'e', type: 'string', array: true, describe: 'Set environment variables (KEY=VALUE, or KEY to pass the host\'s value)' })
    .option('env-file', { type: 'string', array: true, describe: 'Read environment variables from a file of KEY=VALUE lines' })
    .option('workdir', { alias: 'w', type: 'string', describe: 'Working directory inside the container' })
    .option('user', { alias: 'u', type: 'string', describe: 'Username or UID (format: <name|uid>[:<group|gid>])' })
    .option('entrypoint', { type: 'string', describe: 'Overwrite the default ENTRYPOINT of the image' })
    .option('hostname', { alias: 'h', type: 'string', describe: 'Container host name (default: the short container id)' })
    .option('volume', { alias: 'v', type: 'string', array: true, describe: 'Bind mount a volume (HOST-PATH:CONTAINER-PATH[:ro])' })
    .option('read-only', { type: 'boolean', describe: 'Mount the container\'s root filesystem as read only' })
    .option('interactive', { alias: 'i', type: 'boolean', describe: 'Keep STDIN open' })
    .option('tty', { alias: 't', type: 'boolean', describe: 'Allocate a pseudo-TTY' })
    .option('rm', { type: 'boolean', describe: 'Automatically remove the container when it exits' })
    .option('detach', { alias: 'd', type: 'boolean', describe: 'Run the container in the background and print its ID' })
    .option('label', { alias: 'l', type: 'string', array: true, describe: 'Set metadata on the container (KEY=VALUE)' }) as unknown as Argv<RunArgs>;
}

function parseLabels(list: string[] | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const l of list ?? []) {
    const eq = l.indexOf('=');
    labels[eq < 0 ? l : l.slice(0, eq)] = eq < 0 ? '' : l.slice(eq + 1);
  }
  return labels;
}

export const runCommand: CommandModule<GlobalArgs, RunArgs> = {
  command: 'run [options] <image> [command..]',
  describe: 'Run a command in a new container',
  builder: runOptions,
  handler: async (args) => {
    if (args.detach) {
      throw new UsageError('--detach is not supported yet: containers run in the foreground', 'drop -d; detached containers arrive with the container monitor');
    }
    if (args.interactive && args.tty && !process.stdin.isTTY) {
      throw new UsageError('the input device is not a TTY', 'drop -t, or run from a terminal');
    }
    const ctx = makeContext(args);
    const { createContainer, runForeground } = await import('../../lib/container/index.js');
    const plan = await ctx.plan();
    const record = await createContainer(ctx.config, plan, {
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
      readOnly: args.readOnly,
      interactive: args.interactive,
      tty: args.tty,
      rm: args.rm,
      labels: parseLabels(args.label),
    });
    const inTerminal = Boolean(process.stdin.isTTY || process.stdout.isTTY || process.stderr.isTTY);
    setExitCode(await runForeground(ctx.config, plan, record, { inTerminal }));
  },
};
