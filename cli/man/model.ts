/**
 * Reads the command tree's documentation out of the very parser that prints
 * `--help`: for each command path we build `buildParser([...path, '--help'])`,
 * let yargs run the builders and render its help, and snapshot the parser's
 * option tables at the moment the help text is rendered. The man pages are
 * rendered from these snapshots, so they cannot drift from `--help`.
 *
 * yargs' typings do not describe its introspection methods, hence the small
 * structural interfaces below (checked against yargs 18's build/lib/usage.js).
 */
import { NOUNS, TOP_LEVEL, type AnyCommand } from '../tree.js';
import { buildParser } from '../yargs-tree.js';

interface YargsOptionTables {
  key: Record<string, boolean>;
  alias: Record<string, string[] | undefined>;
  boolean: string[];
  count: string[];
  string: string[];
  normalize: string[];
  array: string[];
  number: string[];
  choices: Record<string, unknown[] | undefined>;
  default: Record<string, unknown>;
  defaultDescription: Record<string, string | undefined>;
  hiddenOptions: string[];
}

interface UsageInstance {
  help(): string;
  getDescriptions(): Record<string, string | undefined>;
  getPositionalGroupName(): string;
  getUsage(): [string, string?][];
}

interface IntrospectableYargs {
  getOptions(): YargsOptionTables;
  getDemandedOptions(): Record<string, unknown>;
  getDeprecatedOptions(): Record<string, unknown>;
  getGroups(): Record<string, string[]>;
  getInternalMethods(): { getUsageInstance(): UsageInstance };
  parsed: false | { newAliases?: Record<string, boolean> };
  exitProcess(enabled: boolean): IntrospectableYargs;
  parse(args: string[], context: object, callback: (err: unknown, argv: unknown, output: string) => void): unknown;
}

/** One option or positional, as `--help` shows it. */
export interface OptionDoc {
  key: string;
  /** Every name including `key`, bare (`e`, `env`). */
  names: string[];
  /** The switches as `--help` prints them: short ones first (`-e`, `--env`). */
  switches: string[];
  describe: string;
  /** yargs' type tag (`boolean`, `string`, `array`, …) or undefined. */
  type?: string;
  required: boolean;
  deprecated?: string | true;
  choices?: unknown[];
  /** The default as `--help` prints it (`"warn"`, `[]`), if any. */
  defaultText?: string;
  /** The bracketed extras exactly as `--help` prints them: `[string] [default: "all"]`. */
  extras: string;
}

/** What `tote PATH --help` shows, captured as data. */
export interface HelpDoc {
  /** The help text itself (for tests). */
  text: string;
  /** Usage line with `$0` replaced (`tote run [options] <image> [command..]`). */
  usage: string;
  describe: string;
  positionals: OptionDoc[];
  options: OptionDoc[];
}

const DEFERRED_Y18N = '__yargsString__:';

function describeText(raw: string | undefined): string {
  if (!raw) return '';
  return raw.startsWith(DEFERRED_Y18N) ? raw.slice(DEFERRED_Y18N.length) : raw;
}

