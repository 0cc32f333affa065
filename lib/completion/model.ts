/**
 * The completion model: what a completion script needs to know about the
 * command tree (paths, flags, which flags take values, choices, which names
 * a positional takes), derived once from the tree the CLI captures from its
 * own parser, so completion cannot drift from `--help`.
 */

/** One switch group as `--help` shows it (the CLI's OptionDoc has this shape). */
export interface OptionInfo {
  key: string;
  /** `-e`, `--env`. */
  switches: string[];
  /** yargs' type tag: `boolean` and `count` take no value. */
  type?: string;
  choices?: unknown[];
}

export interface HelpInfo {
  describe: string;
  options: OptionInfo[];
  positionals: OptionInfo[];
}

export interface CommandInfo {
  /** `['run']`, `['image', 'ls']`. */
  path: string[];
  aliases: string[];
  help: HelpInfo;
}

/** The command tree, as the CLI captures it from its parser. */
export interface CommandTree {
  top: { options: OptionInfo[] };
  commands: CommandInfo[];
  nouns: Array<{ noun: string; describe: string; verbs: CommandInfo[] }>;
}

/** The kinds of names completed from the store at completion time. */
export type NameKind = 'containers' | 'images' | 'volumes' | 'networks' | 'objects';

/** What the script knows about one command path ("run", "image ls"). */
export interface CommandSpec {
  path: string;
  describe: string;
  /** Every switch: -e, --env. */
  flags: string[];
  /** Switches that take a value. */
  valueFlags: string[];
  choices: Record<string, string[]>;
  /** Kind of names for the first positional, and whether more follow (`rm a b c`). */
  positional?: NameKind;
  repeat: boolean;
}

export interface Named {
  name: string;
  describe: string;
}

export interface CompletionModel {
  /** Top-level commands and nouns. */
  top: Named[];
  /** Each noun's verbs, aliases included. */
  nouns: Record<string, Named[]>;
  globalFlags: string[];
  globalValueFlags: string[];
  globalChoices: Record<string, string[]>;
  commands: CommandSpec[];
}

/** The names a positional takes, guessed from its key (`container`, `images`, `source`, …). */
function kindOf(name: string): NameKind | undefined {
  if (name.startsWith('container')) return 'containers';
  if (name.startsWith('image') || name === 'source') return 'images';
  if (name.startsWith('volume')) return 'volumes';
  if (name.startsWith('network')) return 'networks';
  if (name === 'names') return 'objects';
  return undefined;
}

/** Each switch of an option with choices, mapped to those choices as strings. */
function choicesBySwitch(options: OptionInfo[]): Record<string, string[]> {
  return Object.fromEntries(options.filter((o) => o.choices).flatMap((o) => o.switches.map((s) => [s, (o.choices ?? []).map(String)])));
}

export function buildCompletionModel(tree: CommandTree): CompletionModel {
  const globalNames = new Set(tree.top.options.map((o) => o.key));
  const spec = (path: string[], help: HelpInfo): CommandSpec => {
    // Global flags are completed once, before the command, not under every command.
    const options = help.options.filter((o) => !globalNames.has(o.key) || path.length === 0);
    const first = help.positionals[0];
    return {
      path: path.join(' '),
      describe: help.describe,
      flags: options.flatMap((o) => o.switches),
      valueFlags: options.filter((o) => o.type !== 'boolean' && o.type !== 'count').flatMap((o) => o.switches),
      choices: choicesBySwitch(options),
      positional: first ? kindOf(first.key) : undefined,
      repeat: first?.type === 'array' && help.positionals.length === 1,
    };
  };
  const commands = [...tree.commands.map((c) => spec(c.path, c.help)), ...tree.nouns.flatMap((n) => n.verbs.map((v) => spec(v.path, v.help)))];
  return {
    top: [...tree.commands.map((c) => ({ name: c.path[0], describe: c.help.describe })), ...tree.nouns.map((n) => ({ name: n.noun, describe: n.describe }))],
    nouns: Object.fromEntries(tree.nouns.map((n) => [n.noun, n.verbs.flatMap((v) => [v.path[1], ...v.aliases].map((name) => ({ name, describe: v.help.describe })))])),
    globalFlags: tree.top.options.flatMap((o) => o.switches),
    globalValueFlags: tree.top.options.filter((o) => o.type !== 'boolean').flatMap((o) => o.switches),
    globalChoices: choicesBySwitch(tree.top.options),
    commands,
  };
}
