import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { withLock } from './lock.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tote-lock-'));
const file = path.join(dir, 'store.lock');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('withLock', () => {
  test('is re-entrant within one call chain', async () => {
    const order: string[] = [];
    await withLock(file, async () => {
      order.push('outer');
      await withLock(file, async () => {
        order.push('inner');
      });
    });
    expect(order).toEqual(['outer', 'inner']);
  });

  test('serializes independent chains', async () => {
    const order: string[] = [];
    const slow = withLock(file, async () => {
      order.push('a-start');
      await new Promise((r) => setTimeout(r, 50));
      order.push('a-end');
    });
    await new Promise((r) => setTimeout(r, 5));
    const fast = withLock(file, async () => {
      order.push('b');
    });
    await Promise.all([slow, fast]);
    expect(order).toEqual(['a-start', 'a-end', 'b']);
  });

  test('a killed holder releases the lock', async () => {
    // flock(1) holds the lock (-o: its command does not inherit it) and is killed.
    const child = spawn('flock', ['-o', file, 'sleep', '30'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const started = Date.now();
    await withLock(file, async () => undefined);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
