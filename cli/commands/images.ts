/** `tote images` / `tote image ls`: docker's table. */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';
import { out } from '../output.js';

interface ImagesArgs extends GlobalArgs {
  repository?: string;
  quiet?: boolean;
  noTrunc?: boolean;
  digests?: boolean;
  format?: string;
  all?: boolean;
  filter?: string[];
}

const HEADERS: Record<string, string> = {
  Repository: 'REPOSITORY',
  Tag: 'TAG',
  ID: 'IMAGE ID',
  Digest: 'DIGEST',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  Size: 'SIZE',
};

export const imagesCommand: CommandModule<GlobalArgs, ImagesArgs> = {
  command: 'images [repository]',
  aliases: ['ls', 'list'],
  describe: 'List images in local storage',
  builder: (y) =>
    y
      .positional('repository', { type: 'string', describe: 'Show only images of this repository (and tag)' })
      .option('quiet', { alias: 'q', type: 'boolean', describe: 'Only show image IDs' })
      .option('no-trunc', { type: 'boolean', describe: 'Do not truncate output' })
      .option('digests', { type: 'boolean', describe: 'Show digests' })
      .option('all', { alias: 'a', type: 'boolean', describe: 'Show all images (intermediate layers too)' })
      .option('filter', { alias: 'f', type: 'string', array: true, describe: 'Filter output (dangling=true|false, reference=GLOB, before=IMAGE, since=IMAGE, label=KEY[=VALUE])' })
      .option('format', { type: 'string', describe: 'Format output using a Go template, "table …" or "json"' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    // The modules themselves rather than lib/image/index.js, which would also load pull, push and the registry client.
    const [{ listImageRows }, { parseReference }, { parseImageFilters, filterImageRows }, { loadImages }, fmt] = await Promise.all([
      import('../../lib/image/inspect.js'),
      import('../../lib/image/reference.js'),
      import('../../lib/image/filter.js'),
      import('../../lib/storage/index.js'),
      import('../../lib/format/index.js'),
    ]);
    const filters = parseImageFilters(args.filter?.map(String));
    let rows = await listImageRows(ctx.config, { all: args.all });
    rows = await filterImageRows(ctx.config, rows, await loadImages(ctx.config), filters);
    if (args.repository) {
      const ref = parseReference(args.repository);
      const explicitTag = /:[^/]+$/.test(args.repository);
      rows = rows.filter((r) => r.record.names.some((n) => (explicitTag ? n === ref.full : n.startsWith(ref.repository + ':'))));
    }
    const now = Date.now();
    const shortId = (id: string) => (args.noTrunc ? 'sha256:' + id : id.slice(0, 12));
    if (args.quiet) {
      const seen = new Set<string>();
      for (const r of rows) if (!seen.has(r.ID)) seen.add(r.ID) && out(shortId(r.ID));
      return;
    }
    const view = rows.map((r) => ({
      ID: shortId(r.ID),
      Repository: r.Repository,
      Tag: r.Tag,
      Digest: r.Digest,
      CreatedAt: r.CreatedAt,
      CreatedSince: fmt.timeAgo(new Date(r.CreatedAt), new Date(now)),
      Size: fmt.humanSize(r.Size),
      Containers: 'N/A',
    }));
    if (args.format) {
      process.stdout.write(fmt.renderFormatted(args.format, view, HEADERS));
      return;
    }
    const cols: Array<keyof (typeof view)[number]> = ['Repository', 'Tag', ...(args.digests ? (['Digest'] as const) : []), 'ID', 'CreatedSince', 'Size'];
    process.stdout.write(fmt.renderTable(cols.map((c) => HEADERS[c]), view.map((v) => cols.map((c) => String(v[c])))));
  },
};
