/** run's and create's flags for systemd units, around createContainer. */
import { UsageError } from '../../lib/errors/index.js';
import type { CreateOptions } from '../../lib/container/index.js';
import type { ContainerRecord } from '../../lib/storage/index.js';
import type { Context } from '../context.js';
import type { RunArgs } from './run.js';

/**
 * createContainer plus the flags systemd units use: --cidfile (checked
 * before, written after), --replace, --sdnotify=container's socket, and the
 * command line kept for `generate systemd --new`. Shared with `create`.
 */
export async function createWithUnitFlags(ctx: Context, args: RunArgs, options: CreateOptions): Promise<ContainerRecord> {
  const [{ createContainer }, systemd] = await Promise.all([import('../../lib/container/create.js'), import('../../lib/systemd/index.js')]); // not the index: start-up time
  const plan = await ctx.plan();
  if (systemd.parseSdNotify(args.sdnotify) === 'container') {
    const notify = systemd.containerNotifyOptions(ctx.config);
    options.mounts = [...(options.mounts ?? []), ...notify.mounts];
    options.env = [...(options.env ?? []), ...notify.env];
  }
  if (args.cidfile) await systemd.checkCidFile(args.cidfile);
  if (args.replace) {
    if (!args.name) throw new UsageError('cannot replace a container without --name being set');
    await systemd.replaceContainer(ctx.config, plan, args.name);
  }
  const record = await createContainer(ctx.config, plan, options);
  await systemd.saveCreateCommand(ctx.config, record.id, process.argv.slice(2));
  if (args.cidfile) await systemd.writeCidFile(args.cidfile, record.id);
  return record;
}

