/** `tote system df [-v] [--format …]`: disk usage by type, as docker prints it. */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../../context.js';
import { out } from '../../output.js';

interface DfArgs extends GlobalArgs {
  verbose?: boolean;
  format?: string;
}

const HEADERS = { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' };

export const dfCommand: CommandModule<GlobalArgs, DfArgs> = {
  command: 'df',
  describe: 'Show tote disk usage',
  builder: (y) =>
    y
      .option('verbose', { alias: 'v', type: 'boolean', describe: 'Show detailed information on space usage' })
      .option('format', { type: 'string', describe: 'Format output using a Go template, "table …" or "json"' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const [{ diskUsage }, fmt] = await Promise.all([import('../../../lib/system/index.js'), import('../../../lib/format/index.js')]);
    const usage = await diskUsage(ctx.config);
    const size = (n: number) => fmt.humanSize(n, 4);
    const pct = (part: number, whole: number) => (whole > 0 ? ` (${Math.round((part * 100) / whole)}%)` : '');
    if (!args.verbose) {
      const view = usage.summary.map((s) => ({
        Type: s.type,
        TotalCount: String(s.total),
        Active: String(s.active),
        Size: size(s.size),
        Reclaimable: size(s.reclaimable) + pct(s.reclaimable, s.size),
      }));
      if (args.format) {
        process.stdout.write(fmt.renderFormatted(args.format, view, HEADERS));
        return;
      }
      const cols = Object.keys(HEADERS) as Array<keyof typeof HEADERS>;
      process.stdout.write(fmt.renderTable(cols.map((c) => HEADERS[c]), view.map((v) => cols.map((c) => v[c]))));
      return;
    }
    const now = new Date();
    const ago = (iso: string) => fmt.timeAgo(new Date(iso), now);
    out('Images space usage:\n');
    const imageRows = usage.images.flatMap(({ image, containers }) =>
      (image.names.length > 0 ? image.names : ['<none>:<none>']).map((n) => {
        const at = n.lastIndexOf(':');
        const repo = n === '<none>:<none>' ? '<none>' : n.slice(0, at).replace(/^docker\.io\/(library\/)?/, '');
        const tag = n === '<none>:<none>' ? '<none>' : n.slice(at + 1);
        return [repo, tag, image.id.slice(0, 12), ago(image.created), size(image.size), '0B', size(image.size), String(containers)];
      }),
    );
    process.stdout.write(fmt.renderTable(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE', 'SHARED SIZE', 'UNIQUE SIZE', 'CONTAINERS'], imageRows));
    out('\nContainers space usage:\n');
    const containerRows = usage.containers.map(({ container: c, size: s }) => {
      const command = [...c.spec.entrypoint, ...c.spec.cmd].join(' ');
      const volumes = c.spec.mounts.filter((m) => m.type === 'volume').length;
      return [c.id.slice(0, 12), c.image, JSON.stringify(command.length > 20 ? command.slice(0, 19) + '…' : command), String(volumes), size(s), ago(c.created), c.status, c.name];
    });
    process.stdout.write(fmt.renderTable(['CONTAINER ID', 'IMAGE', 'COMMAND', 'LOCAL VOLUMES', 'SIZE', 'CREATED', 'STATUS', 'NAMES'], containerRows));
    out('\nLocal Volumes space usage:\n');
    process.stdout.write(fmt.renderTable(['VOLUME NAME', 'LINKS', 'SIZE'], usage.volumes.map((v) => [v.volume.name, String(v.links), size(v.size)])));
    out('\nBuild cache usage: 0B');
  },
};
