/** `tote push [--tls-verify] [--creds] [--digestfile F] IMAGE [DESTINATION]` */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';
import { out } from '../output.js';

interface PushArgs extends GlobalArgs {
  image: string;
  destination?: string;
  quiet?: boolean;
  tlsVerify?: boolean;
  creds?: string;
  digestfile?: string;
  format?: string;
}

export const pushCommand: CommandModule<GlobalArgs, PushArgs> = {
  command: 'push <image> [destination]',
  describe: 'Upload an image to a registry',
  builder: (y) =>
    y
      .positional('image', { type: 'string', demandOption: true, describe: 'Local image: NAME[:TAG] or ID' })
      .positional('destination', { type: 'string', describe: 'Where to push (default: the image name)' })
      .option('quiet', { alias: 'q', type: 'boolean', describe: 'Suppress verbose output' })
      .option('tls-verify', { type: 'boolean', describe: 'Require HTTPS and verify certificates (default true; false also allows plain HTTP)' })
      .option('creds', { type: 'string', describe: 'Credentials (USERNAME[:PASSWORD]) for the registry' })
      .option('digestfile', { type: 'string', describe: 'Write the digest of the pushed manifest to this file' })
      .option('format', { alias: 'f', type: 'string', choices: ['oci', 'v2s2', 'docker'], describe: 'Manifest type (oci or v2s2; default: the image\'s)' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const { pushImage } = await import('../../lib/image/index.js');
    const { parseCredsFlag } = await import('../../lib/registry/index.js');
    const seen = new Map<string, string>();
    const result = await pushImage(ctx.config, args.image, args.destination, {
      tlsVerify: args.tlsVerify,
      creds: args.creds !== undefined ? parseCredsFlag(args.creds) : undefined,
      digestFile: args.digestfile,
      format: args.format === 'docker' ? 'v2s2' : (args.format as 'oci' | 'v2s2' | undefined),
      reporter: ctx.reporter,
      progress: {
        event(e) {
          if (args.quiet) return;
          if (e.type === 'start') out(`The push refers to repository [${e.repository}]`);
          else if (e.type === 'layer') {
            if (seen.get(e.id) === e.status || e.status === 'Waiting') return;
            seen.set(e.id, e.status);
            out(`${e.id}: ${e.status}${e.from ? ` from ${e.from}` : ''}`);
          } else if (e.type === 'done') out(`${e.tag}: digest: ${e.digest} size: ${e.size}`);
        },
      },
    });
    if (args.quiet) out(result.digest);
  },
};
