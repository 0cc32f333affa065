/**
 * The quick parser must give a handler exactly what yargs gives it, or step
 * aside. Every command line here is parsed by both: lines built from every
 * command and flag in the tree (so new commands are covered too), and
 * hand-picked tricky ones.
 */
import { describe, expect, test } from '@jest/globals';
import { NOUNS, TOP_LEVEL, type AnyCommand } from './tree.js';
import { buildParser } from './yargs-tree.js';
import { commandSpec, type CommandSpec } from './command-spec.js';
import { findCommand } from './find-command.js';
import { leadingWords, quickParse } from './quick-parse.js';
import { splitCommandArgs } from './argv.js';
import { SPLIT_RULES } from './split-rules.js';

type Outcome = { ok: true; args: Record<string, unknown> } | { ok: false; error: string };

/** What yargs hands the handler for this line, or its error. */
async function viaYargs(argv: string[]): Promise<Outcome> {
  let seen: Record<string, unknown> | undefined;
  const capture = (c: AnyCommand): AnyCommand => ({ ...c, handler: (a: Record<string, unknown>) => void (seen = { ...a }) });
  try {
    await buildParser(argv, capture).parseAsync();
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
  return seen ? { ok: true, args: seen } : { ok: false, error: 'no handler ran' };
}

async function viaQuick(argv: string[]): Promise<Record<string, unknown> | undefined> {
  const words = leadingWords(argv, 2);
  const found = words && (await findCommand(words));
  return found ? quickParse(argv, found.path, found.spec) : undefined;
}

/** Like main: the run/exec/unshare split first. */
function split(argv: string[]): string[] {
  return splitCommandArgs(argv, SPLIT_RULES);
}

const paths: { path: string[]; command: AnyCommand }[] = [
  ...TOP_LEVEL.map((c) => ({ path: [commandSpec(c).names[0]], command: c })),
  ...Object.entries(NOUNS).flatMap(([noun, { verbs }]) => verbs.map((v) => ({ path: [noun, commandSpec(v).names[0]], command: v }))),
];

function sampleValue(o: { type: string; choices?: unknown[] }): string {
  if (o.choices?.length) return String(o.choices[0]);
  return o.type === 'number' ? '3' : 'v1';
}

/** Lines for one command: its positionals filled, then each flag in each spelling. */
function linesFor(path: string[], spec: CommandSpec): string[][] {
  const pos = spec.positionals.filter((p) => p.demanded).map((p, i) => (p.choices?.length ? String(p.choices[0]) : `p${i}`));
  const lines: string[][] = [[...path, ...pos], ['--root', '/r', ...path, ...pos], [...path, ...pos, '--log-level', 'debug']];
  const extra = spec.positionals.find((p) => !p.demanded);
  if (extra) lines.push([...path, ...pos, 'q1'], [...path, ...pos, 'q1', 'q2']);
  for (const opt of new Set(spec.options.values())) {
    for (const name of opt.names) {
      const sw = name.length === 1 ? `-${name}` : `--${name}`;
      if (opt.type === 'boolean') {
        lines.push([...path, sw, ...pos], [...path, ...pos, sw], [...path, sw, 'true', ...pos], [...path, `${sw}=false`, ...pos], [...path, `${sw}=true`, ...pos], [...path, `${sw}=no`, ...pos]);
      } else {
        const v = sampleValue(opt);
        lines.push([...path, sw, v, ...pos], [...path, ...pos, `${sw}=${v}`], [...path, ...pos, sw], [...path, sw, v, sw, v, ...pos], [...path, sw, '-1', ...pos]);
        if (opt.choices) lines.push([...path, sw, 'not-a-choice', ...pos]);
        if (opt.type === 'number') lines.push([...path, sw, 'abc', ...pos], [...path, sw, '010', ...pos]);
      }
    }
  }
  lines.push([...path, '--no-such-flag', ...pos], [...path, ...pos, '--', 'x', '-y'], [...path, ...pos, 'e1', 'e2', 'e3']);
  if (pos.length) lines.push([...path]);
  return lines;
}

const TRICKY: string[][] = [
  ['ps', '-aq'],
  ['ps', '-an', '3'],
  ['ps', '-na', '3'],
  ['ps', '--format', '{{.Names}}', '-a'],
  ['ps', '--filter', 'status=exited', '-f', 'name=x'],
  ['ps', '--format="{{.ID}}"'],
  ['ps', '-a', '-a'],
  ['run', '--rm', 'busybox', 'true'],
  ['run', '-it', '--rm', 'busybox', 'sh', '-c', 'echo hi'],
  ['run', '-d', '--name', 'web', '-p', '8080:80', '-e', 'A=1', '--env=B=2', 'busybox', 'sleep', '1000'],
  ['run', '--rm', '-v', '/a:/b:ro', '-w', '/b', 'busybox'],
  ['run', '--rm', '--stop-timeout', '5', 'busybox'],
  ['run', '--rm', '--sig-proxy=false', 'busybox'],
  ['run', '--rm', '--memory-swap', '-1', 'busybox'],
  ['container', 'run', '--rm', 'busybox', 'ls', '-l'],
  ['exec', 'c1', 'true'],
  ['exec', '-it', 'c1', 'sh'],
  ['exec', '-e', 'A=1', '-u', '0', 'c1', 'env'],
  ['stop', '-t', '0', 'c1'],
  ['stop', '-t0', 'c1'],
  ['stop', '--time=0', 'c1', 'c2'],
  ['rm', '-f', 'c1', 'c2'],
  ['rm', 'c1', '-f', 'c2'],
  ['container', 'rm', '--force', 'c1'],
  ['container', 'list', '-a'],
  ['image', 'ls', '-q'],
  ['images', 'busybox'],
  ['images', '-', 'x'],
  ['inspect', 'busybox'],
  ['inspect', '--type', 'image', '-f', '{{.Id}}', 'busybox'],
  ['inspect', '--type', 'volume', 'x'],
  ['image', 'inspect', 'busybox'],
  ['kill', '-s', 'TERM', 'c1'],
  ['start', '-ai', 'c1'],
  ['unshare', 'id', '-u'],
  ['unshare'],
  ['top', 'c1', '-o', 'pid'],
  ['logs', '-f', 'c1'],
  ['--root', '/r', '--runroot=/s', 'ps'],
  ['--log-level', 'bogus', 'ps'],
  ['--storage-driver', 'vfs', 'images'],
  ['container'],
  ['volume', 'ls'],
  ['system', 'df'],
  ['frobnicate'],
  ['ps', '--help'],
  ['ps', '--version'],
  ['help'],
];

describe('quick parser', () => {
  test('agrees with yargs on every command and flag of the tree', async () => {
    const lines = [...paths.flatMap(({ path, command }) => linesFor(path, commandSpec(command))), ...TRICKY];
    let quick = 0;
    for (const raw of lines) {
      let argv: string[];
      try {
        argv = split(raw);
      } catch {
        continue; // refused before any parser (cli/argv.ts)
      }
      const q = await viaQuick(argv);
      if (q === undefined) continue;
      quick++;
      const y = await viaYargs(argv);
      // A line the quick parser takes must be one yargs takes, with the same result.
      expect({ argv, result: y }).toEqual({ argv, result: { ok: true, args: q } });
    }
    // Most lines are plain: the comparison above must not be vacuous.
    expect(quick).toBeGreaterThan(lines.length / 3);
  });

  test.each([
    [['ps']],
    [['ps', '-a', '--format', '{{.Names}}']],
    [['container', 'ls', '-q']],
    [['images']],
    [['inspect', 'busybox']],
    [['run', '--rm', '--network', 'none', 'busybox', 'true']],
    [['run', '-d', 'busybox', 'sleep', '1000']],
    [['exec', 'c1', 'true']],
    [['stop', '-t', '0', 'c1']],
    [['rm', '-f', 'c1']],
    [['import', 'f.tar', 'img']],
    [['pull', '--tls-verify=false', 'localhost:5000/img']],
  ])('the everyday line %j needs no yargs', async (raw) => {
    expect(await viaQuick(split(raw))).toBeDefined();
  });

  test('refuses what only yargs can say: unknown flags, missing values, help', async () => {
    for (const raw of [['ps', '--bogus'], ['ps', '--format'], ['ps', '--help'], ['stop', '-t', 'x', 'c'], ['inspect'], ['ps', 'extra'], ['help'], ['--version']]) {
      expect({ raw, parsed: await viaQuick(split(raw)) }).toEqual({ raw, parsed: undefined });
    }
  });
});
