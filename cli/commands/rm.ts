/** `tote rm CONTAINER...` / `tote container rm`. */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';
import { err, out } from '../output.js';
import { setExitCode } from '../exit.js';

interface RmArgs extends GlobalArgs {
  containers?: string[];
  force?: boolean;
  all?: boolean;
  ignore?: boolean;
  volumes?: boolean;
}

export const rmCommand: CommandModule<GlobalArgs, RmArgs> = {
  command: 'rm [containers..]',
  aliases: ['remove'],
  describe: 'Remove one or more containers',
  builder: (y) =>
    y
      .positional('containers', { type: 'string', array: true, describe: 'Containers to remove (name or id)' })
      .option('force', { alias: 'f', type: 'boolean', describe: 'Force the removal of a running container (uses SIGKILL)' })
      .option('all', { alias: 'a', type: 'boolean', describe: 'Remove all containers' })
      .option('ignore', { alias: 'i', type: 'boolean', describe: 'Ignore errors when a specified container is missing' })
      .option('volumes', { alias: 'v', type: 'boolean', describe: 'Remove anonymous volumes associated with the container' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    // lib/container's modules themselves, not its index (cp, export, logs, top…): start-up time.
    const [{ allContainers, findContainer }, { removeContainer }, { isToteError, UsageError }] = await Promise.all([
      import('../../lib/container/query.js'),
      import('../../lib/container/remove.js'),
      import('../../lib/errors/index.js'),
    ]);
    const targets = args.all ? (await allContainers(ctx.config)).map((c) => c.id) : (args.containers ?? []);
    if (!args.all && targets.length === 0) throw new UsageError('rm requires at least one container name or id', 'or use --all');
    const plan = await ctx.plan();
    let failed = false;
    for (const t of targets) {
      try {
        const c = await findContainer(ctx.config, t);
        await removeContainer(ctx.config, plan, c, Boolean(args.force), { volumes: Boolean(args.volumes) });
        out(t);
      } catch (e) {
        if (args.ignore && isToteError(e) && e.code === 'E_NO_SUCH_CONTAINER') continue;
        failed = true;
        err(`Error: ${(e as Error).message}`);
      }
    }
    if (failed) setExitCode(1);
  },
};
