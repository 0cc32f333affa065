/**
 * The normal path's argument parser: turns argv into the object a command
 * handler gets, exactly as yargs would, for the plain command lines people
 * type every day (`ps -a`, `run --rm -e A=1 IMG cmd`, `rm -f c`). It reads the
 * option tables of cli/tree.ts (cli/command-spec.ts), so a command added
 * there works here with no extra wiring.
 *
 * It never reports an error itself. Anything it is not certain to read as
 * yargs does (an unknown or repeated flag, a missing value, `--flag=true`,
 * a choice that is not one, `-t0`, --help…) makes it return undefined, and
 * the entry point hands the command line to yargs, which then prints its
 * usual message. Loading yargs costs ~55 ms, so only those lines pay it.
 * cli/quick-parse.test.ts checks the result against yargs' own.
 */
import type { OptionSpec, CommandSpec } from './command-spec.js';
import { GLOBAL_OPTIONS } from './global-options.js';

export type ParsedArgs = Record<string, unknown> & { _: string[]; $0: string };

const GLOBALS = new Map<string, OptionSpec>(
  Object.entries(GLOBAL_OPTIONS).map(([key, o]) => [key, { names: [key], type: 'string', array: false, choices: o.choices as unknown[] | undefined, default: o.default }]),
);

/** yargs' key for a name: camelCase, since `strip-dashed` drops the dashed ones. */
function keyOf(name: string): string {
  return name.includes('-') ? name.replace(/-+([^-])/g, (_m, c: string) => c.toUpperCase()) : name;
}

/** A number as yargs-parser reads one; anything else (`010`, `1e3`, `abc`) is left to yargs. */
const PLAIN_NUMBER = /^(0|[1-9]\d*)(\.\d+)?$/;

/** yargs' looksLikeNumber. */
function looksLikeNumber(x: string): boolean {
  if (/^0x[0-9a-f]+$/i.test(x)) return true;
  if (/^0[^.]/.test(x)) return false;
  return /^[-]?(?:\d+(?:\.\d*)?|\.\d+)(e[-+]?\d+)?$/.test(x);
}

/** yargs turns the words after `--` that look like numbers into numbers (handlers String() them back). */
function numberish(x: string): string | number {
  return looksLikeNumber(x) && Number.isSafeInteger(Math.floor(parseFloat(x))) ? Number(x) : x;
}

/**
 * The command words at the front of argv (`['container', 'ls']`), skipping
 * global options. Undefined when another option comes first.
 */
export function leadingWords(argv: string[], max: number): string[] | undefined {
  const words: string[] = [];
  for (let i = 0; i < argv.length && words.length < max; i++) {
    const a = argv[i];
    if (a === '--') break;
    if (!a.startsWith('-')) {
      words.push(a);
      continue;
    }
    const name = a.replace(/^--/, '').split('=')[0];
    if (!a.startsWith('--') || !GLOBALS.has(name)) return words.length ? words : undefined;
    if (!a.includes('=')) i++;
  }
  return words;
}

/**
 * Parses argv for the command at `path` (its words as typed, e.g.
 * `['container', 'list']`), or returns undefined for yargs to do it.
 */
export function quickParse(argv: string[], path: string[], spec: CommandSpec): ParsedArgs | undefined {
  if (!spec.plain) return undefined;
  const args: ParsedArgs = { _: [...path], $0: 'tote' };
  const given = new Set<OptionSpec>();
  const positionals: string[] = [];
  let pathLeft = path.length;
  let i = 0;

  const lookup = (name: string) => (pathLeft === 0 ? (spec.options.get(name) ?? GLOBALS.get(name)) : GLOBALS.get(name));
  const set = (opt: OptionSpec, raw: string | boolean): boolean => {
    let value: unknown = raw;
    if (opt.type === 'number') {
      if (typeof raw === 'boolean' || !PLAIN_NUMBER.test(raw)) return false;
      value = Number(raw);
    }
    if (opt.choices && !opt.choices.includes(value)) return false;
    if (given.has(opt) && !opt.array) return false; // yargs would make an array of the repeats
    given.add(opt);
    for (const n of opt.names) {
      const k = keyOf(n);
      args[k] = opt.array ? [...((args[k] as unknown[] | undefined) ?? []), value] : value;
    }
    return true;
  };
  /** The value of a flag that takes one, from `=` or the next word; undefined for yargs to decide. */
  const valueOf = (inline: string | undefined): string | undefined => {
    if (inline !== undefined) return /^['"]/.test(inline) ? undefined : inline; // yargs strips quotes here
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('-')) return undefined;
    i++;
    return next;
  };
  /** One flag; false when yargs should read the line instead. */
  const flag = (opt: OptionSpec | undefined, inline: string | undefined): boolean => {
    if (!opt) return false;
    if (opt.type === 'boolean') {
      // `--tls-verify=false` is read here; other inline values and `--rm false` are yargs' to read.
      if (inline === 'true' || inline === 'false') return set(opt, inline === 'true');
      if (inline !== undefined || /^(true|false)$/.test(argv[i + 1] ?? '')) return false;
      return set(opt, true);
    }
    const v = valueOf(inline);
    return v !== undefined && set(opt, v);
  };

  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      if (i + 1 < argv.length) args['--'] = argv.slice(i + 1).map(numberish);
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      if (!flag(lookup(name), eq < 0 ? undefined : a.slice(eq + 1))) return undefined;
    } else if (a.startsWith('-') && a !== '-') {
      // A cluster of letters (-it, -an 3): all but the last are booleans.
      const letters = a.slice(1);
      if (!/^[A-Za-z]+$/.test(letters)) return undefined;
      for (let k = 0; k < letters.length; k++) {
        const opt = lookup(letters[k]);
        if (k < letters.length - 1 && opt?.type !== 'boolean') return undefined;
        if (!flag(opt, undefined)) return undefined;
      }
    } else if (pathLeft > 0) {
      if (a !== path[path.length - pathLeft]) return undefined;
      pathLeft--;
    } else {
      if (a === '-') return undefined;
      positionals.push(a);
    }
  }
  if (pathLeft > 0) return undefined;

  for (const p of spec.positionals) {
    const values = p.variadic ? positionals.splice(0) : positionals.splice(0, 1);
    if (values.length === 0) {
      if (p.demanded) return undefined;
      const fallback = p.variadic ? (p.default ?? []) : p.default;
      if (fallback !== undefined) args[keyOf(p.name)] = fallback;
      continue;
    }
    // yargs re-reads positionals with their declared type: only strings are plain.
    if (p.type !== 'string' || (p.choices && values.some((v) => !p.choices!.includes(v)))) return undefined;
    args[keyOf(p.name)] = p.variadic ? values : values[0];
  }
  if (positionals.length > 0) return undefined; // strict: yargs refuses the extra words

  for (const opt of [...new Set([...spec.options.values(), ...GLOBALS.values()])]) {
    if (given.has(opt) || opt.default === undefined) continue;
    for (const n of opt.names) args[keyOf(n)] = opt.default;
  }
  return args;
}
