/** `tote volume ls`: docker's table. */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../../context.js';
import { out } from '../../output.js';

interface VolumeLsArgs extends GlobalArgs {
  quiet?: boolean;
  filter?: string[];
  format?: string;
}

const HEADERS: Record<string, string> = {
  Driver: 'DRIVER',
  Name: 'VOLUME NAME',
  Scope: 'SCOPE',
  Mountpoint: 'MOUNTPOINT',
  Labels: 'LABELS',
  Links: 'LINKS',
  Size: 'SIZE',
  CreatedAt: 'CREATED AT',
};

export const volumeLsCommand: CommandModule<GlobalArgs, VolumeLsArgs> = {
  command: 'ls',
  aliases: ['list'],
  describe: 'List volumes',
  builder: (y) =>
    y
      .option('quiet', { alias: 'q', type: 'boolean', describe: 'Only display volume names' })
      .option('filter', { alias: 'f', type: 'string', array: true, describe: 'Filter output (name=…, label=KEY[=VALUE], dangling=true|false, driver=…)' })
      .option('format', { type: 'string', describe: 'Format output using a Go template, "table …" or "json"' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const [{ listVolumeEntries, inspectView }, fmt] = await Promise.all([import('../../../lib/volume/index.js'), import('../../../lib/format/index.js')]);
    const entries = await listVolumeEntries(ctx.config, args.filter);
    if (args.quiet) {
      for (const e of entries) out(e.volume.name);
      return;
    }
    const view = entries.map((e) => ({
      Name: e.volume.name,
      Driver: e.volume.driver,
      Scope: 'local',
      Mountpoint: e.mountpoint,
      Labels: Object.entries(e.volume.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
      Label: (k: string) => e.volume.labels[k] ?? '',
      Links: String(e.users.length),
      Size: 'N/A',
      CreatedAt: String(inspectView(ctx.config, e.volume).CreatedAt),
    }));
    if (args.format) {
      process.stdout.write(fmt.renderFormatted(args.format, view, HEADERS, { defaultTemplate: '{{.Driver}}\t{{.Name}}' }));
      return;
    }
    process.stdout.write(fmt.renderTable([HEADERS.Driver, HEADERS.Name], view.map((v) => [v.Driver, v.Name])));
  },
};
