/**
 * Splits argv so that everything after IMAGE in `run IMAGE CMD…` (and after
 * `unshare`) belongs to the container command, not to tote: `tote run
 * busybox ls -l` must not read `-l` as a tote flag. A `--` is inserted where
 * the command starts, which yargs then leaves alone.
 */

export interface SplitRule {
  /** Command paths, e.g. ['run'], ['container', 'run']. */
  paths: string[][];
  /** Long and short option names that take a value. */
  valueOptions: string[];
  /** How many positionals belong to tote before the command starts. */
  positionals: number;
}

const GLOBAL_VALUE_OPTIONS = ['root', 'runroot', 'runtime', 'log-level', 'storage-driver'];

export function splitCommandArgs(argv: string[], rules: SplitRule[]): string[] {
  let i = 0;
  // Skip global options before the command word.
  while (i < argv.length && argv[i].startsWith('-') && argv[i] !== '--') {
    const name = argv[i].replace(/^--?/, '');
    i += GLOBAL_VALUE_OPTIONS.includes(name) ? 2 : 1;
  }
  for (const rule of rules) {
    for (const p of rule.paths) {
      if (!p.every((word, k) => argv[i + k] === word)) continue;
      let j = i + p.length;
      let seen = 0;
      while (j < argv.length) {
        const a = argv[j];
        if (a === '--') return argv;
        if (seen >= rule.positionals) return [...argv.slice(0, j), '--', ...argv.slice(j)];
        if (a.startsWith('-') && a !== '-') {
          if (a.startsWith('--')) {
            const name = a.slice(2);
            j += !name.includes('=') && (rule.valueOptions.includes(name) || GLOBAL_VALUE_OPTIONS.includes(name)) ? 2 : 1;
          } else {
            // A cluster of short flags (-it, -e K=V, -eK=V): the last letter may take a value.
            const letters = a.slice(1);
            const last = letters[letters.length - 1];
            const valueIdx = [...letters].findIndex((l) => rule.valueOptions.includes(l));
            j += valueIdx >= 0 && valueIdx === letters.length - 1 && rule.valueOptions.includes(last) ? 2 : 1;
          }
          continue;
        }
        seen++;
        j++;
      }
      return argv;
    }
  }
  return argv;
}
