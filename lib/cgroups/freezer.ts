/**
 * The freezer: v1's freezer.state, v2's cgroup.freeze. Freezing is
 * asynchronous in the kernel; wait until it reports FROZEN / frozen 1 so a
 * caller (commit, pause) knows nothing runs any more.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { SystemError } from '../errors/index.js';
import { controllerDir, type CgroupPlace } from './manage.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function hasFreezer(place: CgroupPlace | undefined): place is CgroupPlace {
  return Boolean(place && place.usable.includes('freezer') && controllerDir(place, 'freezer'));
}

async function isFrozen(place: CgroupPlace, dir: string): Promise<boolean> {
  if (place.version === 2) return /^frozen 1$/m.test(await fs.readFile(path.join(dir, 'cgroup.events'), 'utf8'));
  return (await fs.readFile(path.join(dir, 'freezer.state'), 'utf8')).trim() === 'FROZEN';
}

export async function setFrozen(place: CgroupPlace, frozen: boolean, timeoutMs = 5000): Promise<void> {
  const dir = controllerDir(place, 'freezer');
  if (!dir) throw new SystemError('E_CGROUP', `the container's cgroup ${place.path} has no freezer`);
  const write = () =>
    place.version === 2
      ? fs.writeFile(path.join(dir, 'cgroup.freeze'), frozen ? '1' : '0')
      : fs.writeFile(path.join(dir, 'freezer.state'), frozen ? 'FROZEN' : 'THAWED');
  await write();
  if (!frozen) return;
  const deadline = Date.now() + timeoutMs;
  for (let delay = 1; !(await isFrozen(place, dir)); delay = Math.min(delay * 2, 50)) {
    if (Date.now() > deadline) {
      await fs.writeFile(path.join(dir, place.version === 2 ? 'cgroup.freeze' : 'freezer.state'), place.version === 2 ? '0' : 'THAWED').catch(() => undefined);
      throw new SystemError('E_CGROUP', `the container's processes did not freeze within ${timeoutMs / 1000}s`, { hint: 'a process may be stuck in the kernel (uninterruptible I/O); try again' });
    }
    // v1 retries a freeze that raced with a fork when FREEZING is written again.
    if (place.version === 1) await write();
    await sleep(delay);
  }
}
