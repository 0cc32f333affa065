/** `tote ps` / `tote container ls`. */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';
import { out } from '../output.js';

interface PsArgs extends GlobalArgs {
  all?: boolean;
  quiet?: boolean;
  noTrunc?: boolean;
  format?: string;
  latest?: boolean;
  last?: number;
}

const HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Status: 'STATUS',
  Ports: 'PORTS',
  Names: 'NAMES',
  State: 'STATE',
};

export const psCommand: CommandModule<GlobalArgs, PsArgs> = {
  command: 'ps',
  aliases: ['ls', 'list'],
  describe: 'List containers',
  builder: (y) =>
    y
      .option('all', { alias: 'a', type: 'boolean', describe: 'Show all containers (default shows just running)' })
      .option('quiet', { alias: 'q', type: 'boolean', describe: 'Only display container IDs' })
      .option('no-trunc', { type: 'boolean', describe: 'Do not truncate output' })
      .option('latest', { alias: 'l', type: 'boolean', describe: 'Show the latest created container (includes all states)' })
      .option('last', { alias: 'n', type: 'number', describe: 'Show n last created containers (includes all states)' })
      .option('format', { type: 'string', describe: 'Format output using a Go template, "table …" or "json"' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const [{ allContainers, statusText }, fmt] = await Promise.all([import('../../lib/container/index.js'), import('../../lib/format/index.js')]);
    let list = await allContainers(ctx.config);
    if (args.latest) list = list.slice(0, 1);
    else if (args.last !== undefined && args.last >= 0) list = list.slice(0, args.last);
    else if (!args.all) list = list.filter((c) => c.status === 'running' || c.status === 'paused');
    const now = new Date();
    const since = (iso: string) => fmt.humanDuration(now.getTime() - new Date(iso).getTime());
    const id = (full: string) => (args.noTrunc ? full : full.slice(0, 12));
    if (args.quiet) {
      for (const c of list) out(id(c.id));
      return;
    }
    const view = list.map((c) => {
      const command = [...c.spec.entrypoint, ...c.spec.cmd].join(' ');
      return {
        ID: id(c.id),
        Image: c.image,
        Command: args.noTrunc ? JSON.stringify(command) : JSON.stringify(command.length > 20 ? command.slice(0, 19) + '…' : command),
        CreatedAt: c.created,
        RunningFor: `${since(c.created)} ago`,
        Status: statusText(c, since),
        Ports: '',
        Names: c.name,
        State: c.status,
        Labels: Object.entries(c.labels).map(([k, v]) => `${k}=${v}`).join(','),
        Label: (k: string) => c.labels[k] ?? '',
      };
    });
    if (args.format) {
      process.stdout.write(fmt.renderFormatted(args.format, view, HEADERS));
      return;
    }
    const cols = ['ID', 'Image', 'Command', 'RunningFor', 'Status', 'Ports', 'Names'] as const;
    process.stdout.write(fmt.renderTable(cols.map((c) => HEADERS[c]), view.map((v) => cols.map((c) => String(v[c])))));
  },
};
