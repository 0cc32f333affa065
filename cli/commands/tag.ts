/** `tote tag SOURCE TARGET...` */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';

interface TagArgs extends GlobalArgs {
  source: string;
  target: string[];
}

export const tagCommand: CommandModule<GlobalArgs, TagArgs> = {
  command: 'tag <source> <target..>',
  describe: 'Add an additional name to a local image',
  builder: (y) =>
    y
      .positional('source', { type: 'string', demandOption: true, describe: 'Existing image (name or id)' })
      .positional('target', { type: 'string', array: true, demandOption: true, describe: 'New name(s): REPOSITORY[:TAG]' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const { tagImage } = await import('../../lib/image/index.js');
    for (const t of args.target) await tagImage(ctx.config, args.source, t);
  },
};
