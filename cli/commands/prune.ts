/** `tote container prune`: remove all stopped containers. */
import type { CommandModule } from 'yargs';
import { readAnswer } from '../prompt.js';
import { makeContext, type GlobalArgs } from '../context.js';
import { err, out } from '../output.js';

interface ContainerPruneArgs extends GlobalArgs {
  force?: boolean;
  filter?: string[];
}

export const containerPruneCommand: CommandModule<GlobalArgs, ContainerPruneArgs> = {
  command: 'prune',
  describe: 'Remove all stopped containers',
  builder: (y) =>
    y
      .option('force', { alias: 'f', type: 'boolean', describe: 'Do not prompt for confirmation' })
      .option('filter', { type: 'string', array: true, describe: 'Provide filter values (until=<timestamp>, label=KEY[=VALUE], label!=…)' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const [{ pruneContainers, parsePruneFilters }, fmt] = await Promise.all([import('../../lib/container/prune.js'), import('../../lib/format/index.js')]);
    const filters = args.filter?.map(String);
    parsePruneFilters(filters); // a bad filter fails before the prompt
    if (!args.force) {
      process.stdout.write('WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] ');
      const answer = (await readAnswer()).trim().toLowerCase();
      if (answer !== 'y' && answer !== 'yes') {
        if (answer === '') out('');
        return;
      }
    }
    const plan = await ctx.plan();
    const report = await pruneContainers(ctx.config, plan, { filters });
    for (const f of report.failed) err(`Error: removing container ${f.id.slice(0, 12)}: ${f.error.message}`);
    // docker: the list, then a blank line.
    if (report.deleted.length > 0) out(`${['Deleted Containers:', ...report.deleted].join('\n')}\n\n`);
    out(`Total reclaimed space: ${fmt.humanSize(report.reclaimed, 4)}`);
  },
};
