/** `tote top CONTAINER [ps OPTIONS]` / `tote container top`. */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';

interface TopArgs extends GlobalArgs {
  container: string;
  options?: string[];
  '--'?: string[];
}

export const topCommand: CommandModule<GlobalArgs, TopArgs> = {
  command: 'top <container> [options..]',
  describe: 'Display the running processes of a container',
  builder: (y) =>
    y
      // `tote top c -o pid,comm`: everything after the container is ps's.
      // parserConfiguration replaces the whole setting: repeat cli/tree.ts's.
      .parserConfiguration({ 'populate--': true, 'strip-dashed': true, 'greedy-arrays': false, 'boolean-negation': false, 'unknown-options-as-args': true })
      .positional('container', { type: 'string', demandOption: true, describe: 'Container name or id' })
      .positional('options', { type: 'string', array: true, describe: 'ps options (default: -ef, read from /proc)' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const [{ findContainer }, { topContainer }, fmt] = await Promise.all([
      import('../../lib/container/query.js'),
      import('../../lib/container/top.js'),
      import('../../lib/format/index.js'),
    ]);
    const psArgs = [...(args.options ?? []), ...(args['--'] ?? [])].map(String);
    const record = await findContainer(ctx.config, args.container);
    const result = await topContainer(ctx.config, record, psArgs);
    // docker: tabwriter.NewWriter(out, 20, 1, 3, ' ', 0).
    const text = [result.Titles, ...result.Processes].map((row) => row.join('\t')).join('\n') + '\n';
    process.stdout.write(fmt.tabwrite(text, { minwidth: 20, padding: 3 }));
  },
};
