/** `tote unshare [COMMAND...]`: a shell (or command) inside tote's user namespace, as `podman unshare`. */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';
import { setExitCode } from '../exit.js';

interface UnshareArgs extends GlobalArgs {
  command?: string[];
  '--'?: string[];
}

export const unshareCommand: CommandModule<GlobalArgs, UnshareArgs> = {
  command: 'unshare [command..]',
  describe: 'Run a command in a modified user namespace (default: $SHELL)',
  builder: (y) => y.positional('command', { type: 'string', array: true, describe: 'Command and arguments' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const { spawnInUserns, waitExit } = await import('../../lib/userns/index.js');
    const command = [...(args.command ?? []), ...(args['--'] ?? [])].map(String);
    if (command.length === 0) command.push(ctx.config.hostEnv.SHELL || '/bin/sh');
    const child = spawnInUserns(ctx.config, await ctx.plan(), command, {
      env: { ...ctx.config.hostEnv, TOTE_ROOT: ctx.config.dataDir, TOTE_RUNROOT: ctx.config.runDir, CONTAINERS_GRAPHROOT: ctx.config.dataDir },
    });
    // Terminal signals reach the child directly; the helper forwards others.
    const ignore = () => {};
    process.on('SIGINT', ignore);
    setExitCode(await waitExit(child));
    process.off('SIGINT', ignore);
  },
};
