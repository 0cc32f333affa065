/**
 * Which cgroup hierarchy the host runs. Matters for the OCI runtime: crun
 * refuses "hybrid" hosts (v1 controllers plus a v2 tree at
 * /sys/fs/cgroup/unified), so tote hides that tree in its private mount
 * namespace before starting crun.
 */
import { statfsSync } from 'node:fs';
import path from 'node:path';

const CGROUP2_SUPER_MAGIC = 0x63677270;
const TMPFS_MAGIC = 0x01021994;

export type CgroupMode = 'v2' | 'hybrid' | 'v1' | 'none';

/** `root` is injectable so tests can point it at a fake tree. */
export function detectCgroupMode(root = '/sys/fs/cgroup', statfs: (p: string) => { type: number } = statfsSync): CgroupMode {
  let top: { type: number };
  try {
    top = statfs(root);
  } catch {
    return 'none';
  }
  if (top.type === CGROUP2_SUPER_MAGIC) return 'v2';
  if (top.type !== TMPFS_MAGIC) return 'none';
  try {
    if (statfs(path.join(root, 'unified')).type === CGROUP2_SUPER_MAGIC) return 'hybrid';
  } catch {
    // No unified tree: plain v1.
  }
  return 'v1';
}

export const hybridUnifiedPath = (root = '/sys/fs/cgroup'): string => path.join(root, 'unified');

export {
  parseResourceLimits,
  parseUlimit,
  neededControllers,
  processLimitsOnly,
  limitCapability,
  ociResources,
  hostConfigLimits,
  ULIMIT_NAMES,
  type ResourceLimits,
  type LimitFlags,
  type Ulimit,
  type LimitCapability,
  type OciLimits,
} from './limits.js';
export { hostHierarchies, parseMountinfo, type Hierarchies } from './hierarchy.js';
export { cgroupSupport, delegatedUserCgroup, ALL_CONTROLLERS, type CgroupSupport, type Controller, type SupportConfig } from './support.js';
export { cgroupPlace, createCgroup, writeLimits, removeCgroup, joinFiles, oomKillCount, cgroupPids, controllerDir, type CgroupPlace } from './manage.js';
export { hasFreezer, setFrozen } from './freezer.js';
export { readCounters, type CgroupCounters } from './stats.js';
export { parseThrottle, type Throttle } from './devices.js';
