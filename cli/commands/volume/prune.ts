/** `tote volume prune`: remove volumes no container uses. */
import type { CommandModule } from 'yargs';
import { readAnswer } from '../../prompt.js';
import { makeContext, type GlobalArgs } from '../../context.js';
import { out } from '../../output.js';

interface VolumePruneArgs extends GlobalArgs {
  force?: boolean;
  all?: boolean;
  filter?: string[];
}

export const volumePruneCommand: CommandModule<GlobalArgs, VolumePruneArgs> = {
  command: 'prune',
  describe: 'Remove unused volumes (anonymous ones unless --all)',
  builder: (y) =>
    y
      .option('force', { alias: 'f', type: 'boolean', describe: 'Do not prompt for confirmation' })
      .option('all', { alias: 'a', type: 'boolean', describe: 'Remove all unused volumes, not just anonymous ones' })
      .option('filter', { type: 'string', array: true, describe: 'Provide filter values (label=KEY[=VALUE], label!=…, all=true)' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const [{ pruneVolumes, parseFilters, PRUNE_FILTERS }, fmt] = await Promise.all([import('../../../lib/volume/index.js'), import('../../../lib/format/index.js')]);
    parseFilters(args.filter, PRUNE_FILTERS); // a bad filter fails before the prompt
    if (!args.force) {
      const what = args.all ? 'all local volumes' : 'anonymous local volumes';
      process.stdout.write(`WARNING! This will remove ${what} not used by at least one container.\nAre you sure you want to continue? [y/N] `);
      const answer = (await readAnswer()).trim().toLowerCase();
      if (answer !== 'y' && answer !== 'yes') {
        if (answer === '') out('');
        return;
      }
    }
    const plan = await ctx.plan();
    const result = await pruneVolumes(ctx.config, plan, { all: args.all, filters: args.filter });
    // docker: the list, then a blank line.
    if (result.deleted.length > 0) out(`${['Deleted Volumes:', ...result.deleted].join('\n')}\n\n`);
    out(`Total reclaimed space: ${fmt.humanSize(result.reclaimed, 4)}`);
  },
};
