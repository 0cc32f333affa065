#!/usr/bin/env node
/**
 * tote's entry point: parses the command line, runs one command, and is the
 * only place that prints errors and exits (DESIGN.md "Errors and exit codes").
 * Plain command lines are parsed by cli/quick-parse.ts; help, completion and
 * anything that may end in a usage error go through yargs.
 */
import { ToteError, UsageError } from '../lib/errors/index.js';
import { splitCommandArgs } from './argv.js';
import { exitCode } from './exit.js';
import { err } from './output.js';
import { SPLIT_RULES } from './split-rules.js';
import { FAST, fastParser } from './fast.js';
import { dockerGlobals } from './docker-globals.js';
import { leadingWords, quickParse } from './quick-parse.js';
import { findCommand } from './find-command.js';

function firstCommandWord(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return argv[i + 1];
    if (['--root', '--runroot', '--runtime', '--log-level', '--storage-driver'].includes(a)) {
      i++;
      continue;
    }
    if (!a.startsWith('-')) return a;
  }
  return undefined;
}

function report(e: unknown, debug: boolean): number {
  if (e instanceof ToteError) {
    err(`Error: ${e.message}`);
    if (e.hint) err(`Hint: ${e.hint}`);
    if (debug && e.stack) err(e.stack);
    return e.exitCode;
  }
  const error = e as Error;
  err(`Error: ${error?.message ?? String(e)}`);
  if (debug && error?.stack) err(error.stack);
  else err('This is a bug in tote: please report it with the output of --log-level=debug');
  return 125;
}

async function main(): Promise<number> {
  let raw = process.argv.slice(2);
  const debug = raw.some((a, i) => a === '--log-level=debug' || (a === '--log-level' && raw[i + 1] === 'debug'));
  try {
    // docker's `-v` means --version at the top level only (in `run` it is --volume).
    if (raw.length === 1 && raw[0] === '-v') raw[0] = '--version';
    if (raw.length === 1 && raw[0] === '-h') raw[0] = '--help';
    const docker = dockerGlobals(raw);
    raw = docker.argv;
    // docker's --config DIR is DOCKER_CONFIG (read by lib/config).
    if (docker.configDir !== undefined) process.env.DOCKER_CONFIG = docker.configDir;
    const word = firstCommandWord(raw);
    // Frequent commands load just their own module; help and the rest load
    // the whole tree (see cli/fast.ts).
    const fast = word !== undefined && FAST[word] !== undefined && !raw.includes('--help');
    const tree = fast ? undefined : await import('./tree.js');
    if (tree && word !== undefined && !tree.KNOWN.has(word)) {
      throw new UsageError(`unrecognized command \`tote ${word}\``, 'try `tote --help` for the list of commands');
    }
    // `tote unshare --help` is tote's help, not a command named --help.
    const wantsUnshareHelp = word === 'unshare' && raw[raw.indexOf('unshare') + 1] === '--help';
    const argv = wantsUnshareHelp ? raw : splitCommandArgs(raw, SPLIT_RULES);
    const words = leadingWords(argv, 2);
    const found = words && (await findCommand(words));
    const args = found && quickParse(argv, found.path, found.spec);
    if (found && args) {
      await found.command.handler(args);
      return exitCode();
    }
    const parser = fast ? await fastParser(word!, argv) : (await import('./yargs-tree.js')).buildParser(argv);
    await parser!.parseAsync();
    return exitCode();
  } catch (e) {
    return report(e, debug);
  }
}

// `tote ps | head -1`: a closed pipe ends the output, not in a crash.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.exitCode = report(e, true);
  },
);
