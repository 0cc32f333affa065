/** `tote rmi IMAGE...` / `tote image rm` */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';
import { err, out } from '../output.js';
import { setExitCode } from '../exit.js';

interface RmiArgs extends GlobalArgs {
  images: string[];
  force?: boolean;
  ignore?: boolean;
}

export const rmiCommand: CommandModule<GlobalArgs, RmiArgs> = {
  command: 'rmi <images..>',
  aliases: ['rm', 'remove'],
  describe: 'Remove one or more images from local storage',
  builder: (y) =>
    y
      .positional('images', { type: 'string', array: true, demandOption: true, describe: 'Images to remove (name or id)' })
      .option('force', { alias: 'f', type: 'boolean', describe: 'Force removal of the image, even if a container uses it' })
      .option('ignore', { alias: 'i', type: 'boolean', describe: 'Ignore errors if a specified image does not exist' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const [{ removeImage, familiarName }, { isToteError }] = await Promise.all([import('../../lib/image/index.js'), import('../../lib/errors/index.js')]);
    const plan = await ctx.plan();
    // podman's codes: 1 when an image is missing, 2 when one is in use, 125 otherwise.
    let failed = 0;
    // Every target is attempted; each failure is reported (docker/podman rule).
    for (const image of args.images) {
      try {
        const report = await removeImage(ctx.config, plan, image, Boolean(args.force));
        for (const u of report.untagged) out(`Untagged: ${familiarName(u)}`);
        for (const d of report.deleted) out(`Deleted: ${d}`);
      } catch (e) {
        if (args.ignore && isToteError(e) && e.code === 'E_NO_SUCH_IMAGE') continue;
        const code = isToteError(e) ? e.code : '';
        const kind = code === 'E_NO_SUCH_IMAGE' ? 1 : code === 'E_IMAGE_IN_USE' ? 2 : 125;
        failed = Math.max(failed, kind);
        err(`Error: ${(e as Error).message}`);
      }
    }
    if (failed) setExitCode(failed);
  },
};
