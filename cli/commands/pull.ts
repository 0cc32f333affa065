/** `tote pull [-q] [--platform P] [--tls-verify] [--creds U:P] NAME[:TAG|@DIGEST]` */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';
import { out } from '../output.js';
import { pullRenderer } from '../pull-progress.js';

interface PullArgs extends GlobalArgs {
  reference: string;
  quiet?: boolean;
  platform?: string;
  tlsVerify?: boolean;
  creds?: string;
  allTags?: boolean;
}

export const pullCommand: CommandModule<GlobalArgs, PullArgs> = {
  command: 'pull <reference>',
  describe: 'Download an image from a registry',
  builder: (y) =>
    y
      .positional('reference', { type: 'string', demandOption: true, describe: 'Image to pull: NAME[:TAG] or NAME@DIGEST' })
      .option('quiet', { alias: 'q', type: 'boolean', describe: 'Suppress verbose output' })
      .option('platform', { type: 'string', describe: 'Pull this platform (os/arch[/variant]) from a multi-platform image' })
      .option('tls-verify', { type: 'boolean', describe: 'Require HTTPS and verify certificates (default true; false also allows plain HTTP)' })
      .option('creds', { type: 'string', describe: 'Credentials (USERNAME[:PASSWORD]) for the registry' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const { pullImage, parseReference } = await import('../../lib/image/index.js');
    const { parseCredsFlag } = await import('../../lib/registry/index.js');
    const explicit = /[:@][^/]*$/.test(args.reference);
    const ref = parseReference(args.reference);
    const render = pullRenderer({ quiet: args.quiet });
    if (!explicit && !args.quiet) out('Using default tag: latest');
    try {
      const result = await pullImage(ctx.config, await ctx.plan(), args.reference, {
        platform: args.platform,
        tlsVerify: args.tlsVerify,
        creds: args.creds !== undefined ? parseCredsFlag(args.creds) : undefined,
        progress: render,
        reporter: ctx.reporter,
      });
      const name = result.reference.tag ? ref.full.replace(/@sha256:.*$/, '') : `${ref.repository}@${result.digest}`;
      out(name);
    } finally {
      render.stop();
    }
  },
};
