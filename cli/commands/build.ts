/** `tote build [OPTIONS] CONTEXT`: docker's classic builder output. */
import { Writable } from 'node:stream';
import type { CommandModule } from 'yargs';
import { UsageError } from '../../lib/errors/index.js';
import { makeContext, type GlobalArgs } from '../context.js';
import { out } from '../output.js';

interface BuildArgs extends GlobalArgs {
  context: string;
  tag?: string[];
  file?: string;
  quiet?: boolean;
  iidfile?: string;
  label?: string[];
  buildArg?: string[];
  target?: string;
  noCache?: boolean;
  pull?: boolean;
  network?: string;
  platform?: string;
  rm?: boolean;
  forceRm?: boolean;
}

function keyValues(list: string[] | undefined, what: string, hostEnv?: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  const r: Record<string, string | undefined> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    if (eq === 0) throw new UsageError(`invalid ${what} "${item}": the name is empty`);
    if (eq < 0) r[item] = hostEnv ? hostEnv[item] : '';
    else r[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return r;
}

const discard = () => new Writable({ write: (_c, _e, cb) => cb() });

export const buildCommand: CommandModule<GlobalArgs, BuildArgs> = {
  command: 'build <context>',
  describe: 'Build an image from a Dockerfile',
  builder: (y) =>
    y
      .positional('context', { type: 'string', demandOption: true, describe: 'Build context: a directory, or - for a tar (or a lone Dockerfile) on standard input' })
      .option('tag', { alias: 't', type: 'string', array: true, describe: 'Name and optionally a tag (name:tag); may be given several times' })
      .option('file', { alias: 'f', type: 'string', describe: 'Name of the Dockerfile (default: CONTEXT/Dockerfile; - for standard input)' })
      .option('quiet', { alias: 'q', type: 'boolean', describe: 'Suppress the build output and print the image ID on success' })
      .option('iidfile', { type: 'string', describe: 'Write the image ID to the file' })
      .option('label', { type: 'string', array: true, describe: 'Set metadata for an image (KEY=VALUE)' })
      .option('build-arg', { type: 'string', array: true, describe: 'Set build-time variables (KEY=VALUE, or KEY to take the host\'s value)' })
      .option('target', { type: 'string', describe: 'Set the target build stage to build' })
      .option('no-cache', { type: 'boolean', describe: 'Do not use the cache when building the image' })
      .option('pull', { type: 'boolean', describe: 'Always attempt to pull a newer version of the base images' })
      .option('network', { type: 'string', describe: 'Networking mode for the RUN instructions' })
      .option('platform', { type: 'string', describe: 'Set the platform (only the local one is built)' })
      .option('rm', { type: 'boolean', default: true, describe: 'Remove intermediate containers after a successful build (always done)' })
      .option('force-rm', { type: 'boolean', describe: 'Always remove intermediate containers (always done)' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const { buildImage, prepareBuildInput } = await import('../../lib/build/index.js');
    const context = args.context === '' ? '-' : String(args.context);
    const file = args.file === '' ? '-' : args.file;
    const input = await prepareBuildInput(ctx.config, { context, file, stdin: process.stdin });
    try {
      const quiet = Boolean(args.quiet);
      const id = await buildImage(ctx.config, await ctx.plan(), {
        contextDir: input.contextDir,
        dockerfile: input.dockerfile,
        tags: (args.tag ?? []).map(String),
        labels: keyValues(args.label, 'label') as Record<string, string>,
        buildArgs: keyValues(args.buildArg, 'build-arg', ctx.config.hostEnv),
        target: args.target,
        noCache: args.noCache,
        pull: args.pull,
        network: args.network,
        iidfile: args.iidfile,
        output: quiet ? { line: () => undefined, stdout: discard(), stderr: discard() } : { line: (l) => out(l), stdout: process.stdout, stderr: process.stderr },
        reporter: ctx.reporter,
      });
      if (quiet) out('sha256:' + id);
    } finally {
      await input.cleanup();
    }
  },
};
