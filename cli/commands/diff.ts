/** `tote diff CONTAINER` / `tote container diff`: A/C/D lines, as docker prints them. */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';
import { out } from '../output.js';

interface DiffArgs extends GlobalArgs {
  container: string;
  format?: string;
}

export const diffCommand: CommandModule<GlobalArgs, DiffArgs> = {
  command: 'diff <container>',
  describe: "Inspect changes to files or directories on a container's filesystem",
  builder: (y) =>
    y
      .positional('container', { type: 'string', demandOption: true, describe: 'Container (name or id)' })
      .option('format', { type: 'string', describe: 'Output format: json, or the default A/C/D lines' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const [{ findContainer, containerChanges, formatChanges }, { UsageError }] = await Promise.all([
      import('../../lib/container/index.js'),
      import('../../lib/errors/index.js'),
    ]);
    if (args.format !== undefined && args.format !== 'json') throw new UsageError(`unsupported --format "${args.format}"`, 'use --format json');
    const record = await findContainer(ctx.config, String(args.container));
    const changes = await containerChanges(ctx.config, await ctx.plan(), record);
    if (args.format === 'json') {
      // podman's shape: {"changed":[…],"added":[…],"deleted":[…]}
      const pick = (k: string) => changes.filter((c) => c.kind === k).map((c) => c.path);
      out(JSON.stringify({ changed: pick('C'), added: pick('A'), deleted: pick('D') }, null, 2));
      return;
    }
    const lines = formatChanges(changes);
    if (lines.length) out(lines.join('\n'));
  },
};
