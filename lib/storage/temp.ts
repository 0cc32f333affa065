/**
 * Temporary layer directories under `tmp/`. Their names carry the pid of
 * the tote that made them, so one killed mid-extraction (SIGKILL, a crash)
 * leaves a directory a later run can recognise as abandoned and remove:
 * it was never visible, only taking space.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ToteConfig } from '../config/index.js';
import type { UsernsPlan } from '../userns/index.js';
import { removeTree } from './layer/extract.js';
import { storePaths } from './paths.js';

const NAME = /^([a-z][a-z-]*)-(\d+)-[0-9a-f]{16}$/;

/** Creates `tmp/<purpose>-<pid>-<random>/` for a layer being extracted. */
export async function makeLayerTemp(config: ToteConfig, purpose: string): Promise<string> {
  const paths = storePaths(config);
  await fs.mkdir(paths.tmp, { recursive: true });
  const dir = path.join(paths.tmp, `${purpose}-${process.pid}-${randomBytes(8).toString('hex')}`);
  await fs.mkdir(dir, { mode: 0o755 });
  return dir;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists (another user's): not ours to judge.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temporary layer directories whose tote is gone. A recycled pid
 * only means a leftover stays until a later run; a live owner's directory
 * is never touched. Returns how many were removed.
 */
export async function sweepLayerTemps(config: ToteConfig, plan: UsernsPlan): Promise<number> {
  let names: string[];
  try {
    names = await fs.readdir(storePaths(config).tmp);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const m = NAME.exec(name);
    if (!m || Number(m[2]) === process.pid || alive(Number(m[2]))) continue;
    await removeTree(config, plan, path.join(storePaths(config).tmp, name)).catch(() => undefined);
    removed++;
  }
  return removed;
}
