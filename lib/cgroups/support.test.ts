import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Hierarchies } from './hierarchy.js';
import { cgroupSupport, delegatedUserCgroup, resolveParent } from './support.js';

let root: string;
const uid = 1234;
const rootless = { isRoot: false, uid };

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'tote-cgsupport-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A fake v1 host: one directory per controller. */
function v1Host(controllers = ['memory', 'cpu', 'cpuacct', 'cpuset', 'pids', 'blkio', 'freezer']): Hierarchies {
  const h: Hierarchies = { v1: {}, unified: path.join(root, 'unified') };
  for (const c of controllers) {
    mkdirSync(path.join(root, c), { recursive: true });
    (h.v1 as Record<string, string>)[c] = path.join(root, c);
  }
  return h;
}

function delegateV1(h: Hierarchies, sub: string, controllers: string[]): void {
  for (const c of controllers) {
    const dir = path.join((h.v1 as Record<string, string>)[c], sub);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'cgroup.procs'), '');
  }
}

describe('cgroupSupport', () => {
  test('root on v1: the runtime creates cgroups under /tote, every mounted controller', () => {
    const s = cgroupSupport({ isRoot: true, uid: 0 }, v1Host(['memory', 'pids']));
    expect(s).toMatchObject({ version: 1, manager: 'runtime', parent: '/tote', usable: ['memory', 'pids'] });
    expect(s.reason).toBeUndefined();
  });

  test('root: --cgroup-parent, absolute or relative to /tote', () => {
    expect(cgroupSupport({ isRoot: true, uid: 0 }, v1Host(), '/mine').parent).toBe('/mine');
    expect(cgroupSupport({ isRoot: true, uid: 0 }, v1Host(), 'batch').parent).toBe('/tote/batch');
  });

  test('no cgroupfs at all', () => {
    expect(cgroupSupport({ isRoot: true, uid: 0 }, { v1: {} })).toMatchObject({ usable: [], reason: 'no cgroup filesystem is mounted' });
  });

  test('rootless v1, nothing delegated: a reason naming the uid and how to delegate', () => {
    const s = cgroupSupport(rootless, v1Host());
    expect(s.usable).toEqual([]);
    expect(s.reason).toContain(`uid ${uid}`);
    expect(s.hint).toContain('delegate-cgroup-v1');
    expect(s.hint).toContain('Delegate=');
  });

  test('rootless v1 with /tote-UID delegated (what helpers/delegate-cgroup-v1 makes)', () => {
    const h = v1Host();
    delegateV1(h, `/tote-${uid}`, ['memory', 'pids', 'freezer']);
    expect(cgroupSupport(rootless, h)).toMatchObject({ version: 1, manager: 'tote', parent: `/tote-${uid}`, usable: ['memory', 'pids', 'freezer'] });
  });

  test('rootless v1: $TOTE_CGROUP_ROOT names another subtree', () => {
    const h = v1Host();
    delegateV1(h, '/users/me', ['memory', 'cpu']);
    expect(cgroupSupport({ ...rootless, cgroupRoot: '/users/me' }, h)).toMatchObject({ parent: '/users/me', usable: ['memory', 'cpu'] });
    expect(cgroupSupport({ ...rootless, cgroupRoot: '/users/me' }, h, 'web').parent).toBe('/users/me/web');
  });

  function v2Host(delegated: string | undefined): Hierarchies {
    const unified = path.join(root, 'v2');
    mkdirSync(unified);
    if (delegated !== undefined) {
      const dir = path.join(unified, delegatedUserCgroup(uid));
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'cgroup.controllers'), delegated + '\n');
    }
    return { v1: {}, unified };
  }

  test('the v2 delegated subtree is systemd\'s user manager', () => {
    expect(delegatedUserCgroup(1000)).toBe('/user.slice/user-1000.slice/user@1000.service');
  });

  test('rootless v2, all delegated: containers go under user@UID.service/tote', () => {
    const s = cgroupSupport(rootless, v2Host('cpuset cpu io memory pids'));
    expect(s).toMatchObject({ version: 2, manager: 'tote', parent: `${delegatedUserCgroup(uid)}/tote` });
    expect(s.usable.sort()).toEqual(['cpu', 'cpuset', 'freezer', 'io', 'memory', 'pids']);
  });

  test('rootless v2, systemd\'s default delegation (memory pids)', () => {
    expect(cgroupSupport(rootless, v2Host('memory pids')).usable).toEqual(['memory', 'pids', 'freezer']);
  });

  test('rootless v2, no user manager: not usable, with the Delegate= hint', () => {
    const s = cgroupSupport(rootless, v2Host(undefined));
    expect(s.usable).toEqual([]);
    expect(s.hint).toContain('Delegate=yes');
  });

  test('resolveParent', () => {
    expect(resolveParent('/a', undefined)).toBe('/a');
    expect(resolveParent('/a', 'b/c')).toBe('/a/b/c');
    expect(resolveParent('/a', '/x')).toBe('/x');
  });
});
