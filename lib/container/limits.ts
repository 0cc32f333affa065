/**
 * What a new container gets from cgroups: its limits parsed, the cgroup it
 * will live in (if this host offers one to this user), and one warning when
 * some limits cannot be enforced — or an error, with $TOTE_CGROUP_STRICT.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ToteConfig } from '../config/index.js';
import { ToteError, UsageError } from '../errors/index.js';
import {
  cgroupPlace,
  cgroupSupport,
  hostHierarchies,
  limitCapability,
  neededControllers,
  parseResourceLimits,
  type CgroupPlace,
  type Hierarchies,
  type LimitFlags,
  type ResourceLimits,
} from '../cgroups/index.js';

export type CgroupsMode = 'enabled' | 'disabled' | 'no-conmon';

export function parseCgroupsMode(text: string | undefined): CgroupsMode {
  if (text === undefined || text === '') return 'enabled';
  if (text === 'enabled' || text === 'disabled' || text === 'no-conmon') return text;
  if (text === 'split') throw new UsageError('--cgroups=split is not supported', 'tote has no systemd cgroup manager; use enabled, disabled or no-conmon');
  throw new UsageError(`invalid value "${text}" for --cgroups`, 'use enabled, disabled or no-conmon');
}

export interface ResolvedLimits {
  resources?: ResourceLimits;
  /** No cgroup: only the process settings (ulimits, oom-score-adj) apply. */
  unenforced: boolean;
  /** The container's cgroup, when this host offers one. */
  cgroup?: CgroupPlace;
  warnings: string[];
}

const WEIGHT_DISCARDED = 'Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.';

export function resolveLimits(
  config: Pick<ToteConfig, 'isRoot' | 'uid' | 'cgroups'>,
  o: { id: string; flags?: LimitFlags; cgroups?: string; cgroupParent?: string; runtimeName: string },
  hierarchies: Hierarchies = hostHierarchies(),
): ResolvedLimits {
  const mode = parseCgroupsMode(o.cgroups);
  const resources = o.flags ? parseResourceLimits(o.flags) : undefined;
  const needed = neededControllers(resources);
  if (mode === 'disabled') {
    if (needed.length > 0) throw new UsageError('resource limits need a cgroup: they conflict with --cgroups=disabled', 'drop --cgroups=disabled, or the limit flags');
    if (o.cgroupParent) throw new UsageError('--cgroup-parent conflicts with --cgroups=disabled');
    if (o.runtimeName === 'runc') throw new UsageError('--cgroups=disabled needs the crun runtime: runc always creates a cgroup', 'add --runtime crun');
    return { resources, unenforced: false, warnings: [] };
  }
  if (o.cgroupParent !== undefined && (o.cgroupParent === '' || o.cgroupParent.split('/').includes('..'))) {
    throw new UsageError(`invalid --cgroup-parent "${o.cgroupParent}"`, 'give a cgroup path such as /mygroup (rootful) or a path below your delegated subtree');
  }
  const support = cgroupSupport({ isRoot: config.isRoot, uid: config.uid, cgroupRoot: config.cgroups.root }, hierarchies, o.cgroupParent);
  // Rootless on v1, moving into a cgroup costs a migration per hierarchy
  // (~2 ms each, seven of them): done only for a container that asks for a
  // cgroup (a limit, --cgroup-parent, --cgroups=enabled). Others are watched
  // and paused through /proc and signals, as podman's get no cgroup there at all.
  const wanted = !(support.manager === 'tote' && support.version === 1) || needed.length > 0 || o.cgroupParent !== undefined || o.cgroups === 'enabled';
  const cgroup = support.usable.length > 0 && wanted ? cgroupPlace(support, o.id) : undefined;
  const warnings: string[] = [];
  if (resources?.blkioWeight && support.version === 1) {
    const mount = hierarchies.v1.blkio;
    if (!mount || !['blkio.weight', 'blkio.bfq.weight'].some((f) => existsSync(path.join(mount, f)))) {
      warnings.push(WEIGHT_DISCARDED);
      delete resources.blkioWeight;
    }
  }
  if (o.cgroupParent !== undefined && !cgroup) {
    throw new ToteError('E_CGROUP', `--cgroup-parent ${o.cgroupParent}: no cgroup can be created here: ${support.reason ?? 'nothing is delegated'}`, { hint: support.hint });
  }
  const cap = limitCapability(support, neededControllers(resources));
  if (cap.enforceable) return { resources, unenforced: false, cgroup, warnings };
  const what = `${cap.missing.join(', ')} controller${cap.missing.length > 1 ? 's' : ''}`;
  if (config.cgroups.strict) {
    throw new ToteError('E_CGROUP', `resource limits cannot be enforced (${what} unavailable): ${cap.reason}`, {
      hint: `${cap.hint}; or unset TOTE_CGROUP_STRICT to run without them`,
    });
  }
  warnings.push(`resource limits ignored (${what} unavailable): ${cap.reason}. To enforce them, ${cap.hint}`);
  return { resources, unenforced: !cgroup, cgroup, warnings };
}
