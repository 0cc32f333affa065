/** `tote image prune`: remove dangling images (all unused ones with -a). */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';
import { err, out } from '../output.js';
import { setExitCode } from '../exit.js';
import { readAnswer } from '../prompt.js';

interface ImagePruneArgs extends GlobalArgs {
  all?: boolean;
  force?: boolean;
}

export const imagePruneCommand: CommandModule<GlobalArgs, ImagePruneArgs> = {
  command: 'prune',
  describe: 'Remove unused images (dangling ones unless --all)',
  builder: (y) =>
    y
      .option('all', { alias: 'a', type: 'boolean', describe: 'Remove all images no container uses, not just dangling ones' })
      .option('force', { alias: 'f', type: 'boolean', describe: 'Do not prompt for confirmation' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    if (!args.force) {
      process.stdout.write(
        args.all
          ? 'WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue? [y/N] '
          : 'WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] ',
      );
      if (!/^y(es)?$/i.test((await readAnswer()).trim())) return;
    }
    const [{ pruneImages, familiarName }, fmt] = await Promise.all([import('../../lib/image/index.js'), import('../../lib/format/index.js')]);
    const report = await pruneImages(ctx.config, await ctx.plan(), { all: args.all });
    if (report.untagged.length || report.deleted.length) {
      out('Deleted Images:');
      for (const u of report.untagged) out(`untagged: ${familiarName(u)}`);
      for (const d of report.deleted) out(`deleted: ${d}`);
      out('');
    }
    out(`Total reclaimed space: ${fmt.humanSize(report.reclaimed)}`);
    for (const f of report.failed) err(`Error: ${f.id.slice(0, 12)}: ${f.error.message}`);
    if (report.failed.length) setExitCode(1);
  },
};
