/**
 * yargs fills demanded positionals first, then optional ones in order: a
 * `[options]` word in a command string is an optional positional that
 * swallows the next argument (`push IMAGE DEST` lost DEST to it).
 */
import { describe, expect, test } from '@jest/globals';
import { NOUNS, TOP_LEVEL, type AnyCommand } from '../tree.js';
import { buildParser } from '../yargs-tree.js';

async function argsOf(argv: string[]): Promise<Record<string, unknown>> {
  let seen: Record<string, unknown> = {};
  const capture = (c: AnyCommand): AnyCommand => ({ ...c, handler: (a: Record<string, unknown>) => void (seen = { ...a }) });
  await buildParser(argv, capture).parseAsync();
  return seen;
}

describe('command strings', () => {
  test('no command declares a placeholder [options] positional', () => {
    const all = [...TOP_LEVEL, ...Object.values(NOUNS).flatMap((n) => n.verbs)];
    const bad = all.map((c) => String(c.command)).filter((s) => /\[options\]/.test(s));
    expect(bad).toEqual([]);
  });

  test('push IMAGE DESTINATION keeps both', async () => {
    expect(await argsOf(['push', 'busybox', 'localhost:5000/mine:1'])).toMatchObject({ image: 'busybox', destination: 'localhost:5000/mine:1' });
  });
});
