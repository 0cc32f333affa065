/** `tote port CONTAINER [PRIVATE_PORT[/PROTO]]` / `tote container port`. */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';
import { out } from '../output.js';

interface PortArgs extends GlobalArgs {
  container: string;
  port?: string;
}

export const portCommand: CommandModule<GlobalArgs, PortArgs> = {
  command: 'port <container> [port]',
  describe: 'List port mappings or a specific mapping for the container',
  builder: (y) =>
    y
      .positional('container', { type: 'string', demandOption: true, describe: 'Container name or id' })
      .positional('port', { type: 'string', describe: 'Private port, optionally with its protocol (80, 53/udp)' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const [{ findContainer }, { portLines }] = await Promise.all([import('../../lib/container/query.js'), import('../../lib/network/ports.js')]);
    const record = await findContainer(ctx.config, String(args.container));
    // docker lists the mappings of a running container only.
    const running = record.status === 'running' || record.status === 'paused';
    const ports = running ? (record.spec.network?.ports ?? []) : [];
    const lines = portLines(ports, record.name, args.port === undefined ? undefined : String(args.port));
    if (lines.length) out(lines.join('\n'));
  },
};
