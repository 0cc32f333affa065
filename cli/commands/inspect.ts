/** `tote inspect`, `tote image inspect`, `tote container inspect`. */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';
import { err, out } from '../output.js';
import { setExitCode } from '../exit.js';

interface InspectArgs extends GlobalArgs {
  names: string[];
  format?: string;
  type?: 'image' | 'container' | 'all';
}

export function inspectCommand(kind: 'image' | 'container' | 'all'): CommandModule<GlobalArgs, InspectArgs> {
  return {
    command: 'inspect <names..>',
    describe: kind === 'all' ? 'Display detailed information on containers or images' : `Display detailed information on one or more ${kind}s`,
    builder: (y) => {
      const b = y
        .positional('names', { type: 'string', array: true, demandOption: true, describe: 'Names or ids' })
        .option('format', { alias: 'f', type: 'string', describe: 'Format the output using a Go template' });
      return (kind === 'all' ? b.option('type', { type: 'string', choices: ['image', 'container', 'all'], default: 'all', describe: 'Return JSON for the given type' }) : b) as never;
    },
    handler: async (args) => {
      const ctx = makeContext(args);
      // The modules themselves rather than the lib/image and lib/container indexes, which would also load pull and the runtime.
      const [{ resolveImage }, { inspectImage }, containers, errors, fmt] = await Promise.all([
        import('../../lib/image/store.js'),
        import('../../lib/image/inspect.js'),
        import('../../lib/container/query.js'),
        import('../../lib/errors/index.js'),
        import('../../lib/format/index.js'),
      ]);
      const images = { resolveImage, inspectImage };
      const type = kind === 'all' ? (args.type ?? 'all') : kind;
      const results: unknown[] = [];
      let failed = false;
      for (const name of args.names) {
        try {
          if (type !== 'image') {
            try {
              const c = await containers.findContainer(ctx.config, name);
              results.push(await containers.inspectContainer(ctx.config, c));
              continue;
            } catch (e) {
              if (type === 'container' || !(errors.isToteError(e) && e.code === 'E_NO_SUCH_CONTAINER')) throw e;
            }
          }
          const img = await images.resolveImage(ctx.config, name);
          results.push(await images.inspectImage(ctx.config, img));
        } catch (e) {
          failed = true;
          if (errors.isToteError(e) && (e.code === 'E_NO_SUCH_IMAGE' || e.code === 'E_NO_SUCH_CONTAINER')) {
            // docker's wording per kind: "No such image", "No such container", "No such object".
            const what = type === 'image' ? 'image' : type === 'container' ? 'container' : 'object';
            err(`Error: no such ${what}: ${name}`);
          } else err(`Error: ${(e as Error).message}`);
        }
      }
      if (args.format) {
        const render = fmt.compileTemplate(args.format);
        for (const r of results) out(render(r));
      } else {
        out(JSON.stringify(results, null, 4));
      }
      if (failed) setExitCode(125);
    },
  };
}
