/**
 * Where the cgroup filesystems are mounted, read from /proc/self/mountinfo:
 * one v1 hierarchy per controller (or per group of co-mounted controllers,
 * like `cpu,cpuacct`), and the v2 (unified) tree. The text is injectable so
 * tests can describe any host.
 */
import { readFileSync } from 'node:fs';

/** v1 controllers tote uses; `blkio` is v1's name for v2's `io`. */
export const V1_CONTROLLERS = ['memory', 'cpu', 'cpuacct', 'cpuset', 'pids', 'blkio', 'freezer'] as const;
export type V1Controller = (typeof V1_CONTROLLERS)[number];

export interface Hierarchies {
  /** v1 controller → its hierarchy's mount point. */
  v1: Partial<Record<V1Controller, string>>;
  /** The cgroup2 mount point, if any. */
  unified?: string;
}

/** Unescapes mountinfo's octal escapes (`\040` for a space). */
const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

export function parseMountinfo(text: string): Hierarchies {
  const out: Hierarchies = { v1: {} };
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const before = line.slice(0, sep).split(' ');
    const [fsType, , superOptions = ''] = line.slice(sep + 3).split(' ');
    const mountPoint = before[4] === undefined ? undefined : unescape(before[4]);
    // Only mounts of a hierarchy's root are usable: a bind of a sub-cgroup
    // (a container's view) does not show the paths we create.
    if (!mountPoint || before[3] !== '/') continue;
    if (fsType === 'cgroup2') {
      out.unified ??= mountPoint;
    } else if (fsType === 'cgroup') {
      for (const opt of superOptions.split(',')) {
        if ((V1_CONTROLLERS as readonly string[]).includes(opt)) out.v1[opt as V1Controller] ??= mountPoint;
      }
    }
  }
  return out;
}

let cached: Hierarchies | undefined;

export function hostHierarchies(): Hierarchies {
  if (!cached) {
    try {
      cached = parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'));
    } catch {
      cached = { v1: {} };
    }
  }
  return cached;
}
