/**
 * `tote completion bash|zsh|fish`: a completion script generated from the
 * command tree (the same introspection as the man pages), so every command,
 * verb and flag is completed. Container, image, volume and network names
 * come from the store at completion time, by calling tote itself.
 */
import type { CommandModule } from 'yargs';
import type { Shell } from '../../lib/completion/index.js';
import type { GlobalArgs } from '../context.js';
import { out } from '../output.js';

interface CompletionArgs extends GlobalArgs {
  shell: Shell;
}

export const completionCommand: CommandModule<GlobalArgs, CompletionArgs> = {
  command: 'completion <shell>',
  describe: 'Print a shell completion script (bash, zsh or fish)',
  builder: (y) => y.positional('shell', { type: 'string', choices: ['bash', 'zsh', 'fish'], describe: 'The shell to complete for' }) as never,
  handler: async (args) => {
    // Loaded on use: man/model imports the command tree, which imports this file (a cycle if
    // static), and no other command should pay for loading the tree capture or the generators.
    const { captureTree } = await import('../man/model.js');
    const { buildCompletionModel, completionScript } = await import('../../lib/completion/index.js');
    out(completionScript(args.shell, buildCompletionModel(captureTree())));
  },
};
