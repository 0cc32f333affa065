/**
 * Which definition a command line names, for the quick parser: the frequent
 * commands load just their own module (cli/fast.ts), the rest the command
 * tree, which names every command and noun.
 */
import type { AnyCommand } from './command.js';
import { commandSpec, type CommandSpec } from './command-spec.js';
import { FAST } from './fast.js';

export interface FoundCommand {
  /** The words as typed (`container list`). */
  path: string[];
  command: AnyCommand;
  spec: CommandSpec;
}

function named(list: AnyCommand[], word: string): AnyCommand | undefined {
  return list.find((c) => commandSpec(c).names.includes(word));
}

export async function findCommand(words: string[]): Promise<FoundCommand | undefined> {
  const [first, second] = words;
  if (first === undefined) return undefined;
  const load = FAST[first];
  const found = (path: string[], command: AnyCommand | undefined) => (command ? { path, command, spec: commandSpec(command) } : undefined);
  if (load) return found([first], await load());
  const { TOP_LEVEL, NOUNS } = await import('./tree.js');
  const top = named(TOP_LEVEL, first);
  if (top) return found([first], top);
  const noun = NOUNS[first];
  if (!noun || second === undefined) return undefined;
  return found([first, second], named(noun.verbs, second));
}
