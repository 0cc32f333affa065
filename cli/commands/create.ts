/** `tote create [OPTIONS] IMAGE [COMMAND [ARG...]]`: like run, without starting. */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';
import { out } from '../output.js';
import { createOptions, runOptions, type RunArgs } from './run.js';

export const createCommand: CommandModule<GlobalArgs, RunArgs> = {
  command: 'create [options] <image> [command..]',
  describe: 'Create but do not start a container',
  builder: (y) => runOptions(y),
  handler: async (args) => {
    const ctx = makeContext(args);
    const { createContainer } = await import('../../lib/container/index.js');
    const record = await createContainer(ctx.config, await ctx.plan(), createOptions(args));
    out(record.id);
  },
};
