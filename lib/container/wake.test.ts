import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileWaker } from './wake.js';

describe('fileWaker', () => {
  test('a long sleep ends when the file is renamed into place, not when another file changes', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tote-wake-'));
    const waker = fileWaker(dir, 'exit.json');
    try {
      const events: string[] = [];
      // An hour: only the watch can end it within the test's time.
      const slept = waker.sleep(3_600_000).then(() => events.push('woke'));
      writeFileSync(path.join(dir, 'ctr.log'), 'output\n');
      await new Promise((r) => setTimeout(r, 50));
      events.push('log written');
      writeFileSync(path.join(dir, 'exit.json.tmp'), '{"exitCode":0}');
      renameSync(path.join(dir, 'exit.json.tmp'), path.join(dir, 'exit.json'));
      await slept;
      expect(events).toEqual(['log written', 'woke']);
    } finally {
      waker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('without the directory it still sleeps (plain polling)', async () => {
    const waker = fileWaker('/nonexistent/tote-wake', 'exit.json');
    await expect(waker.sleep(1)).resolves.toBeUndefined();
    waker.close();
  });
});
