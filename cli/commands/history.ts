/** `tote history [--no-trunc] [-q] [--format] IMAGE`: docker's table. */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';
import { out } from '../output.js';

interface HistoryArgs extends GlobalArgs {
  image: string;
  noTrunc?: boolean;
  quiet?: boolean;
  human?: boolean;
  format?: string;
}

const HEADERS: Record<string, string> = {
  ID: 'IMAGE',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  CreatedBy: 'CREATED BY',
  Size: 'SIZE',
  Comment: 'COMMENT',
};

/** docker's stringutils.Ellipsis. */
function ellipsis(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : chars.slice(0, max - 1).join('') + '…';
}

export const historyCommand: CommandModule<GlobalArgs, HistoryArgs> = {
  command: 'history <image>',
  describe: 'Show the history of an image',
  builder: (y) =>
    y
      .positional('image', { type: 'string', demandOption: true, describe: 'Image (name or id)' })
      .option('no-trunc', { type: 'boolean', describe: "Don't truncate output" })
      .option('quiet', { alias: 'q', type: 'boolean', describe: 'Only show image IDs' })
      .option('human', { alias: 'H', type: 'boolean', default: true, describe: 'Print sizes and dates in human readable format' })
      .option('format', { type: 'string', describe: 'Format output using a Go template, "table …" or "json"' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const [{ resolveImage, imageHistory }, fmt] = await Promise.all([import('../../lib/image/index.js'), import('../../lib/format/index.js')]);
    const image = await resolveImage(ctx.config, String(args.image));
    const rows = await imageHistory(ctx.config, image);
    const id = (x: string) => (x === '<missing>' ? x : args.noTrunc ? 'sha256:' + x : x.slice(0, 12));
    if (args.quiet) {
      for (const r of rows) out(id(r.id));
      return;
    }
    const now = new Date();
    const human = args.human !== false;
    const view = rows.map((r) => {
      const createdBy = r.createdBy.replace(/\t/g, ' ');
      return {
        ID: id(r.id),
        CreatedSince: human ? fmt.timeAgo(new Date(r.created), now) : r.created,
        CreatedAt: r.created,
        CreatedBy: args.noTrunc ? createdBy : ellipsis(createdBy, 45),
        Size: human ? fmt.humanSize(r.size) : String(r.size),
        Comment: r.comment,
      };
    });
    if (args.format) {
      process.stdout.write(fmt.renderFormatted(args.format, view, HEADERS));
      return;
    }
    const cols = ['ID', 'CreatedSince', 'CreatedBy', 'Size', 'Comment'] as const;
    process.stdout.write(fmt.renderTable(cols.map((c) => HEADERS[c]), view.map((v) => cols.map((c) => v[c]))));
  },
};
