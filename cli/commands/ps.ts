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
  filter?: string[];
  size?: boolean;
}

const HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Names: 'NAMES',
  Labels: 'LABELS',
  Label: 'LABEL',
  Mounts: 'MOUNTS',
  Networks: 'NETWORKS',
  LocalVolumes: 'LOCAL VOLUMES',
};

const DEFAULT_COLUMNS = ['ID', 'Image', 'Command', 'RunningFor', 'Status', 'Ports', 'Names'];

/** stringutils.Ellipsis: at most `max` runes, the last one "…" when cut. */
function ellipsis(s: string, max: number): string {
  const runes = [...s];
  return runes.length > max ? runes.slice(0, max - 1).join('') + '…' : s;
}

const pad2 = (n: number, w = 2) => String(n).padStart(w, '0');

/** Go's time.Time.String() for a whole-second local time: "2024-01-02 15:04:05 +0100 CET". */
function goLocalTime(iso: string): string {
  const d = new Date(Math.floor(Date.parse(iso) / 1000) * 1000);
  const off = -d.getTimezoneOffset();
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  let zone = 'UTC';
  try {
    zone = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? zone;
  } catch {
    // keep UTC
  }
  if (/^GMT[+-]/.test(zone) || (zone === 'GMT' && off !== 0)) zone = `${sign}${pad2(Math.trunc(abs / 60))}${abs % 60 ? pad2(abs % 60) : ''}`;
  else if (zone === 'GMT') zone = 'UTC';
  return (
    `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())} ` +
    `${sign}${pad2(Math.trunc(abs / 60))}${pad2(abs % 60)} ${zone}`
  );
}

export const psCommand: CommandModule<GlobalArgs, PsArgs> = {
  command: 'ps',
  aliases: ['ls', 'list'],
  describe: 'List containers',
  builder: (y) =>
    y
      .option('all', { alias: 'a', type: 'boolean', describe: 'Show all containers (default shows just running)' })
      .option('filter', {
        alias: 'f',
        type: 'string',
        array: true,
        describe: 'Filter output based on conditions provided (id, name, label, status, exited, ancestor, before, since, volume)',
      })
      .option('quiet', { alias: 'q', type: 'boolean', describe: 'Only display container IDs' })
      .option('no-trunc', { type: 'boolean', describe: 'Do not truncate output' })
      .option('latest', { alias: 'l', type: 'boolean', describe: 'Show the latest created container (includes all states)' })
      .option('last', { alias: 'n', type: 'number', describe: 'Show n last created containers (includes all states)' })
      .option('size', { alias: 's', type: 'boolean', describe: 'Display total file sizes' })
      .option('format', { type: 'string', describe: 'Format output using a Go template, "table …" or "json"' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    // filter.js rather than lib/container/index.js: ps must not load the runtime.
    const [{ psContainers, containerSize, dockerState }, { statusText }, fmt, { loadImages }, { formatPortList: portList }] = await Promise.all([
      import('../../lib/container/filter.js'),
      import('../../lib/container/query.js'),
      import('../../lib/format/index.js'),
      import('../../lib/storage/index.js'),
      import('../../lib/network/ports.js'),
    ]);
    const list = await psContainers(ctx.config, { all: args.all, latest: args.latest, last: args.last, filters: args.filter?.map(String) });
    const id = (full: string) => (args.noTrunc ? full : full.slice(0, 12));
    if (args.quiet) {
      for (const c of list) out(id(c.id));
      return;
    }
    const format = args.format;
    const wantSize = Boolean(args.size) || (format !== undefined && /\.Size\b/.test(format));
    const images = wantSize ? await loadImages(ctx.config) : [];
    const sizes = wantSize ? await Promise.all(list.map((c) => containerSize(ctx.config, c, images))) : [];
    const now = Date.now();
    const since = (iso: string) => fmt.humanDuration(now - new Date(iso).getTime());
    const trunc = !args.noTrunc;
    // Keys in docker's JSON order (a sorted map); Label is a method, left out of JSON.
    const view = list.map((c, i) => {
      const command = [...c.spec.entrypoint, ...c.spec.cmd].join(' ');
      const size = sizes[i];
      const mounts = c.spec.mounts.filter((m) => m.type !== 'tmpfs').map((m) => (trunc ? ellipsis(m.name ?? m.source, 15) : (m.name ?? m.source)));
      return {
        Command: JSON.stringify(trunc ? ellipsis(command, 20) : command),
        // A getter: the time zone name costs ICU's start-up (~10-30 ms), which only --format '{{.CreatedAt}}' needs.
        get CreatedAt() {
          return goLocalTime(c.created);
        },
        ID: id(c.id),
        Image: c.image,
        Labels: Object.keys(c.labels)
          .sort()
          .map((k) => `${k}=${c.labels[k]}`)
          .join(','),
        LocalVolumes: String(c.spec.mounts.filter((m) => m.type === 'volume').length),
        Mounts: mounts.join(','),
        Names: c.name,
        Networks: c.spec.network && c.spec.network.mode !== 'none' ? c.spec.network.mode : '',
        Ports: c.status === 'running' || c.status === 'paused' ? portList(c.spec.network?.ports ?? []) : '',
        RunningFor: `${since(c.created)} ago`,
        Size: size ? fmt.humanSize(size.rw, 3) + (size.rootFs > 0 ? ` (virtual ${fmt.humanSize(size.rootFs, 3)})` : '') : '0B',
        State: dockerState(c),
        Status: statusText(c, since),
        Label: (k: string) => c.labels[k] ?? '',
      };
    });
    const columns = args.size ? [...DEFAULT_COLUMNS, 'Size'] : DEFAULT_COLUMNS;
    const defaultTemplate = columns.map((k) => `{{.${k}}}`).join('\t');
    if (format !== undefined && format !== '') {
      process.stdout.write(fmt.renderFormatted(format, view, HEADERS, { defaultTemplate }));
      return;
    }
    process.stdout.write(fmt.renderFormatted('table ' + defaultTemplate, view, HEADERS));
  },
};
