/** `tote generate systemd [OPTIONS] CONTAINER...`: systemd units for containers (podman's generate systemd). */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';
import { out } from '../output.js';
import { RUN_VALUE_OPTIONS } from './run.js';

interface GenerateSystemdArgs extends GlobalArgs {
  containers: string[];
  new?: boolean;
  name?: boolean;
  restartPolicy?: string;
  restartSec?: number;
  stopTimeout?: number;
  files?: boolean;
  containerPrefix?: string;
  separator?: string;
  noHeader?: boolean;
}

export const generateSystemdCommand: CommandModule<GlobalArgs, GenerateSystemdArgs> = {
  command: 'systemd <containers..>',
  describe: 'Generate systemd units for containers',
  builder: (y) =>
    y
      .positional('containers', { type: 'string', array: true, describe: 'Containers (name or id) to generate units for' })
      .option('new', { type: 'boolean', describe: 'Create a new container on every start (tote run --rm --replace --sdnotify=conmon), instead of starting the existing one' })
      .option('name', { alias: 'n', type: 'boolean', describe: 'Name the unit after the container\'s name instead of its id' })
      .option('restart-policy', { type: 'string', default: 'on-failure', choices: ['no', 'on-success', 'on-failure', 'on-abnormal', 'on-watchdog', 'on-abort', 'always'], describe: 'systemd restart policy (Restart=)' })
      .option('restart-sec', { type: 'number', describe: 'Seconds systemd waits before restarting the service (RestartSec=)' })
      .option('stop-timeout', { alias: 't', type: 'number', describe: 'Seconds `tote stop` waits before killing the container (default: its stop timeout, else 10)' })
      .option('files', { alias: 'f', type: 'boolean', describe: 'Write the units to files in the current directory instead of stdout' })
      .option('container-prefix', { type: 'string', default: 'container', describe: 'Unit name prefix' })
      .option('separator', { type: 'string', default: '-', describe: 'Separator between the prefix and the name or id' })
      .option('no-header', { type: 'boolean', describe: 'Leave out the header comment' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const [{ findContainer }, systemd] = await Promise.all([import('../../lib/container/index.js'), import('../../lib/systemd/index.js')]);
    // The unit's commands must reach the same store as this invocation.
    const globals = [
      ...(args.root ? ['--root', ctx.config.dataDir] : []),
      ...(args.runroot ? ['--runroot', ctx.config.runDir] : []),
      ...(args.runtime ? ['--runtime', args.runtime] : []),
      ...(args.storageDriver ? ['--storage-driver', args.storageDriver] : []),
    ];
    const units = [];
    for (const c of args.containers) {
      const record = await findContainer(ctx.config, String(c));
      units.push(
        await systemd.generateSystemd(ctx.config, record, {
          new: args.new,
          useName: args.name,
          restartPolicy: args.restartPolicy,
          restartSec: args.restartSec,
          stopTimeout: args.stopTimeout,
          containerPrefix: args.containerPrefix,
          separator: args.separator,
          noHeader: args.noHeader,
          globals,
          runValueOptions: RUN_VALUE_OPTIONS,
        }),
      );
    }
    if (args.files) {
      for (const f of await systemd.writeUnitFiles(process.cwd(), units)) out(f);
      return;
    }
    out(units.map((u) => u.text).join('\n'));
  },
};
