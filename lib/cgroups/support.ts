/**
 * Whether, and where, this host lets tote put a container in a cgroup:
 *  - as root (v1, hybrid or v2): under /tote in every hierarchy; the OCI
 *    runtime creates the cgroup from linux.cgroupsPath, with the devices
 *    rules that keep a rootful container off the host's disks;
 *  - rootless on v2: the subtree systemd delegates to the user's manager
 *    (Delegate=yes), or a tree named by $TOTE_CGROUP_ROOT;
 *  - rootless on v1: a subtree root created and chowned to the user in each
 *    hierarchy (default /tote-UID, or $TOTE_CGROUP_ROOT).
 * Rootless, tote itself creates the cgroup and the helper moves the runtime
 * into it before it starts the container (rootless runtimes skip v1).
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Hierarchies, V1Controller } from './hierarchy.js';

/** tote's names for what a limit needs; `io` is v1's blkio. */
export type Controller = 'memory' | 'cpu' | 'cpuset' | 'pids' | 'io' | 'freezer';
export const ALL_CONTROLLERS: Controller[] = ['memory', 'cpu', 'cpuset', 'pids', 'io', 'freezer'];

export const V1_NAME: Record<Controller, V1Controller> = {
  memory: 'memory',
  cpu: 'cpu',
  cpuset: 'cpuset',
  pids: 'pids',
  io: 'blkio',
  freezer: 'freezer',
};

export interface CgroupSupport {
  version: 1 | 2;
  /** Who creates a container's cgroup: the OCI runtime (root) or tote (rootless). */
  manager: 'runtime' | 'tote';
  /** Where containers' cgroups go, as a path inside every hierarchy. */
  parent: string;
  /** Controllers usable there (cpuacct comes with cpu on v1 for statistics). */
  usable: Controller[];
  hierarchies: Hierarchies;
  /** Set when nothing is usable: why, and how to fix it. */
  reason?: string;
  hint?: string;
}

export interface SupportConfig {
  isRoot: boolean;
  uid: number;
  /** $TOTE_CGROUP_ROOT: the delegated subtree rootless containers go under. */
  cgroupRoot?: string;
}

/** The systemd user manager's cgroup, where v2 delegation puts the user's subtree. */
export function delegatedUserCgroup(uid: number): string {
  return `/user.slice/user-${uid}.slice/user@${uid}.service`;
}

export const DELEGATE_V2_HOW =
  'let systemd delegate the controllers to your user: set Delegate=yes under [Service] in a drop-in ' +
  '/etc/systemd/system/user@.service.d/delegate.conf, run `systemctl daemon-reload`, and log in again';

export const delegateV1How = (uid: number, parent: string): string =>
  `have root create ${parent} in each cgroup v1 hierarchy and chown it to uid ${uid} ` +
  `(e.g. \`sudo helpers/delegate-cgroup-v1 ${uid}\`), or set $TOTE_CGROUP_ROOT to a subtree delegated to you`;

function writable(p: string): boolean {
  try {
    accessSync(p, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function readWords(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}

/** A cgroup path as given (absolute) or relative to `base`. */
export function resolveParent(base: string, given: string | undefined): string {
  if (!given) return base;
  return path.posix.resolve(base, given);
}

export function cgroupSupport(config: SupportConfig, h: Hierarchies, cgroupParent?: string): CgroupSupport {
  const v1Mounted = (Object.keys(h.v1) as V1Controller[]).filter((c) => c !== 'cpuacct');
  const version: 1 | 2 = v1Mounted.length > 0 || !h.unified ? 1 : 2;
  if (v1Mounted.length === 0 && !h.unified) {
    return { version, manager: 'runtime', parent: '/', usable: [], hierarchies: h, reason: 'no cgroup filesystem is mounted', hint: 'mount cgroupfs at /sys/fs/cgroup' };
  }
  if (config.isRoot) {
    const parent = resolveParent('/tote', cgroupParent);
    const usable =
      version === 1
        ? ALL_CONTROLLERS.filter((c) => h.v1[V1_NAME[c]])
        : [...ALL_CONTROLLERS.filter((c) => readWords(path.join(h.unified!, 'cgroup.controllers')).includes(c)), 'freezer' as const];
    return { version, manager: 'runtime', parent, usable, hierarchies: h };
  }
  // Rootless: tote makes the cgroups; when nothing is usable, say why and how to fix it.
  const rootless = (parent: string, usable: Controller[], why: { reason: string; hint: string }): CgroupSupport => ({
    version,
    manager: 'tote',
    parent,
    usable,
    hierarchies: h,
    ...(usable.length === 0 ? why : {}),
  });
  if (version === 1) {
    const base = config.cgroupRoot ?? `/tote-${config.uid}`;
    // A controller is usable when the subtree root exists there and is the user's to write.
    const usable = ALL_CONTROLLERS.filter((c) => {
      const mount = h.v1[V1_NAME[c]];
      return mount !== undefined && writable(path.join(mount, base)) && writable(path.join(mount, base, 'cgroup.procs'));
    });
    return rootless(resolveParent(base, cgroupParent), usable, {
      reason: `rootless containers cannot use cgroup v1 controllers here: no cgroup subtree is delegated to uid ${config.uid} (${base} is missing or not writable in the v1 hierarchies)`,
      hint: `run as root, or ${delegateV1How(config.uid, base)}, or switch the host to cgroup v2 (boot with systemd.unified_cgroup_hierarchy=1) and ${DELEGATE_V2_HOW}`,
    });
  }
  const base = config.cgroupRoot ?? delegatedUserCgroup(config.uid);
  const dir = path.join(h.unified!, base);
  const delegated = writable(dir) ? readWords(path.join(dir, 'cgroup.controllers')) : [];
  // The freezer is part of every v2 cgroup: usable wherever anything is delegated.
  const usable = delegated.length > 0 ? ALL_CONTROLLERS.filter((c) => c === 'freezer' || delegated.includes(c)) : [];
  return rootless(resolveParent(cgroupParent ? base : path.posix.join(base, 'tote'), cgroupParent), usable, {
    reason: `no cgroup v2 controllers are delegated to uid ${config.uid} (${path.join(dir, 'cgroup.controllers')}: ${writable(dir) ? 'none' : 'not writable'})`,
    hint: `run as root, or ${DELEGATE_V2_HOW}`,
  });
}
