/** `tote commit [-c CHANGE]... [-m MSG] [-a AUTHOR] [-p] CONTAINER [REPOSITORY[:TAG]]` */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';
import { out } from '../output.js';

interface CommitArgs extends GlobalArgs {
  container: string;
  reference?: string;
  change?: string[];
  message?: string;
  author?: string;
  pause?: boolean;
  quiet?: boolean;
}

export const commitCommand: CommandModule<GlobalArgs, CommitArgs> = {
  command: 'commit <container> [reference]',
  describe: "Create a new image from a container's changes",
  builder: (y) =>
    y
      .positional('container', { type: 'string', demandOption: true, describe: 'Container (name or id)' })
      .positional('reference', { type: 'string', describe: 'Name for the new image: REPOSITORY[:TAG]' })
      .option('change', { alias: 'c', type: 'string', array: true, describe: 'Apply Dockerfile instruction to the created image' })
      .option('message', { alias: 'm', type: 'string', describe: 'Commit message' })
      .option('author', { alias: 'a', type: 'string', describe: 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")' })
      .option('pause', { alias: 'p', type: 'boolean', default: true, describe: 'Pause container during commit' })
      .option('quiet', { alias: 'q', type: 'boolean', describe: 'Suppress output' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const [{ findContainer, stopProcesses }, { commitContainer }] = await Promise.all([import('../../lib/container/index.js'), import('../../lib/image/index.js')]);
    const record = await findContainer(ctx.config, String(args.container));
    const plan = await ctx.plan();
    // --pause (the default): the container's processes are held still while its layer is read.
    const resume = args.pause !== false && record.status === 'running' ? await stopProcesses(record) : async () => {};
    let id: string;
    try {
      id = await commitContainer(ctx.config, plan, record, {
        reference: args.reference,
        changes: args.change,
        message: args.message,
        author: args.author,
        pause: args.pause,
        reporter: ctx.reporter,
      });
    } finally {
      await resume();
    }
    out(id);
  },
};
