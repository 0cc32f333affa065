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
  /** Every option name and alias the command knows; others are refused here, before yargs would take IMAGE as their value. */
  knownOptions?: string[];
  /** How many positionals belong to tote before the command starts. */
  positionals: number;
}

import { UsageError } from '../lib/errors/index.js';

export const GLOBAL_VALUE_OPTIONS = ['root', 'runroot', 'runtime', 'log-level', 'storage-driver'];
export const GLOBAL_FLAG_OPTIONS = ['help', 'version'];

function checkKnown(rule: SplitRule, names: string[], arg: string): void {
  if (!rule.knownOptions) return;
  for (const n of names) {
    if (!rule.knownOptions.includes(n) && !GLOBAL_VALUE_OPTIONS.includes(n) && !GLOBAL_FLAG_OPTIONS.includes(n)) {
      throw new UsageError(`unknown flag: ${n.length === 1 ? '-' : '--'}${n}`, `see \`tote ${rule.paths[0].join(' ')} --help\``);
    }
  }
  void arg;
}

export function splitCommandArgs(argv: string[], rules: SplitRule[]): string[] {
  let i = 0;
  // Global options before the command word; an unknown one would swallow
  // the command word as its value in yargs, so it is refused here.
  while (i < argv.length && argv[i].startsWith('-') && argv[i] !== '--') {
    const name = argv[i].replace(/^--?/, '');
    const bare = name.split('=')[0];
    if (!GLOBAL_VALUE_OPTIONS.includes(bare) && !GLOBAL_FLAG_OPTIONS.includes(bare) && bare !== 'v') {
      throw new UsageError(`unknown flag: ${argv[i].split('=')[0]}`, 'global options go before the command: see `tote --help`');
    }
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
            checkKnown(rule, [name.split('=')[0]], a);
            j += !name.includes('=') && (rule.valueOptions.includes(name) || GLOBAL_VALUE_OPTIONS.includes(name)) ? 2 : 1;
          } else {
            // A cluster of short flags (-it, -e K=V, -eK=V): the last letter may take a value.
            const letters = a.slice(1);
            const valueAt = [...letters].findIndex((l) => rule.valueOptions.includes(l));
            checkKnown(rule, [...(valueAt >= 0 ? letters.slice(0, valueAt + 1) : letters)], a);
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
