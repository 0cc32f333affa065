/** Leftover temporary layer directories: a dead owner's go, a live one's stay. */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ToteConfig } from '../config/index.js';
import type { UsernsPlan } from '../userns/index.js';
import { makeLayerTemp, sweepLayerTemps } from './temp.js';

let dataDir: string;
const rootful: UsernsPlan = { rootful: true, uidMap: [], gidMap: [], warnings: [] };

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'tote-temp-test-'));
});

afterAll(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

test('sweepLayerTemps removes what a dead tote left and keeps live and foreign entries', async () => {
  const config = { dataDir } as ToteConfig;
  const mine = await makeLayerTemp(config, 'pull');
  expect(path.basename(mine)).toMatch(new RegExp(`^pull-${process.pid}-[0-9a-f]{16}$`));
  // A pid that has exited: a child we waited for.
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  const tmp = path.join(dataDir, 'tmp');
  const abandoned = path.join(tmp, `pull-${dead}-0123456789abcdef`);
  await fs.mkdir(path.join(abandoned, 'usr'), { recursive: true });
  const foreign = path.join(tmp, 'load-staging');
  await fs.mkdir(foreign);
  // pid 1 is alive (init): its entries are never touched.
  const init = path.join(tmp, 'import-1-0123456789abcdef');
  await fs.mkdir(init);
  expect(await sweepLayerTemps(config, rootful)).toBe(1);
  expect((await fs.readdir(tmp)).sort()).toEqual([path.basename(init), 'load-staging', path.basename(mine)].sort());
});
