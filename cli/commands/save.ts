/** `tote save [-o FILE] [--format docker-archive|oci-archive] IMAGE...`: images as a tar archive. */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';

interface SaveArgs extends GlobalArgs {
  images: string[];
  output?: string;
  format?: string;
  quiet?: boolean;
}

export const saveCommand: CommandModule<GlobalArgs, SaveArgs> = {
  command: 'save <images..>',
  describe: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  builder: (y) =>
    y
      .positional('images', { type: 'string', array: true, demandOption: true, describe: 'Images (names or ids)' })
      .option('output', { alias: 'o', type: 'string', describe: 'Write to a file, instead of STDOUT' })
      .option('format', {
        type: 'string',
        choices: ['docker-archive', 'oci-archive'],
        default: 'docker-archive',
        describe: 'Archive format: docker-archive (docker save) or oci-archive (an OCI image layout)',
      })
      .option('quiet', { alias: 'q', type: 'boolean', describe: 'Suppress the output (accepted for podman compatibility)' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const [{ saveArchive }, { UsageError }] = await Promise.all([import('../../lib/image/index.js'), import('../../lib/errors/index.js')]);
    if (!args.output && process.stdout.isTTY) {
      throw new UsageError('cowardly refusing to save to a terminal. Use the -o flag or redirect');
    }
    await saveArchive(ctx.config, {
      images: (args.images ?? []).map(String),
      format: args.format === 'oci-archive' ? 'oci-archive' : 'docker-archive',
      output: args.output,
      stdout: process.stdout,
      reporter: ctx.reporter,
    });
  },
};
