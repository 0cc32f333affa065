/** `tote logs CONTAINER` / `tote container logs`. */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';

interface LogsArgs extends GlobalArgs {
  container?: string[];
  follow?: boolean;
  tail?: string;
  timestamps?: boolean;
  since?: string;
  until?: string;
}

export const logsCommand: CommandModule<GlobalArgs, LogsArgs> = {
  command: 'logs [container..]',
  describe: 'Fetch the logs of a container',
  builder: (y) =>
    y
      .positional('container', { type: 'string', array: true, describe: 'Container (name or id)' })
      .option('follow', { alias: 'f', type: 'boolean', describe: 'Follow log output until the container stops' })
      .option('tail', { alias: 'n', type: 'string', describe: 'Number of lines to show from the end of the logs (default "all")' })
      .option('timestamps', { alias: 't', type: 'boolean', describe: 'Show timestamps' })
      .option('since', { type: 'string', describe: 'Show logs since a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m")' })
      .option('until', { type: 'string', describe: 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m")' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const [{ findContainer, readLogs, parseTimeFilter, parseTail }, { UsageError }] = await Promise.all([
      import('../../lib/container/index.js'),
      import('../../lib/errors/index.js'),
    ]);
    if (args.container?.length !== 1) throw new UsageError('"tote logs" requires exactly 1 argument', 'usage: tote logs [OPTIONS] CONTAINER');
    const now = new Date();
    const options = {
      follow: Boolean(args.follow),
      timestamps: Boolean(args.timestamps),
      tail: parseTail(args.tail),
      since: parseTimeFilter(args.since ?? '', now, '--since'),
      until: parseTimeFilter(args.until ?? '', now, '--until'),
    };
    const record = await findContainer(ctx.config, args.container[0]);
    await readLogs(ctx.config, record, options, { stdout: process.stdout, stderr: process.stderr });
  },
};
