/** `tote cp [-a] [-L] SRC DEST`: CONTAINER:PATH ↔ host path, `-` for a tar stream. */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';

interface CpArgs extends GlobalArgs {
  src: string;
  dest: string;
  archive?: boolean;
  followLink?: boolean;
  quiet?: boolean;
}

/** yargs hands a lone `-` positional over as ''; an empty path is never valid, so '' is `-`. */
function stdioArg(v: unknown): string {
  const s = String(v ?? '');
  return s === '' ? '-' : s;
}

export const cpCommand: CommandModule<GlobalArgs, CpArgs> = {
  command: 'cp <src> <dest>',
  describe: 'Copy files/folders between a container and the local filesystem',
  builder: (y) =>
    y
      .positional('src', { type: 'string', demandOption: true, describe: 'CONTAINER:SRC_PATH, a local path, or - for a tar archive on standard input' })
      .positional('dest', { type: 'string', demandOption: true, describe: 'CONTAINER:DEST_PATH, a local path, or - for a tar archive on standard output' })
      .option('archive', { alias: 'a', type: 'boolean', describe: 'Archive mode (copy all uid/gid information)' })
      .option('follow-link', { alias: 'L', type: 'boolean', describe: 'Always follow symbol link in SRC_PATH' })
      .option('quiet', { alias: 'q', type: 'boolean', describe: 'Suppress progress output during copy' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const { copyFiles } = await import('../../lib/container/index.js');
    await copyFiles(ctx.config, await ctx.plan(), {
      src: stdioArg(args.src),
      dest: stdioArg(args.dest),
      archive: args.archive,
      followLink: args.followLink,
      stdin: process.stdin,
      stdout: process.stdout,
      reporter: ctx.reporter,
    });
  },
};
