/** `tote system prune [-a] [--volumes] [-f]`: remove unused containers, images and (optionally) volumes. */
import type { CommandModule } from 'yargs';
import { readAnswer } from '../../prompt.js';
import { makeContext, type GlobalArgs } from '../../context.js';
import { err, out } from '../../output.js';
import { setExitCode } from '../../exit.js';

interface SystemPruneArgs extends GlobalArgs {
  all?: boolean;
  volumes?: boolean;
  force?: boolean;
  filter?: string[];
}

function warning(a: SystemPruneArgs): string {
  const items = [
    '  - all stopped containers',
    ...(a.volumes ? [a.all ? '  - all volumes not used by at least one container' : '  - all anonymous volumes not used by at least one container'] : []),
    a.all ? '  - all images without at least one container associated to them' : '  - all dangling images',
  ];
  return `WARNING! This will remove:\n${items.join('\n')}\n\nAre you sure you want to continue? [y/N] `;
}

export const systemPruneCommand: CommandModule<GlobalArgs, SystemPruneArgs> = {
  command: 'prune',
  describe: 'Remove unused data: stopped containers, dangling images (all unused with -a), unused volumes with --volumes',
  builder: (y) =>
    y
      .option('all', { alias: 'a', type: 'boolean', describe: 'Remove all unused images, not just dangling ones' })
      .option('volumes', { type: 'boolean', describe: 'Prune volumes too' })
      .option('force', { alias: 'f', type: 'boolean', describe: 'Do not prompt for confirmation' })
      .option('filter', { type: 'string', array: true, describe: 'Container filter values (until=<timestamp>, label=KEY[=VALUE], label!=…)' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const [{ systemPrune }, { parsePruneFilters }, fmt] = await Promise.all([
      import('../../../lib/system/index.js'),
      import('../../../lib/container/index.js'),
      import('../../../lib/format/index.js'),
    ]);
    const filters = args.filter?.map(String);
    parsePruneFilters(filters); // a bad filter fails before the prompt
    if (!args.force) {
      process.stdout.write(warning(args));
      const answer = (await readAnswer()).trim().toLowerCase();
      if (answer !== 'y' && answer !== 'yes') {
        if (answer === '') out('');
        return;
      }
    }
    const report = await systemPrune(ctx.config, await ctx.plan(), { all: args.all, volumes: args.volumes, filters });
    for (const f of report.failed) err(`Error: removing ${f.what}: ${f.error.message}`);
    if (report.containers.length > 0) out(['Deleted Containers:', ...report.containers, ''].join('\n'));
    if (report.volumes.length > 0) out(['Deleted Volumes:', ...report.volumes, ''].join('\n'));
    if (report.images.untagged.length + report.images.deleted.length > 0) {
      out(['Deleted Images:', ...report.images.untagged.map((n) => `untagged: ${n}`), ...report.images.deleted.map((d) => `deleted: ${d}`), ''].join('\n'));
    }
    out(`Total reclaimed space: ${fmt.humanSize(report.reclaimed, 4)}`);
    if (report.failed.length > 0) setExitCode(1);
  },
};
