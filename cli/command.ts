/**
 * What a command definition is, without loading yargs: cli/tree.ts and the
 * command modules import these, and yargs itself is only loaded for --help,
 * completion and error messages (cli/yargs-tree.ts).
 */
import type { CommandModule } from 'yargs';
import type { GlobalArgs } from './context.js';

export type AnyCommand = CommandModule<GlobalArgs, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The same definition under another name (`images` → `image ls`). */
export function renamed(cmd: AnyCommand, name: string, aliases: string[] = []): AnyCommand {
  const usage = String(cmd.command);
  return { ...cmd, command: usage.replace(/^\S+/, name), aliases };
}
