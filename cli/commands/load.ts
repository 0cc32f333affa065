/** `tote load [-i FILE]`: images from a docker-archive or oci-archive (gzip accepted), a file or STDIN. */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';
import { out } from '../output.js';

interface LoadArgs extends GlobalArgs {
  input?: string;
  quiet?: boolean;
}

export const loadCommand: CommandModule<GlobalArgs, LoadArgs> = {
  command: 'load',
  describe: 'Load images from a tar archive (docker-archive or oci-archive, optionally gzipped) or STDIN',
  builder: (y) =>
    y
      .option('input', { alias: 'i', type: 'string', describe: 'Read from a tar archive file, instead of STDIN' })
      .option('quiet', { alias: 'q', type: 'boolean', describe: 'Suppress the load output' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const [{ loadArchive, repoTag }, { UsageError }] = await Promise.all([import('../../lib/image/index.js'), import('../../lib/errors/index.js')]);
    if (args.input === undefined && process.stdin.isTTY) {
      throw new UsageError('requested load from stdin, but stdin is empty');
    }
    const result = await loadArchive(ctx.config, await ctx.plan(), {
      input: args.input,
      stdin: process.stdin,
      reporter: ctx.reporter,
    });
    if (args.quiet) return;
    for (const img of result.images) {
      if (img.names.length === 0) out(`Loaded image ID: ${img.id}`);
      for (const n of img.names) out(`Loaded image: ${repoTag(n)}`);
    }
  },
};
