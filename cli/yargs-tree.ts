/**
 * The whole command tree as one yargs parser: for --help, completion, the
 * man pages, and every command line the quick parser (cli/quick-parse.ts)
 * hands over, so that errors keep yargs' wording.
 */
import type { Argv } from 'yargs';
import { baseParser, withoutHelpCache } from './parser.js';
import type { GlobalArgs } from './context.js';
import { NOUNS, TOP_LEVEL, type AnyCommand } from './tree.js';

/** `wrap` lets a test see the arguments a handler would get. */
export function buildParser(argv: string[], wrap: (c: AnyCommand) => AnyCommand = (c) => c): Argv<GlobalArgs> {
  let parser = baseParser(argv);
  for (const c of TOP_LEVEL) parser = parser.command(wrap(c));
  for (const [noun, { describe, verbs }] of Object.entries(NOUNS)) {
    parser = parser.command(noun, describe, (y) => {
      let sub = y as Argv<GlobalArgs>;
      for (const v of verbs) sub = sub.command(wrap(v));
      return sub.demandCommand(1, `missing subcommand: try \`tote ${noun} --help\``);
    });
  }
  return withoutHelpCache(parser);
}
