/** `tote volume create [NAME]` */
import type { CommandModule } from 'yargs';
import { UsageError } from '../../../lib/errors/index.js';
import { makeContext, type GlobalArgs } from '../../context.js';
import { out } from '../../output.js';

interface VolumeCreateArgs extends GlobalArgs {
  name?: string;
  driver?: string;
  label?: string[];
  opt?: string[];
}

/** KEY=VALUE (or KEY alone: empty value) list → map. */
export function keyValues(list: string[] | undefined, what: string, valueRequired = false): Record<string, string> {
  const map: Record<string, string> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    if (eq === 0 || (valueRequired && eq < 0)) throw new UsageError(`invalid ${what} "${item}"`, `use --${what} KEY=VALUE`);
    map[eq < 0 ? item : item.slice(0, eq)] = eq < 0 ? '' : item.slice(eq + 1);
  }
  return map;
}

export const volumeCreateCommand: CommandModule<GlobalArgs, VolumeCreateArgs> = {
  command: 'create [name]',
  describe: 'Create a volume',
  builder: (y) =>
    y
      .positional('name', { type: 'string', describe: 'Volume name (default: a random 64-hex name)' })
      .option('driver', { alias: 'd', type: 'string', default: 'local', describe: 'Volume driver name' })
      .option('label', { alias: 'l', type: 'string', array: true, describe: 'Set metadata for a volume (KEY=VALUE)' })
      .option('opt', { alias: 'o', type: 'string', array: true, describe: 'Set driver specific options (type, device, o)' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const { createVolume } = await import('../../../lib/volume/index.js');
    const v = await createVolume(ctx.config, {
      name: args.name === undefined ? undefined : String(args.name),
      driver: args.driver,
      labels: keyValues(args.label, 'label'),
      options: keyValues(args.opt, 'opt', true),
    });
    out(v.name);
  },
};
