/** `tote create [OPTIONS] IMAGE [COMMAND [ARG...]]`: like run, without starting. */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';
import { out } from '../output.js';
import { ensureRunImage } from '../ensure-image.js';
import { UsageError } from '../../lib/errors/index.js';
import { createOptions, runOptions, type RunArgs } from './run.js';
import { createWithUnitFlags } from './unit-flags.js';

export const createCommand: CommandModule<GlobalArgs, RunArgs> = {
  command: 'create <image> [command..]',
  describe: 'Create but do not start a container',
  builder: (y) => runOptions(y),
  handler: async (args) => {
    if (args.pidfile !== undefined || args.sdnotify !== undefined) throw new UsageError('--pidfile and --sdnotify apply to `tote run` only');
    const ctx = makeContext(args);
    await ensureRunImage(ctx, await ctx.plan(), args);
    const record = await createWithUnitFlags(ctx, args, { ...createOptions(args), warn: (m) => ctx.reporter.warn(m) });
    out(record.id);
  },
};
