/**
 * One container's cgroup: where it is, creating it (rootless: tote does it;
 * rootful: the runtime does, from linux.cgroupsPath), writing limits,
 * removing it, and the OOM-kill count. The filesystem is the only state:
 * a record keeps the place so that later commands find it.
 */
import { accessSync, constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { SystemError, errnoCode } from '../errors/index.js';
import { V1_CONTROLLERS, type V1Controller } from './hierarchy.js';
import { limitWrites, type FileWrite } from './files.js';
import type { ResourceLimits } from './limits.js';
import { V1_NAME, type CgroupSupport, type Controller } from './support.js';

export interface CgroupPlace {
  version: 1 | 2;
  manager: 'runtime' | 'tote';
  /** The cgroup's path inside every hierarchy (linux.cgroupsPath for the runtime). */
  path: string;
  /** v1: hierarchy (controller) → this cgroup's directory; v2: `unified` → its directory. */
  dirs: Partial<Record<V1Controller | 'unified', string>>;
  /** Controllers usable in it. */
  usable: Controller[];
}

const isWritable = (p: string): boolean => {
  try {
    accessSync(p, constants.W_OK);
    return true;
  } catch {
    return false;
  }
};

export function cgroupPlace(support: CgroupSupport, id: string): CgroupPlace {
  const cgPath = path.posix.join(support.parent, id);
  const dirs: CgroupPlace['dirs'] = {};
  if (support.version === 2) {
    dirs.unified = path.join(support.hierarchies.unified!, cgPath);
  } else {
    for (const c of V1_CONTROLLERS) {
      const mount = support.hierarchies.v1[c];
      if (!mount) continue;
      const wanted =
        support.manager === 'runtime' ||
        support.usable.some((u) => V1_NAME[u] === c) ||
        // cpuacct (CPU usage for `stats`) when it was delegated along with cpu.
        (c === 'cpuacct' && support.usable.includes('cpu') && isWritable(path.join(mount, support.parent)));
      if (wanted) dirs[c] = path.join(mount, cgPath);
    }
  }
  return { version: support.version, manager: support.manager, path: cgPath, dirs, usable: support.usable };
}

/** The directory holding a controller's files in this cgroup (undefined: not usable). */
export function controllerDir(place: CgroupPlace, c: Controller | 'cpuacct'): string | undefined {
  if (place.version === 2) return place.dirs.unified;
  return place.dirs[c === 'cpuacct' ? 'cpuacct' : V1_NAME[c]];
}

/** What the helper writes "0" into so that the runtime starts inside the cgroup. */
export function joinFiles(place: CgroupPlace): string[] {
  return Object.values(place.dirs).map((d) => path.join(d, 'cgroup.procs'));
}

async function readTrim(file: string): Promise<string> {
  return (await fs.readFile(file, 'utf8')).trim();
}

/** v1 cpuset: a new cgroup starts with no CPUs or memory nodes; copy them down from the nearest ancestor that has them. */
async function initCpuset(dir: string): Promise<void> {
  for (const file of ['cpuset.cpus', 'cpuset.mems']) {
    const empty: string[] = [];
    let d = dir;
    let value = '';
    for (; d !== path.dirname(d); d = path.dirname(d)) {
      value = await readTrim(path.join(d, file)).catch(() => '');
      if (value) break;
      empty.unshift(d);
    }
    for (const e of empty) await fs.writeFile(path.join(e, file), value);
  }
}

/** v2: a child gets a controller only if every ancestor below the delegated root enabled it. */
async function enableV2Controllers(dir: string, usable: Controller[]): Promise<void> {
  const wanted = usable.filter((c) => c !== 'freezer');
  const chain: string[] = [];
  for (let d = path.dirname(dir); isWritable(path.join(d, 'cgroup.subtree_control')); d = path.dirname(d)) chain.unshift(d);
  for (const d of chain) {
    const available = (await readTrim(path.join(d, 'cgroup.controllers')).catch(() => '')).split(/\s+/);
    const enable = wanted.filter((c) => available.includes(c)).map((c) => `+${c}`);
    if (enable.length) await fs.writeFile(path.join(d, 'cgroup.subtree_control'), enable.join(' ')).catch(() => undefined);
  }
}

export interface WriteResult {
  /** Writes skipped because this host lacks the file (no swap accounting, no I/O weight). */
  skipped: FileWrite[];
}

/** Writes the limits into an existing cgroup. Failed writes are retried once: v1 refuses a memory limit above memsw until memsw is raised. */
export async function writeLimits(place: CgroupPlace, limits: ResourceLimits | undefined): Promise<WriteResult> {
  const skipped: FileWrite[] = [];
  let pending = limitWrites(place.version, limits);
  for (let round = 0; round < 2 && pending.length > 0; round++) {
    const failed: Array<{ w: FileWrite; e: unknown }> = [];
    for (const w of pending) {
      const dir = controllerDir(place, w.controller);
      if (!dir) {
        skipped.push(w);
        continue;
      }
      try {
        await fs.writeFile(path.join(dir, w.file), w.value);
      } catch (e) {
        if (errnoCode(e) === 'ENOENT' && w.optional) skipped.push(w);
        else failed.push({ w, e });
      }
    }
    if (round === 1 && failed.length > 0) {
      const { w, e } = failed[0];
      throw new SystemError('E_CGROUP', `cannot set ${w.file} to ${w.value} in ${controllerDir(place, w.controller)}: ${(e as Error).message}`, {
        hint: w.controller === 'cpuset' ? 'use CPUs and memory nodes that exist on this host (see /sys/fs/cgroup/cpuset/cpuset.cpus or `nproc`)' : 'check the value against the host\'s limits',
      });
    }
    pending = failed.map((f) => f.w);
  }
  return { skipped };
}

/**
 * cgroup v2 lets a process move another (here: itself) only with write
 * access to cgroup.procs of the common ancestor of both cgroups. A login
 * shell sits in session-N.scope, outside the user manager's delegated
 * subtree, so the move would fail: say so before anything starts.
 */
export function v2JoinProblem(place: CgroupPlace, selfCgroupText: string): string | undefined {
  if (place.version !== 2 || place.manager !== 'tote') return undefined;
  const own = /^0::(\/.*)$/m.exec(selfCgroupText)?.[1];
  if (!own) return undefined;
  const a = own.split('/').filter(Boolean);
  const b = place.path.split('/').filter(Boolean);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const common = '/' + a.slice(0, i).join('/');
  const mount = place.dirs.unified!.slice(0, -place.path.length);
  const procs = path.join(mount, common, 'cgroup.procs');
  return isWritable(procs) ? undefined : `tote runs in the cgroup ${own}, outside the subtree delegated to you, so it cannot move the container into ${place.path} (${procs} is not writable)`;
}

/** Creates the cgroup (rootless: tote's job) and writes the limits. Removes it again if that fails. */
export async function createCgroup(place: CgroupPlace, limits: ResourceLimits | undefined, selfCgroupText?: string): Promise<WriteResult> {
  const problem = v2JoinProblem(place, selfCgroupText ?? (await fs.readFile('/proc/self/cgroup', 'utf8').catch(() => '')));
  if (problem) {
    throw new SystemError('E_CGROUP', problem, {
      hint: 'run tote from a systemd user unit or under `systemd-run --user --scope`, or start the container with --cgroups=disabled',
    });
  }
  await removeCgroup(place);
  try {
    if (place.version === 2) {
      const dir = place.dirs.unified!;
      await fs.mkdir(dir, { recursive: true });
      await enableV2Controllers(dir, place.usable);
    } else {
      await Promise.all(
        (Object.entries(place.dirs) as Array<[V1Controller, string]>).map(async ([c, dir]) => {
          await fs.mkdir(dir, { recursive: true });
          if (c === 'cpuset') await initCpuset(dir);
        }),
      );
    }
    return await writeLimits(place, limits);
  } catch (e) {
    await removeCgroup(place).catch(() => undefined);
    if (e instanceof SystemError) throw e;
    throw new SystemError('E_CGROUP', `cannot create the container's cgroup ${place.path}: ${(e as Error).message}`, {
      hint: 'check that the delegated cgroup subtree is writable by you (see `tote info`)',
    });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * rmdir of one cgroup. A cgroup refuses (EBUSY) while it has child cgroups
 * (runc nests its own) or its last process is still exiting: children are
 * removed first, then it is retried quickly, for up to about a second.
 */
async function removeTree(dir: string): Promise<void> {
  const deadline = Date.now() + 1000;
  for (let delay = 1; ; delay = Math.min(delay * 2, 100)) {
    try {
      await fs.rmdir(dir);
      return;
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || Date.now() >= deadline) throw e;
    }
    const children = (await fs.readdir(dir, { withFileTypes: true }).catch(() => [])).filter((c) => c.isDirectory());
    if (children.length > 0) await Promise.all(children.map((c) => removeTree(path.join(dir, c.name))));
    else await sleep(delay);
  }
}

/** Removes the cgroup's directories in every hierarchy. */
export async function removeCgroup(place: CgroupPlace): Promise<void> {
  await Promise.all(Object.values(place.dirs).map((d) => removeTree(d)));
}

/**
 * Processes the kernel's OOM killer ended in this cgroup: v2's memory.events
 * counts the whole subtree; v1's memory.oom_control only the cgroup itself,
 * so child cgroups (runc nests one rootless) are added.
 */
export async function oomKillCount(place: CgroupPlace): Promise<number> {
  const dir = controllerDir(place, 'memory');
  if (!dir) return 0;
  const count = async (d: string, file: string): Promise<number> => {
    const m = /^oom_kill (\d+)$/m.exec(await fs.readFile(path.join(d, file), 'utf8').catch(() => ''));
    return m ? Number(m[1]) : 0;
  };
  if (place.version === 2) return count(dir, 'memory.events');
  const walk = async (d: string): Promise<number> => {
    const children = await fs.readdir(d, { withFileTypes: true }).catch(() => []);
    let n = await count(d, 'memory.oom_control');
    for (const c of children) if (c.isDirectory()) n += await walk(path.join(d, c.name));
    return n;
  };
  return walk(dir);
}

/** The cgroup's process ids (v1: read from the first hierarchy). */
export async function cgroupPids(place: CgroupPlace): Promise<number[]> {
  const dir = Object.values(place.dirs)[0];
  if (!dir) return [];
  const text = await fs.readFile(path.join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map(Number);
}
