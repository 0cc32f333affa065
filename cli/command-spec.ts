/**
 * A command's options and positionals as plain data, read from its own
 * definition: the usage string (`rm [containers..]`) and the yargs builder,
 * which is run against a recorder instead of yargs. The quick parser
 * (cli/quick-parse.ts) works from this, so cli/tree.ts stays the one place
 * that says which commands and flags exist.
 */
import type { Options, PositionalOptions } from 'yargs';
import type { AnyCommand } from './command.js';

export interface OptionSpec {
  /** Every name: the key first, then its aliases (`all`, `a`). */
  names: string[];
  type: 'boolean' | 'string' | 'number';
  array: boolean;
  choices?: unknown[];
  default?: unknown;
}

export interface PositionalSpec {
  name: string;
  variadic: boolean;
  /** `<name>` in the usage string, or demandOption. */
  demanded: boolean;
  /** From .positional(); undefined when the usage string names it but no .positional() describes it. */
  type?: string;
  choices?: unknown[];
  default?: unknown;
}

export interface CommandSpec {
  /** False when the builder uses anything beyond plain options and positionals: such commands always go through yargs. */
  plain: boolean;
  /** The name then the aliases the command answers to. */
  names: string[];
  options: Map<string, OptionSpec>;
  /** In yargs' filling order: `<demanded>` ones first, then `[optional]` ones. */
  positionals: PositionalSpec[];
}

// Option settings whose meaning the quick parser reproduces; any other
// (coerce, count, nargs, implies…) sends the command to yargs.
const PLAIN_OPTION_KEYS = new Set(['type', 'alias', 'describe', 'description', 'desc', 'default', 'choices', 'array', 'hidden', 'group', 'defaultDescription', 'deprecated', 'global']);
const PLAIN_POSITIONAL_KEYS = new Set(['type', 'array', 'describe', 'description', 'desc', 'default', 'choices', 'demandOption']);

/** yargs' parseCommand: `run [options] <image> [command..]` → name and positionals. */
export function parseUsage(usage: string): { name: string; demanded: { name: string; variadic: boolean }[]; optional: { name: string; variadic: boolean }[] } {
  const words = usage.replace(/\s{2,}/g, ' ').split(/\s+(?![^[]*]|[^<]*>)/);
  const strip = (w: string) => w.replace(/\.*[\][<>]/g, '');
  const out = { name: strip(words[0] ?? ''), demanded: [] as { name: string; variadic: boolean }[], optional: [] as { name: string; variadic: boolean }[] };
  words.slice(1).forEach((w, i, rest) => {
    const p = { name: strip(w.replace(/\s/g, '')), variadic: /\.+[\]>]/.test(w) && i === rest.length - 1 };
    (w.startsWith('[') ? out.optional : out.demanded).push(p);
  });
  return out;
}

interface Recorded {
  plain: boolean;
  options: Record<string, Options>;
  positionals: Record<string, PositionalOptions>;
}

/** Runs a builder against a stand-in for yargs that only writes down what it is told. */
function record(builder: AnyCommand['builder']): Recorded {
  const r: Recorded = { plain: true, options: {}, positionals: {} };
  if (builder === undefined) return r;
  if (typeof builder !== 'function') {
    Object.assign(r.options, builder);
    return r;
  }
  const methods: Record<string, (...a: unknown[]) => unknown> = {
    option: (name, o) => ((r.options[name as string] = { ...r.options[name as string], ...(o as Options) }), stub),
    options: (table) => {
      for (const [name, o] of Object.entries(table as Record<string, Options>)) r.options[name] = { ...r.options[name], ...o };
      return stub;
    },
    positional: (name, o) => ((r.positionals[name as string] = o as PositionalOptions), stub),
  };
  const stub: unknown = new Proxy(
    {},
    {
      get: (_t, prop) =>
        typeof prop === 'string' && prop in methods
          ? methods[prop]
          : () => {
              r.plain = false;
              return stub;
            },
    },
  );
  (builder as (y: unknown) => unknown)(stub);
  return r;
}

function typeOf(o: Options): OptionSpec['type'] | undefined {
  const t = o.type ?? (o.boolean ? 'boolean' : o.string ? 'string' : o.number ? 'number' : undefined);
  return t === 'boolean' || t === 'string' || t === 'number' ? t : undefined;
}

function buildSpec(cmd: AnyCommand): CommandSpec {
  const usage = parseUsage(String(cmd.command));
  const rec = record(cmd.builder);
  let plain = rec.plain;
  const options = new Map<string, OptionSpec>();
  for (const [key, o] of Object.entries(rec.options)) {
    const type = typeOf(o);
    if (!type || Object.keys(o).some((k) => !PLAIN_OPTION_KEYS.has(k))) plain = false;
    const alias = o.alias === undefined ? [] : Array.isArray(o.alias) ? o.alias : [o.alias];
    const spec: OptionSpec = { names: [key, ...alias], type: type ?? 'string', array: Boolean(o.array), choices: o.choices as unknown[] | undefined, default: o.default };
    for (const n of spec.names) options.set(n, spec);
  }
  const positionals: PositionalSpec[] = [...usage.demanded.map((p) => ({ ...p, demanded: true })), ...usage.optional.map((p) => ({ ...p, demanded: false }))].map((p) => {
    const o = rec.positionals[p.name];
    if (o && Object.keys(o).some((k) => !PLAIN_POSITIONAL_KEYS.has(k))) plain = false;
    return { ...p, demanded: p.demanded || Boolean(o?.demandOption), type: o?.type, choices: o?.choices as unknown[] | undefined, default: o?.default };
  });
  const aliases = cmd.aliases === undefined ? [] : Array.isArray(cmd.aliases) ? cmd.aliases : [cmd.aliases];
  return { plain, names: [usage.name, ...aliases], options, positionals };
}

const cache = new WeakMap<AnyCommand, CommandSpec>();

export function commandSpec(cmd: AnyCommand): CommandSpec {
  let spec = cache.get(cmd);
  if (!spec) cache.set(cmd, (spec = buildSpec(cmd)));
  return spec;
}
