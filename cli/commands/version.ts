/** `tote version`. */
import type { CommandModule } from 'yargs';
import { type GlobalArgs } from '../context.js';
import { out } from '../output.js';
import { TOTE_VERSION } from '../../lib/config/version.js';

interface VersionArgs extends GlobalArgs {
  format?: string;
}

export const versionCommand: CommandModule<GlobalArgs, VersionArgs> = {
  command: 'version',
  describe: 'Display the tote version information',
  builder: (y) => y.option('format', { alias: 'f', type: 'string', describe: 'Format the output using a Go template, or json' }) as never,
  handler: async (args) => {
    const info = {
      Client: { Version: TOTE_VERSION, APIVersion: TOTE_VERSION, GoVersion: `node ${process.version}`, OsArch: `linux/${process.arch === 'x64' ? 'amd64' : process.arch}` },
    };
    if (args.format === 'json') return out(JSON.stringify(info));
    if (args.format) {
      const { compileTemplate } = await import('../../lib/format/index.js');
      return out(compileTemplate(args.format)(info));
    }
    out(`Version:      ${info.Client.Version}\nAPI Version:  ${info.Client.APIVersion}\nNode Version: ${process.version}\nOS/Arch:      ${info.Client.OsArch}`);
  },
};
