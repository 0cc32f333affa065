/** `tote rename CONTAINER NEW_NAME` / `tote container rename`. */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';

interface RenameArgs extends GlobalArgs {
  container: string;
  name: string;
}

export const renameCommand: CommandModule<GlobalArgs, RenameArgs> = {
  command: 'rename <container> <name>',
  describe: 'Rename a container',
  builder: (y) =>
    y
      .positional('container', { type: 'string', demandOption: true, describe: 'Container name or id' })
      .positional('name', { type: 'string', demandOption: true, describe: 'The new name' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const { renameContainer } = await import('../../lib/container/rename.js');
    await renameContainer(ctx.config, String(args.container), String(args.name));
  },
};