function defaultText(value: unknown, description: string | undefined): string | undefined {
  if (description) return description;
  if (value === undefined) return undefined;
  if (typeof value === 'string') return `"${value}"`;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Mirrors yargs' usage.help(): which keys are shown, under which group, with which extras. */
function snapshot(y: IntrospectableYargs, usage: UsageInstance, text: string): HelpDoc {
  const options = y.getOptions();
  const descriptions = usage.getDescriptions();
  const demanded = y.getDemandedOptions();
  const deprecated = y.getDeprecatedOptions();
  const groups = y.getGroups();
  const newAliases = (y.parsed && y.parsed.newAliases) || {};
  const hidden = new Set(options.hiddenOptions);
  const aliasKeys = [...Object.keys(options.alias), ...Object.keys(newAliases)];

  let keys = [...new Set([...Object.keys(descriptions), ...Object.keys(demanded), ...Object.keys(options.default)])];
  keys = keys.filter((k) => k !== '_' && !hidden.has(k));
  keys = keys.filter((k) => !newAliases[k] && aliasKeys.every((a) => !(options.alias[a] ?? []).includes(k)));

  const positionalGroup = usage.getPositionalGroupName();
  const canonical = (k: string): string => {
    if (aliasKeys.includes(k)) return k;
    for (const a of aliasKeys) if ((options.alias[a] ?? []).includes(k)) return a;
    return k;
  };
  const positionalKeys = new Set((groups[positionalGroup] ?? []).map(canonical));

  const doc = (key: string, positional: boolean): OptionDoc => {
    const names = [key, ...(options.alias[key] ?? [])];
    const isLong = (s: string) => s.startsWith('--');
    const switches = positional
      ? names
      : names
          .map((n) => (/^[0-9]$/.test(n) ? (options.boolean.includes(key) ? '-' : '--') : n.length > 1 ? '--' : '-') + n)
          .sort((a, b) => (isLong(a) === isLong(b) ? 0 : isLong(a) ? 1 : -1));
    // Same precedence as yargs: the last matching list wins.
    let type: string | undefined;
    if (options.boolean.includes(key)) type = 'boolean';
    if (options.count.includes(key)) type = 'count';
    if (options.string.includes(key)) type = 'string';
    if (options.normalize.includes(key)) type = 'string';
    if (options.array.includes(key)) type = 'array';
    if (options.number.includes(key)) type = 'number';
    const dep = key in deprecated ? (typeof deprecated[key] === 'string' ? (deprecated[key] as string) : true) : undefined;
    const choices = options.choices[key];
    const dflt = defaultText(options.default[key], options.defaultDescription[key]);
    const required = key in demanded;
    const extras = [
      dep === undefined ? null : dep === true ? '[deprecated]' : `[deprecated: ${dep}]`,
      type ? `[${type}]` : null,
      required ? '[required]' : null,
      choices && choices.length ? `[choices: ${choices.map((c) => JSON.stringify(c)).join(', ')}]` : null,
      dflt === undefined ? null : `[default: ${dflt}]`,
    ]
      .filter(Boolean)
      .join(' ');
    return {
      key,
      names,
      switches,
      describe: describeText(descriptions[key]),
      type,
      required,
      deprecated: dep,
      choices: choices && choices.length ? [...choices] : undefined,
      defaultText: dflt,
      extras,
    };
  };

  // Keep yargs' display order: explicit groups first (Positionals), then the rest.
  const ordered: string[] = [];
  for (const group of Object.keys(groups)) for (const k of groups[group]) ordered.push(canonical(k));
  for (const k of keys) ordered.push(k);
  const seen = new Set<string>();
  const positionals: OptionDoc[] = [];
  const opts: OptionDoc[] = [];
  for (const k of ordered) {
    if (seen.has(k) || hidden.has(k) || !keys.includes(k)) continue;
    seen.add(k);
    if (positionalKeys.has(k)) positionals.push(doc(k, true));
    else opts.push(doc(k, false));
  }

  const [usageLine, describe] = usage.getUsage()[0] ?? ['$0', ''];
  return { text, usage: usageLine.replace(/\$0/g, 'tote'), describe: describe ?? '', positionals, options: opts };
}

/** Runs `tote PATH --help` in-process, without printing, and returns its data. */
export function captureHelp(path: string[]): HelpDoc {
  const argv = [...path, '--help'];
  const parser = buildParser(argv) as unknown as IntrospectableYargs;
  const usage = parser.getInternalMethods().getUsageInstance();
  const original = usage.help;
  const shots: HelpDoc[] = [];
  usage.help = function help(this: UsageInstance): string {
    const text = original.call(this);
    shots.push(snapshot(parser, usage, text));
    return text;
  };
  let output: string | undefined;
  let failure: unknown;
  parser.exitProcess(false).parse(argv, {}, (err, _argv, out) => {
    failure = err;
    output = out;
  });
  if (failure) throw new Error(`tote ${argv.join(' ')} failed: ${String(failure)}`);
  const shot = shots.find((s) => s.text.trim() === (output ?? '').trim());
  if (!shot) throw new Error(`tote ${argv.join(' ')} did not print its help`);
  return shot;
}

/** The name a command is invoked by: the first word of its usage string. */
export function commandName(cmd: AnyCommand): string {
  const usage = Array.isArray(cmd.command) ? String(cmd.command[0]) : String(cmd.command);
  return usage.split(/\s+/)[0];
}

export function commandAliases(cmd: AnyCommand): string[] {
  const fromUsage = Array.isArray(cmd.command) ? cmd.command.slice(1).map((c) => String(c).split(/\s+/)[0]) : [];
  const aliases = cmd.aliases === undefined ? [] : Array.isArray(cmd.aliases) ? cmd.aliases : [cmd.aliases];
  return [...fromUsage, ...aliases.map(String)];
}

/** One man page's worth of command: `tote run` or `tote image ls`. */
export interface CommandPage {
  path: string[];
  aliases: string[];
  definition: AnyCommand;
  help: HelpDoc;
}

export interface NounPage {
  noun: string;
  describe: string;
  verbs: CommandPage[];
  help: HelpDoc;
}

export interface Tree {
  top: HelpDoc;
  commands: CommandPage[];
  nouns: NounPage[];
}

/** Captures every help screen of the command tree. */
export function captureTree(): Tree {
  const commands = TOP_LEVEL.map((c) => ({ path: [commandName(c)], aliases: commandAliases(c), definition: c, help: captureHelp([commandName(c)]) }));
  const nouns = Object.entries(NOUNS).map(([noun, { describe, verbs }]) => ({
    noun,
    describe,
    help: captureHelp([noun]),
    verbs: verbs.filter((v) => v.describe !== false).map((v) => ({ path: [noun, commandName(v)], aliases: commandAliases(v), definition: v, help: captureHelp([noun, commandName(v)]) })),
  }));
  return { top: captureHelp([]), commands, nouns };
}
