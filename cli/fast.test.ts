import { describe, expect, test } from '@jest/globals';
import { FAST } from './fast.js';
import { TOP_LEVEL } from './tree.js';

describe('fast command loading', () => {
  test('every fast entry is the definition the full tree registers', async () => {
    for (const [word, load] of Object.entries(FAST)) {
      const fast = await load();
      const full = TOP_LEVEL.find((c) => String(c.command).split(' ')[0] === word);
      expect({ word, found: Boolean(full) }).toEqual({ word, found: true });
      expect({ word, command: fast.command, describe: fast.describe, aliases: fast.aliases }).toEqual({
        word,
        command: full!.command,
        describe: full!.describe,
        aliases: full!.aliases,
      });
      // inspect's definitions are made per kind by a factory: compare the code.
      expect(String(fast.builder)).toBe(String(full!.builder));
      expect(String(fast.handler)).toBe(String(full!.handler));
    }
  });
});
