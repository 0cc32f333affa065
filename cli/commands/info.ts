/** `tote info` / `tote system info`. */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';
import { out } from '../output.js';

interface InfoArgs extends GlobalArgs {
  format?: string;
}

/** A small YAML-like rendering, as podman prints info. */
function render(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return ' []\n';
    return '\n' + value.map((v) => (typeof v === 'object' && v !== null ? `${indent}- ${render(v, indent + '  ').trimStart()}` : `${indent}- ${v}\n`)).join('');
  }
  if (typeof value === 'object' && value !== null) {
    return '\n' + Object.entries(value).map(([k, v]) => `${indent}${k}:${typeof v === 'object' && v !== null ? render(v, indent + '  ') : ` ${v}\n`}`).join('');
  }
  return ` ${value}\n`;
}

export const infoCommand: CommandModule<GlobalArgs, InfoArgs> = {
  command: 'info',
  describe: 'Display tote system information',
  builder: (y) => y.option('format', { alias: 'f', type: 'string', describe: 'Format the output using a Go template, or json' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const [{ collectInfo }, fmt] = await Promise.all([import('../../lib/info/index.js'), import('../../lib/format/index.js')]);
    const info = await collectInfo(ctx.config, await ctx.plan());
    if (args.format === 'json') out(JSON.stringify(info, null, 2));
    else if (args.format) out(fmt.compileTemplate(args.format)(info));
    else process.stdout.write(render(info).replace(/^\n/, ''));
  },
};
