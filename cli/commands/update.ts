/** `tote update [OPTIONS] CONTAINER...` / `tote container update`. */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';
import { out } from '../output.js';
import { eachContainer } from './targets.js';
import { LIMIT_OPTIONS } from './run-options.js';
import { cgroupLimitFlags } from './limit-flags.js';
import type { UpdateFlags } from '../../lib/container/update.js';

interface UpdateArgs extends GlobalArgs, UpdateFlags {
  containers: string[];
  restart?: string;
}

const str = (v: unknown): string | undefined => (v === undefined ? undefined : String(v));

export const updateCommand: CommandModule<GlobalArgs, UpdateArgs> = {
  command: 'update [containers..]',
  describe: 'Update the resource limits of one or more containers',
  builder: (y) =>
    y
      .positional('containers', { type: 'string', array: true, default: [], describe: 'Containers' })
      .options({
        ...LIMIT_OPTIONS,
        restart: { type: 'string', describe: 'Restart policy: no, on-failure[:N], always, unless-stopped' },
      }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const { updateContainerLimits, checkUpdateFlags } = await import('../../lib/container/index.js');
    const limits = cgroupLimitFlags(args);
    checkUpdateFlags(limits);
    await eachContainer(ctx, args.containers, {}, async (c, name) => {
      await updateContainerLimits(ctx.config, c, { limits, restart: str(args.restart) });
      out(name);
    });
  },
};
