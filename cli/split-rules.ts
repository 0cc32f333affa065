/**
 * Where a command line stops being tote's (cli/argv.ts): after IMAGE in
 * `run`/`create`, after CONTAINER in `exec`, right after `unshare`.
 */
import type { SplitRule } from './argv.js';
import { RUN_OPTION_NAMES, RUN_VALUE_OPTIONS } from './commands/run-options.js';
import { EXEC_OPTION_NAMES, EXEC_VALUE_OPTIONS } from './commands/exec.js';

export const SPLIT_RULES: SplitRule[] = [
  { paths: [['run'], ['container', 'run'], ['create'], ['container', 'create']], valueOptions: RUN_VALUE_OPTIONS, knownOptions: RUN_OPTION_NAMES, positionals: 1 },
  { paths: [['exec'], ['container', 'exec']], valueOptions: EXEC_VALUE_OPTIONS, knownOptions: EXEC_OPTION_NAMES, positionals: 1 },
  { paths: [['unshare']], valueOptions: [], positionals: 0 },
];
