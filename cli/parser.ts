/**
 * The yargs parser with tote's global options and settings, without any
 * command: the full tree (cli/tree.ts) and the one-command fast path
 * (cli/fast.ts) both start from it.
 */
import yargs, { type Argv } from 'yargs';
import { TOTE_VERSION } from '../lib/config/version.js';
import { UsageError } from '../lib/errors/index.js';
import type { GlobalArgs } from './context.js';
import { GLOBAL_OPTIONS } from './global-options.js';

export { renamed, type AnyCommand } from './command.js';

export function baseParser(argv: string[]): Argv<GlobalArgs> {
  return yargs(argv)
    .scriptName('tote')
    .usage('Usage: $0 [global options] COMMAND\n\nDaemonless, rootless containers')
    .parserConfiguration({ 'populate--': true, 'strip-dashed': true, 'greedy-arrays': false, 'boolean-negation': false })
    .options(GLOBAL_OPTIONS)
    .version('version', 'Show the tote version', `tote version ${TOTE_VERSION}`)
    .help('help')
    .strict()
    .demandCommand(1, 'missing command: try `tote --help`')
    .wrap(Math.min(120, process.stdout.columns || 100))
    .fail((msg, e) => {
      if (e) throw e;
      throw new UsageError(usageMessage(msg));
    }) as unknown as Argv<GlobalArgs>;
}

/**
 * yargs renders the whole help text after every command's handler starts
 * (usage.cacheHelpMessage, ~25 ms of CPU through cliui), only to reuse it
 * for a later failure message; --help and usage errors render it anyway.
 */
export function withoutHelpCache(parser: Argv<GlobalArgs>): Argv<GlobalArgs> {
  const usage = (parser as unknown as { getInternalMethods(): { getUsageInstance(): { cacheHelpMessage(): void } } })
    .getInternalMethods()
    .getUsageInstance();
  usage.cacheHelpMessage = () => {};
  return parser;
}

/** yargs' wording → podman's. */
export function usageMessage(msg: string): string {
  const unknown = /^Unknown arguments?: (.*)$/.exec(msg);
  if (unknown) {
    const names = unknown[1].split(', ').map((n) => (n.length === 1 ? `-${n}` : `--${n}`));
    return `unknown flag: ${names.join(', ')}`;
  }
  return msg;
}

