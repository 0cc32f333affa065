/** `tote pause` / `tote unpause`: hold a container's processes, and release them. */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';
import { out } from '../output.js';
import { eachContainer } from './targets.js';

interface PauseArgs extends GlobalArgs {
  containers: string[];
  all?: boolean;
}

function pauseVerb(verb: 'pause' | 'unpause'): CommandModule<GlobalArgs, PauseArgs> {
  return {
    command: `${verb} [containers..]`,
    describe: verb === 'pause' ? 'Pause all processes within one or more containers' : 'Unpause all processes within one or more containers',
    builder: (y) =>
      y
        .positional('containers', { type: 'string', array: true, default: [], describe: 'Containers' })
        .option('all', { alias: 'a', type: 'boolean', describe: `${verb === 'pause' ? 'Pause' : 'Unpause'} all running containers` }) as never,
    handler: async (args) => {
      const ctx = makeContext(args);
      const lib = await import('../../lib/container/index.js');
      const act = verb === 'pause' ? lib.pauseContainer : lib.unpauseContainer;
      await eachContainer(ctx, args.containers, { all: args.all, running: true }, async (c, name) => {
        await act(ctx.config, c);
        out(name);
      });
    },
  };
}

export const pauseCommand = pauseVerb('pause');
export const unpauseCommand = pauseVerb('unpause');
