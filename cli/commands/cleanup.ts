/**
 * `tote container cleanup ID` (hidden): what the monitor execs once its
 * container has exited: record the status, then --rm or --restart.
 */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';

interface CleanupArgs extends GlobalArgs {
  id: string;
}

export const cleanupCommand: CommandModule<GlobalArgs, CleanupArgs> = {
  command: 'cleanup <id>',
  describe: false,
  builder: (y) => y.positional('id', { type: 'string', demandOption: true, describe: 'Container id' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const { cleanupContainer } = await import('../../lib/container/index.js');
    await cleanupContainer(ctx.config, await ctx.plan(), args.id);
  },
};
