/** `tote import FILE|-|URL [REPOSITORY[:TAG]]` */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';
import { out } from '../output.js';

interface ImportArgs extends GlobalArgs {
  source: string;
  reference?: string;
  change?: string[];
  message?: string;
  platform?: string;
  quiet?: boolean;
}

export const importCommand: CommandModule<GlobalArgs, ImportArgs> = {
  command: 'import <source> [reference]',
  describe: 'Import a tarball (file, - for stdin, or URL) to create a filesystem image',
  builder: (y) =>
    y
      .positional('source', { type: 'string', demandOption: true, describe: 'Tarball: a path, - for standard input, or an http(s) URL' })
      .positional('reference', { type: 'string', describe: 'Name for the image: REPOSITORY[:TAG]' })
      .option('change', { alias: 'c', type: 'string', array: true, describe: 'Apply a Dockerfile instruction to the image (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR)' })
      .option('message', { alias: 'm', type: 'string', describe: 'Set a commit message for the imported image' })
      .option('platform', { type: 'string', describe: 'Set the platform (os/arch[/variant]) recorded in the image' })
      .option('quiet', { alias: 'q', type: 'boolean', describe: 'Suppress progress output' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const { importImage } = await import('../../lib/image/index.js');
    const [os, architecture, variant] = (args.platform ?? '').split('/');
    const id = await importImage(ctx.config, await ctx.plan(), {
      // yargs turns a lone "-" positional into "": it means standard input.
      source: args.source === '' ? '-' : args.source,
      stdin: process.stdin,
      reference: args.reference,
      changes: args.change,
      message: args.message,
      platform: args.platform ? { os, architecture, variant } : undefined,
      reporter: ctx.reporter,
    });
    out(id);
  },
};
