/** The `tote volume` verbs. */
import type { CommandModule } from 'yargs';
import type { GlobalArgs } from '../../context.js';
import { volumeCreateCommand } from './create.js';
import { volumeInspectCommand } from './inspect.js';
import { volumeLsCommand } from './ls.js';
import { volumePruneCommand } from './prune.js';
import { volumeRmCommand } from './rm.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const VOLUME_VERBS: Array<CommandModule<GlobalArgs, any>> = [volumeCreateCommand, volumeLsCommand, volumeInspectCommand, volumeRmCommand, volumePruneCommand];
