/** `tote volume rm VOLUME...` */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../../context.js';
import { err, out } from '../../output.js';
import { setExitCode } from '../../exit.js';

interface VolumeRmArgs extends GlobalArgs {
  volumes: string[];
  force?: boolean;
}

export const volumeRmCommand: CommandModule<GlobalArgs, VolumeRmArgs> = {
  command: 'rm <volumes..>',
  aliases: ['remove'],
  describe: 'Remove one or more volumes',
  builder: (y) =>
    y
      .positional('volumes', { type: 'string', array: true, demandOption: true, describe: 'Volume names' })
      .option('force', { alias: 'f', type: 'boolean', describe: 'Also remove the containers that use the volume; ignore missing volumes' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const [volumes, containers, { isToteError }] = await Promise.all([
      import('../../../lib/volume/index.js'),
      import('../../../lib/container/index.js'),
      import('../../../lib/errors/index.js'),
    ]);
    const plan = await ctx.plan();
    let failed = false;
    for (const name of args.volumes.map(String)) {
      try {
        if (args.force) {
          // podman's -f: the containers using the volume go first.
          for (const id of await volumes.volumeUsersOf(ctx.config, name)) {
            const c = await containers.findContainer(ctx.config, id).catch(() => undefined);
            if (c) await containers.removeContainer(ctx.config, plan, c, true);
          }
        }
        await volumes.removeVolume(ctx.config, plan, name, { force: args.force });
        out(name);
      } catch (e) {
        if (args.force && isToteError(e) && e.code === 'E_NO_SUCH_VOLUME') continue;
        failed = true;
        err(`Error: ${(e as Error).message}`);
      }
    }
    if (failed) setExitCode(1);
  },
};
