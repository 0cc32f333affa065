/**
 * The commands people run most, loadable one at a time: `tote ps` then
 * imports ps's module only, not the whole command tree (~25 ms less). Each
 * entry must give exactly the definition cli/tree.ts registers under that
 * name; cli/fast.test.ts checks it. --help, noun forms and everything else
 * go through the full tree.
 */
import { renamed, type AnyCommand } from './command.js';

export const FAST: Record<string, () => Promise<AnyCommand>> = {
  run: async () => (await import('./commands/run.js')).runCommand,
  create: async () => (await import('./commands/create.js')).createCommand,
  start: async () => (await import('./commands/lifecycle.js')).startCommand,
  stop: async () => (await import('./commands/lifecycle.js')).stopCommand,
  kill: async () => (await import('./commands/lifecycle.js')).killCommand,
  restart: async () => (await import('./commands/lifecycle.js')).restartCommand,
  wait: async () => (await import('./commands/lifecycle.js')).waitCommand,
  exec: async () => (await import('./commands/exec.js')).execCommand,
  images: async () => renamed((await import('./commands/images.js')).imagesCommand, 'images'),
  ps: async () => renamed((await import('./commands/ps.js')).psCommand, 'ps'),
  rm: async () => renamed((await import('./commands/rm.js')).rmCommand, 'rm'),
  rmi: async () => renamed((await import('./commands/rmi.js')).rmiCommand, 'rmi'),
  logs: async () => renamed((await import('./commands/logs.js')).logsCommand, 'logs'),
  inspect: async () => (await import('./commands/inspect.js')).inspectCommand('all'),
  pull: async () => (await import('./commands/pull.js')).pullCommand,
  build: async () => (await import('./commands/build.js')).buildCommand,
};

/** The parser with just `word`'s command, or undefined when it has no fast entry. */
export async function fastParser(word: string, argv: string[]) {
  const load = FAST[word];
  if (!load) return undefined;
  const [{ baseParser, withoutHelpCache }, command] = await Promise.all([import('./parser.js'), load()]);
  return withoutHelpCache(baseParser(argv).command(command));
}
