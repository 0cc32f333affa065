/** `tote export [-o FILE] CONTAINER`: the container's filesystem as a tar archive. */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';

interface ExportArgs extends GlobalArgs {
  container: string;
  output?: string;
}

export const exportCommand: CommandModule<GlobalArgs, ExportArgs> = {
  command: 'export <container>',
  describe: "Export a container's filesystem as a tar archive",
  builder: (y) =>
    y
      .positional('container', { type: 'string', demandOption: true, describe: 'Container (name or id)' })
      .option('output', { alias: 'o', type: 'string', describe: 'Write to a file, instead of STDOUT' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const [{ findContainer, exportContainer }, { UsageError }] = await Promise.all([
      import('../../lib/container/index.js'),
      import('../../lib/errors/index.js'),
    ]);
    if (!args.output && process.stdout.isTTY) {
      throw new UsageError('cowardly refusing to save to a terminal. Use the -o flag or redirect');
    }
    const record = await findContainer(ctx.config, String(args.container));
    await exportContainer(ctx.config, await ctx.plan(), record, { output: args.output, stdout: process.stdout });
  },
};
