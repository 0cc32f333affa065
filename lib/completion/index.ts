/** Shell completion scripts (bash, zsh, fish) generated from the command tree. */
import { bashScript } from './bash.js';
import { fishScript } from './fish.js';
import type { CompletionModel } from './model.js';
import { zshScript } from './zsh.js';

export { buildCompletionModel, type CommandTree, type CompletionModel } from './model.js';
export { bashScript, fishScript, zshScript };

export type Shell = 'bash' | 'zsh' | 'fish';

/** The completion script for `shell`. */
export function completionScript(shell: Shell, model: CompletionModel): string {
  return shell === 'bash' ? bashScript(model) : shell === 'zsh' ? zshScript(model) : fishScript(model);
}
