/** `tote network ls|inspect|create|rm`: docker's network noun, for the built-in networks. */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';
import { out, err } from '../output.js';
import { setExitCode } from '../exit.js';

interface LsArgs extends GlobalArgs {
  quiet?: boolean;
  noTrunc?: boolean;
  format?: string;
}

const HEADERS: Record<string, string> = { ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE' };

export const networkLsCommand: CommandModule<GlobalArgs, LsArgs> = {
  command: 'ls',
  aliases: ['list'],
  describe: 'List networks',
  builder: (y) =>
    y
      .option('quiet', { alias: 'q', type: 'boolean', describe: 'Only display network IDs' })
      .option('no-trunc', { type: 'boolean', describe: 'Do not truncate the output' })
      .option('format', { type: 'string', describe: 'Format output using a Go template, "table …" or "json"' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const [{ builtinNetworks }, fmt] = await Promise.all([import('../../lib/network/index.js'), import('../../lib/format/index.js')]);
    const rows = builtinNetworks(ctx.config).map((n) => ({ ...n, ID: args.noTrunc ? n.Id : n.Id.slice(0, 12) }));
    if (args.quiet) return rows.forEach((r) => out(r.ID));
    if (args.format) return void process.stdout.write(fmt.renderFormatted(args.format, rows, HEADERS));
    process.stdout.write(fmt.renderTable(['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE'], rows.map((r) => [r.ID, r.Name, r.Driver, r.Scope])));
  },
};

interface InspectArgs extends GlobalArgs {
  names: string[];
  format?: string;
}

export const networkInspectCommand: CommandModule<GlobalArgs, InspectArgs> = {
  command: 'inspect <names..>',
  describe: 'Display detailed information on one or more networks',
  builder: (y) =>
    y
      .positional('names', { type: 'string', array: true, demandOption: true, describe: 'Network names or ids' })
      .option('format', { alias: 'f', type: 'string', describe: 'Format the output using a Go template' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const [{ builtinNetworks }, fmt] = await Promise.all([import('../../lib/network/index.js'), import('../../lib/format/index.js')]);
    const all = builtinNetworks(ctx.config);
    const found: unknown[] = [];
    for (const name of args.names) {
      const n = all.find((x) => x.Name === name || x.Id.startsWith(name));
      if (!n) {
        err(`Error: network ${name} not found`);
        setExitCode(1);
        continue;
      }
      found.push({ Name: n.Name, Id: n.Id, Driver: n.Driver, Scope: n.Scope, Internal: n.Name === 'none', Options: n.Program ? { program: n.Program } : {}, Labels: {} });
    }
    if (args.format) for (const f of found) out(fmt.compileTemplate(args.format)(f));
    else out(JSON.stringify(found, null, 4));
  },
};

interface NameArgs extends GlobalArgs {
  names?: string[];
}

/** create/rm/connect/disconnect: there are no user-defined networks to manage. */
function unsupported(verb: string, describe: string): CommandModule<GlobalArgs, NameArgs> {
  return {
    command: `${verb} [names..]`,
    describe,
    builder: (y) => y.positional('names', { type: 'string', array: true, describe: 'Network (and container) names' }) as never,
    handler: async () => {
      const { ToteError } = await import('../../lib/errors/index.js');
      throw new ToteError('E_NETWORK_UNSUPPORTED', `network ${verb}: user-defined networks are not supported: every container gets its own network namespace from pasta or slirp4netns`, {
        hint: 'publish ports with -p, reach the host as host.containers.internal, or share a network with --network container:NAME',
      });
    },
  };
}

export const networkVerbs = [
  networkLsCommand,
  networkInspectCommand,
  unsupported('create', 'Create a network (not supported: see tote-network-ls(1))'),
  unsupported('rm', 'Remove a network (not supported)'),
  unsupported('connect', 'Connect a container to a network (not supported)'),
  unsupported('disconnect', 'Disconnect a container from a network (not supported)'),
];
