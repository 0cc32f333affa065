/** `tote exec [OPTIONS] CONTAINER COMMAND [ARG...]` */
import type { CommandModule, Options } from 'yargs';
import { optionNames, valueOptionNames } from '../options.js';
import { makeContext, type GlobalArgs } from '../context.js';
import { setExitCode } from '../exit.js';

interface ExecArgs extends GlobalArgs {
  container: string;
  command?: string[];
  '--'?: string[];
  interactive?: boolean;
  tty?: boolean;
  detach?: boolean;
  env?: string[];
  envFile?: string[];
  user?: string;
  workdir?: string;
  privileged?: boolean;
  detachKeys?: string;
}

/** exec's flags: yargs reads the table, and so does the argv splitter. */
export const EXEC_OPTIONS: Record<string, Options> = {
  interactive: { alias: 'i', type: 'boolean', describe: 'Keep STDIN open' },
  tty: { alias: 't', type: 'boolean', describe: 'Allocate a pseudo-TTY' },
  detach: { alias: 'd', type: 'boolean', describe: 'Run the command in the background' },
  env: { alias: 'e', type: 'string', array: true, describe: 'Set environment variables' },
  'env-file': { type: 'string', array: true, describe: 'Read in a file of environment variables' },
  user: { alias: 'u', type: 'string', describe: 'Username or UID (format: <name|uid>[:<group|gid>])' },
  workdir: { alias: 'w', type: 'string', describe: 'Working directory inside the container' },
  privileged: { type: 'boolean', describe: 'Give extended privileges to the command' },
  'detach-keys': { type: 'string', describe: 'Key sequence for detaching (default "ctrl-p,ctrl-q")' },
};

export const EXEC_VALUE_OPTIONS = valueOptionNames(EXEC_OPTIONS);
export const EXEC_OPTION_NAMES = optionNames(EXEC_OPTIONS);

export const execCommand: CommandModule<GlobalArgs, ExecArgs> = {
  command: 'exec <container> [command..]',
  describe: 'Run a command in a running container',
  builder: (y) =>
    y
      .positional('container', { type: 'string', demandOption: true, describe: 'Container name or id' })
      .positional('command', { type: 'string', array: true, describe: 'Command and arguments' })
      .options(EXEC_OPTIONS) as never,
  handler: async (args) => {
    // lib/container's modules themselves, not its index (cp, export, logs, top…): start-up time.
    const [{ findContainer }, { startExec }, { execAttached }, { parseDetachKeys }, { UsageError }] = await Promise.all([
      import('../../lib/container/query.js'),
      import('../../lib/container/exec.js'),
      import('../../lib/container/run.js'),
      import('../../lib/container/attach.js'),
      import('../../lib/errors/index.js'),
    ]);
    const lib = { findContainer, startExec, execAttached, parseDetachKeys };
    const command = [...(args.command ?? []), ...(args['--'] ?? [])].map(String);
    if (command.length === 0) throw new UsageError('exec requires at least 2 arguments', 'tote exec [OPTIONS] CONTAINER COMMAND [ARG...]');
    if (!args.detach && args.interactive && args.tty && !process.stdin.isTTY) throw new UsageError('the input device is not a TTY', 'drop -t, or run from a terminal');
    const ctx = makeContext(args);
    const plan = await ctx.plan();
    const record = await lib.findContainer(ctx.config, args.container);
    const options = {
      command,
      interactive: args.interactive,
      tty: args.tty,
      env: args.env,
      envFiles: args.envFile,
      user: args.user,
      workdir: args.workdir,
      privileged: args.privileged,
    };
    if (args.detach) {
      await lib.startExec(ctx.config, plan, record, { ...options, detach: true });
      return;
    }
    const { terminalIo } = await import('../terminal.js');
    const term = terminalIo({ tty: Boolean(args.tty), interactive: Boolean(args.interactive), sigProxy: true, detachKeys: lib.parseDetachKeys(args.detachKeys ?? 'ctrl-p,ctrl-q') });
    try {
      const result = await lib.execAttached(ctx.config, plan, record, options, term.io);
      if (result.kind === 'exited') setExitCode(result.exitCode);
    } finally {
      term.restore();
    }
  },
};
