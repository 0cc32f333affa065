/**
 * The cgroup manager against fake cgroupfs trees (plain directories and
 * files): what it creates, writes and removes on v1 and v2.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Hierarchies } from './hierarchy.js';
import { cgroupPlace, createCgroup, joinFiles, oomKillCount, removeCgroup, v2JoinProblem, writeLimits } from './manage.js';
import { setFrozen, hasFreezer } from './freezer.js';
import { readCounters } from './stats.js';
import type { CgroupSupport } from './support.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'tote-cgmanage-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const read = (...p: string[]) => readFileSync(path.join(...p), 'utf8');

function v1Support(): CgroupSupport {
  const v1: Record<string, string> = {};
  for (const c of ['memory', 'cpu', 'cpuacct', 'cpuset', 'pids', 'freezer']) {
    v1[c] = path.join(root, c);
    mkdirSync(path.join(v1[c], 'tote-7'), { recursive: true });
  }
  writeFileSync(path.join(v1.cpuset, 'cpuset.cpus'), '0-3\n');
  writeFileSync(path.join(v1.cpuset, 'cpuset.mems'), '0\n');
  // The delegated root got its cpuset from root (helpers/delegate-cgroup-v1), the container's starts empty.
  writeFileSync(path.join(v1.cpuset, 'tote-7', 'cpuset.cpus'), '');
  writeFileSync(path.join(v1.cpuset, 'tote-7', 'cpuset.mems'), '');
  return { version: 1, manager: 'tote', parent: '/tote-7', usable: ['memory', 'cpu', 'cpuset', 'pids', 'freezer'], hierarchies: { v1 } as Hierarchies };
}

describe('v1, tote-managed (rootless with a delegated subtree)', () => {
  test('place: one directory per usable hierarchy, cpuacct along with cpu', () => {
    const place = cgroupPlace(v1Support(), 'abc');
    expect(place.path).toBe('/tote-7/abc');
    expect(Object.keys(place.dirs).sort()).toEqual(['cpu', 'cpuacct', 'cpuset', 'freezer', 'memory', 'pids']);
    expect(joinFiles(place)).toContain(path.join(root, 'memory', 'tote-7', 'abc', 'cgroup.procs'));
    expect(hasFreezer(place)).toBe(true);
  });

  test('create: directories, cpuset copied down from the nearest ancestor that has one, limits written', async () => {
    const place = cgroupPlace(v1Support(), 'abc');
    const r = await createCgroup(place, { memory: 2 ** 26, nanoCpus: 5e8, pidsLimit: 20, memorySwap: 2 ** 27 });
    expect(read(root, 'memory/tote-7/abc/memory.limit_in_bytes')).toBe('67108864');
    expect(read(root, 'cpu/tote-7/abc/cpu.cfs_quota_us')).toBe('50000');
    expect(read(root, 'pids/tote-7/abc/pids.max')).toBe('20');
    expect(read(root, 'cpuset/tote-7/cpuset.cpus')).toBe('0-3');
    expect(read(root, 'cpuset/tote-7/abc/cpuset.cpus')).toBe('0-3');
    expect(read(root, 'cpuset/tote-7/abc/cpuset.mems')).toBe('0');
    // A fake tree accepts any file, so nothing is skipped.
    expect(r.skipped).toEqual([]);
  });

  test('remove: every directory (a fake tree has files in them: real cgroupfs rmdir does not care)', async () => {
    const place = cgroupPlace(v1Support(), 'gone');
    for (const d of Object.values(place.dirs)) mkdirSync(d!, { recursive: true });
    await removeCgroup(place);
    expect(Object.values(place.dirs).some((d) => existsSync(d!))).toBe(false);
    await removeCgroup(place); // twice is fine
  });

  test('a write the kernel refuses is an error naming the file', async () => {
    const place = cgroupPlace(v1Support(), 'bad');
    // A directory where the file should be makes the write fail.
    mkdirSync(path.join(place.dirs.pids!, 'pids.max'), { recursive: true });
    await expect(writeLimits(place, { pidsLimit: 5 })).rejects.toThrow(/pids\.max/);
  });

  test('a controller that is not delegated is skipped, not an error', async () => {
    const s = v1Support();
    s.usable = ['memory'];
    const place = cgroupPlace(s, 'part');
    const r = await createCgroup(place, { memory: 2 ** 26, pidsLimit: 3 });
    expect(r.skipped.map((w) => w.file)).toEqual(['pids.max']);
  });

  test('OOM kills and counters are read from the v1 files', async () => {
    const place = cgroupPlace(v1Support(), 'c');
    for (const d of Object.values(place.dirs)) mkdirSync(d!, { recursive: true });
    const m = place.dirs.memory!;
    writeFileSync(path.join(m, 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n');
    writeFileSync(path.join(m, 'memory.usage_in_bytes'), '5000000\n');
    writeFileSync(path.join(m, 'memory.stat'), 'cache 1\ntotal_inactive_file 1000000\n');
    writeFileSync(path.join(m, 'memory.limit_in_bytes'), '9223372036854771712\n');
    writeFileSync(path.join(place.dirs.cpuacct!, 'cpuacct.usage'), '123456789\n');
    writeFileSync(path.join(place.dirs.pids!, 'pids.current'), '3\n');
    expect(await oomKillCount(place)).toBe(2);
    expect(await readCounters(place)).toEqual({ cpuNs: 123456789, memoryBytes: 4000000, memoryLimit: undefined, blockRead: undefined, blockWrite: undefined, pids: 3 });
  });

  test('freeze and thaw through freezer.state', async () => {
    const place = cgroupPlace(v1Support(), 'f');
    mkdirSync(place.dirs.freezer!, { recursive: true });
    await setFrozen(place, true);
    expect(read(place.dirs.freezer!, 'freezer.state')).toBe('FROZEN');
    await setFrozen(place, false);
    expect(read(place.dirs.freezer!, 'freezer.state')).toBe('THAWED');
  });
});

describe('v2', () => {
  function v2Support(): CgroupSupport {
    const unified = path.join(root, 'v2');
    const base = path.join(unified, 'user.slice/user-7.slice/user@7.service');
    mkdirSync(base, { recursive: true });
    writeFileSync(path.join(base, 'cgroup.controllers'), 'cpu memory pids\n');
    writeFileSync(path.join(base, 'cgroup.subtree_control'), '');
    writeFileSync(path.join(base, 'cgroup.procs'), '');
    return { version: 2, manager: 'tote', parent: '/user.slice/user-7.slice/user@7.service/tote', usable: ['cpu', 'memory', 'pids', 'freezer'], hierarchies: { v1: {}, unified } };
  }

  test('create enables the controllers down the delegated chain and writes v2 files', async () => {
    const s = v2Support();
    const place = cgroupPlace(s, 'xyz');
    // The kernel would create these files in a new cgroup; the fake tree needs them for the chain walk.
    const tote = path.dirname(place.dirs.unified!);
    mkdirSync(tote, { recursive: true });
    writeFileSync(path.join(tote, 'cgroup.controllers'), 'cpu memory pids\n');
    writeFileSync(path.join(tote, 'cgroup.subtree_control'), '');
    await createCgroup(place, { memory: 2 ** 26, nanoCpus: 2e9, pidsLimit: 9 }, '0::/user.slice/user-7.slice/user@7.service/init.scope\n');
    const base = path.dirname(tote);
    expect(read(base, 'cgroup.subtree_control')).toBe('+cpu +memory +pids');
    expect(read(tote, 'cgroup.subtree_control')).toBe('+cpu +memory +pids');
    expect(read(place.dirs.unified!, 'memory.max')).toBe('67108864');
    expect(read(place.dirs.unified!, 'cpu.max')).toBe('200000 100000');
    expect(read(place.dirs.unified!, 'pids.max')).toBe('9');
  });

  test('counters, OOM kills and the freezer from v2 files', async () => {
    const place = cgroupPlace(v2Support(), 'q');
    const d = place.dirs.unified!;
    mkdirSync(d, { recursive: true });
    writeFileSync(path.join(d, 'cpu.stat'), 'usage_usec 2500\nuser_usec 2000\n');
    writeFileSync(path.join(d, 'memory.current'), '3000\n');
    writeFileSync(path.join(d, 'memory.stat'), 'anon 1\ninactive_file 1000\n');
    writeFileSync(path.join(d, 'memory.max'), 'max\n');
    writeFileSync(path.join(d, 'io.stat'), '254:0 rbytes=10 wbytes=20 rios=1 wios=2\n8:0 rbytes=1 wbytes=2 rios=1 wios=1\n');
    writeFileSync(path.join(d, 'pids.current'), '4\n');
    writeFileSync(path.join(d, 'memory.events'), 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n');
    expect(await readCounters(place)).toEqual({ cpuNs: 2500000, memoryBytes: 2000, memoryLimit: undefined, blockRead: 11, blockWrite: 22, pids: 4 });
    expect(await oomKillCount(place)).toBe(1);
    writeFileSync(path.join(d, 'cgroup.events'), 'populated 1\nfrozen 1\n');
    await setFrozen(place, true);
    expect(read(d, 'cgroup.freeze')).toBe('1');
  });
});

describe('rootful (runtime-managed)', () => {
  test('the place covers every mounted hierarchy; the runtime creates it', () => {
    const s = v1Support();
    s.manager = 'runtime';
    s.parent = '/tote';
    s.hierarchies.v1.blkio = path.join(root, 'blkio');
    const place = cgroupPlace(s, 'r');
    expect(place.path).toBe('/tote/r');
    expect(place.dirs.blkio).toBe(path.join(root, 'blkio', 'tote', 'r'));
  });
});

describe('v2: can tote move itself into the container\'s cgroup?', () => {
  function place(): ReturnType<typeof cgroupPlace> {
    const unified = path.join(root, 'v2');
    const svc = path.join(unified, 'user.slice/user-7.slice/user@7.service');
    mkdirSync(svc, { recursive: true });
    writeFileSync(path.join(svc, 'cgroup.procs'), '');
    return cgroupPlace({ version: 2, manager: 'tote', parent: '/user.slice/user-7.slice/user@7.service/tote', usable: ['memory'], hierarchies: { v1: {}, unified } }, 'id1');
  }

  test('from inside the delegated subtree (a user unit): fine', () => {
    expect(v2JoinProblem(place(), '0::/user.slice/user-7.slice/user@7.service/app.slice/foo.service\n')).toBeUndefined();
  });

  test('from a login session scope: explained', () => {
    expect(v2JoinProblem(place(), '0::/user.slice/user-7.slice/session-3.scope\n')).toMatch(/outside the subtree delegated to you/);
  });

  test('v1 and rootful places need no check', () => {
    const p = { ...place(), manager: 'runtime' as const };
    expect(v2JoinProblem(p, '0::/elsewhere\n')).toBeUndefined();
  });
});
