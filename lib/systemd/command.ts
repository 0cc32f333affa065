/**
 * Rewrites a recorded `tote run|create …` command line for a unit's
 * ExecStart: the flags the unit sets itself (detach, name, rm, cidfile…)
 * are dropped, global store flags kept, IMAGE and its command kept verbatim.
 */

/** Global flags that take a value, and those worth keeping in a unit (where the store is). */
const GLOBAL_VALUE = ['--root', '--runroot', '--runtime', '--log-level', '--storage-driver'];
const GLOBAL_KEEP = new Set(['--root', '--runroot', '--runtime', '--storage-driver']);

/** Options the unit supplies itself, or that make no sense under systemd. */
export const UNIT_DROPPED = new Set(['d', 'detach', 'i', 'interactive', 't', 'tty', 'rm', 'name', 'replace', 'cidfile', 'pidfile', 'sdnotify', 'restart']);

export interface SplitCommand {
  /** Kept global flags, e.g. ['--root', '/x']. */
  globals: string[];
  /** Kept run options, one token per switch and value. */
  options: string[];
  /** IMAGE [COMMAND [ARG…]]. */
  rest: string[];
}

/**
 * `valueOptions`: run's option names (no dashes) that take a value.
 * Returns undefined when argv is not a run/create command line.
 */
export function splitRunCommand(argv: string[], valueOptions: Iterable<string>, drop: Set<string> = UNIT_DROPPED): SplitCommand | undefined {
  const takesValue = new Set(valueOptions);
  const globals: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('-')) break;
    const eq = a.indexOf('=');
    const name = eq < 0 ? a : a.slice(0, eq);
    const value = eq < 0 ? argv[++i] : a.slice(eq + 1);
    if (!GLOBAL_VALUE.includes(name)) continue; // e.g. a stray boolean global: not needed in a unit
    if (GLOBAL_KEEP.has(name) && value !== undefined) globals.push(name, value);
  }
  if (argv[i] === 'container') i++;
  if (argv[i] !== 'run' && argv[i] !== 'create') return undefined;
  i++;
  const options: string[] = [];
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const hasValue = eq >= 0 || takesValue.has(name);
      const value = eq >= 0 ? a.slice(eq + 1) : hasValue ? argv[++i] : undefined;
      if (drop.has(name)) continue;
      options.push(`--${name}`, ...(value !== undefined ? [value] : []));
      continue;
    }
    // A cluster of short flags: -dit, -e FOO=1, -eFOO=1, -p8080:80.
    for (let j = 1; j < a.length; j++) {
      const c = a[j];
      if (takesValue.has(c)) {
        const value = j + 1 < a.length ? a.slice(j + 1).replace(/^=/, '') : argv[++i];
        if (!drop.has(c)) options.push(`-${c}`, ...(value !== undefined ? [value] : []));
        break;
      }
      if (!drop.has(c)) options.push(`-${c}`);
    }
  }
  return { globals, options, rest: argv.slice(i) };
}
