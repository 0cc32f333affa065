/**
 * Runs a command through helpers/tote-userns: inside a new user namespace
 * (rootless) or just a private mount namespace (rootful), with the same
 * interface either way.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { constants as osConstants } from 'node:os';
import type { ToteConfig } from '../config/index.js';
import { SystemError } from '../errors/index.js';
import { formatMapping } from './subid.js';
import type { UsernsPlan } from './plan.js';

export interface HelperMount {
  type: string;
  source: string;
  target: string;
  options?: string;
}

export interface HelperOptions {
  mounts?: HelperMount[];
  chdir?: string;
  /** Enter the user namespace of this (container) process instead of creating one. */
  join?: number;
  /** Also unshare a network namespace (owned by the new user namespace) for the command. */
  netns?: boolean;
  /** Shell command run once the namespaces exist, before the command (TOTE_CHILD_PID set): attaches the network helper. */
  hook?: string;
  /** Terminate processes the command leaves behind (fuse daemons) when it exits. */
  reapOrphans?: boolean;
  /** cgroup.procs files the command joins before the namespaces are made (a container's delegated cgroup). */
  cgroups?: string[];
  stdio?: StdioOptions;
  env?: NodeJS.ProcessEnv;
}

export function helperPath(config: ToteConfig): string {
  const file = path.join(config.helperDir, 'tote-userns');
  if (!existsSync(file)) {
    throw new SystemError('E_NO_HELPER', `the user-namespace helper is missing: ${file}`, {
      hint: 'build the native helpers with `npm run build:helpers` (needs a C compiler)',
    });
  }
  return file;
}

export function helperArgs(plan: UsernsPlan, command: string[], options: HelperOptions = {}): string[] {
  const args: string[] = [];
  if (plan.rootful) {
    args.push('--rootful');
  } else if (options.join) {
    args.push('--join', String(options.join));
  } else {
    args.push('--uid-map', formatMapping(plan.uidMap), '--gid-map', formatMapping(plan.gidMap));
    if (plan.newuidmap) args.push('--newuidmap', plan.newuidmap);
    if (plan.newgidmap) args.push('--newgidmap', plan.newgidmap);
  }
  if (options.netns && !options.join) args.push('--netns');
  if (options.hook) args.push('--hook', options.hook);
  for (const m of options.mounts ?? []) args.push('--mount', m.type, m.source, m.target, m.options ?? '');
  for (const file of options.cgroups ?? []) args.push('--cgroup', file);
  if (options.chdir) args.push('--chdir', options.chdir);
  if (options.reapOrphans) args.push('--reap-orphans');
  args.push('--', ...command);
  return args;
}

export function spawnInUserns(config: ToteConfig, plan: UsernsPlan, command: string[], options: HelperOptions = {}): ChildProcess {
  return spawn(helperPath(config), helperArgs(plan, command, options), {
    stdio: options.stdio ?? 'inherit',
    env: options.env ?? process.env,
  });
}

/** Waits for a child and returns its exit code (128+N for a signal). */
export function waitExit(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code !== null) resolve(code);
      else resolve(128 + (signal ? osSignalNumber(signal) : 0));
    });
  });
}

/** Node reports a signal by name; the exit status wants its number. */
function osSignalNumber(signal: NodeJS.Signals): number {
  return (osConstants.signals as Record<string, number>)[signal] ?? 0;
}
