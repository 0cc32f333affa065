/** `tote volume inspect VOLUME...` */
import type { CommandModule } from 'yargs';
import { UsageError } from '../../../lib/errors/index.js';
import { makeContext, type GlobalArgs } from '../../context.js';
import { err, out } from '../../output.js';
import { setExitCode } from '../../exit.js';

interface VolumeInspectArgs extends GlobalArgs {
  volumes?: string[];
  format?: string;
  all?: boolean;
}

export const volumeInspectCommand: CommandModule<GlobalArgs, VolumeInspectArgs> = {
  command: 'inspect [volumes..]',
  describe: 'Display detailed information on one or more volumes',
  builder: (y) =>
    y
      .positional('volumes', { type: 'string', array: true, describe: 'Volume names' })
      .option('format', { alias: 'f', type: 'string', describe: 'Format the output using a Go template' })
      .option('all', { alias: 'a', type: 'boolean', describe: 'Inspect all volumes' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const [{ inspectVolume, inspectView, listVolumes }, fmt, { isToteError }] = await Promise.all([
      import('../../../lib/volume/index.js'),
      import('../../../lib/format/index.js'),
      import('../../../lib/errors/index.js'),
    ]);
    const names = (args.volumes ?? []).map(String);
    if (!args.all && names.length === 0) throw new UsageError('volume inspect requires at least one volume name', 'or use --all');
    const results: Record<string, unknown>[] = [];
    let failed = false;
    if (args.all) {
      for (const v of await listVolumes(ctx.config)) results.push(inspectView(ctx.config, v));
    }
    for (const name of names) {
      try {
        results.push(await inspectVolume(ctx.config, name));
      } catch (e) {
        failed = true;
        err(isToteError(e) && e.code === 'E_NO_SUCH_VOLUME' ? `Error: no such volume: ${name}` : `Error: ${(e as Error).message}`);
      }
    }
    if (args.format) {
      const render = fmt.compileTemplate(args.format);
      for (const r of results) out(render(r));
    } else {
      out(JSON.stringify(results, null, 4));
    }
    if (failed) setExitCode(1);
  },
};
