/**
 * `update`: new CPU, memory, pids and I/O-weight limits (and the restart
 * policy) for an existing container. The new flags are merged into the
 * recorded ones and the result is checked as a whole, like at create; a
 * running container gets them written into its cgroup at once.
 */
import type { ToteConfig } from '../config/index.js';
import { ToteError, UsageError } from '../errors/index.js';
import { cgroupSupport, hostHierarchies, parseResourceLimits, writeLimits, type LimitFlags, type ResourceLimits } from '../cgroups/index.js';
import { updateContainer, type ContainerRecord } from '../storage/index.js';
import { ramInBytes } from '../format/time.js'; // not the index: the template engine is not needed to read a size
import { parseRestartPolicy } from './create.js';
import { refreshStatus } from './status.js';

/** The flags `update` takes (docker's set). */
export type UpdateFlags = Pick<
  LimitFlags,
  'memory' | 'memorySwap' | 'memoryReservation' | 'cpus' | 'cpuShares' | 'cpuQuota' | 'cpuPeriod' | 'cpusetCpus' | 'cpusetMems' | 'pidsLimit' | 'blkioWeight'
>;

/** Recorded limits back as flags, so that old and new are checked together. */
export function limitsToFlags(r: ResourceLimits | undefined): UpdateFlags {
  const f: UpdateFlags = {};
  if (!r) return f;
  const s = (n: number | undefined) => (n === undefined ? undefined : String(n));
  f.memory = s(r.memory);
  f.memorySwap = s(r.memorySwap);
  f.memoryReservation = s(r.memoryReservation);
  f.cpus = r.nanoCpus ? String(r.nanoCpus / 1e9) : undefined;
  f.cpuShares = s(r.cpuShares);
  f.cpuQuota = s(r.cpuQuota);
  f.cpuPeriod = s(r.cpuPeriod);
  f.cpusetCpus = r.cpusetCpus;
  f.cpusetMems = r.cpusetMems;
  f.pidsLimit = s(r.pidsLimit);
  f.blkioWeight = s(r.blkioWeight);
  for (const k of Object.keys(f) as Array<keyof UpdateFlags>) if (f[k] === undefined) delete f[k];
  return f;
}

/** The merged limits; --cpus replaces a quota/period and the other way round. */
export function mergeLimits(current: ResourceLimits | undefined, flags: UpdateFlags): ResourceLimits | undefined {
  const old = limitsToFlags(current);
  if (flags.cpus !== undefined) {
    delete old.cpuQuota;
    delete old.cpuPeriod;
  }
  if (flags.cpuQuota !== undefined || flags.cpuPeriod !== undefined) delete old.cpus;
  const given = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) as UpdateFlags;
  const merged = parseResourceLimits({ ...old, ...given });
  // Settings update does not touch (ulimits, oom-score-adj, device throttles) stay.
  const keep: ResourceLimits = {};
  if (current?.ulimits) keep.ulimits = current.ulimits;
  if (current?.oomScoreAdj !== undefined) keep.oomScoreAdj = current.oomScoreAdj;
  for (const k of ['deviceReadBps', 'deviceWriteBps', 'deviceReadIops', 'deviceWriteIops'] as const) if (current?.[k]) keep[k] = current[k];
  const out = { ...keep, ...(merged ?? {}) };
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Each flag's own syntax and range, before any container is touched (a bad value is a usage error, exit 125). */
export function checkUpdateFlags(f: UpdateFlags): void {
  for (const [k, v] of Object.entries(f) as Array<[keyof UpdateFlags, string | undefined]>) {
    if (v === undefined) continue;
    // --memory-swap alone is checked against the recorded --memory later.
    if (k === 'memorySwap') ramOrThrow(v);
    else parseResourceLimits({ [k]: v });
  }
}

function ramOrThrow(v: string): void {
  if (v.trim() === '-1') return;
  try {
    ramInBytes(v.trim());
  } catch {
    throw new UsageError(`invalid value "${v}" for --memory-swap: not a size`, 'use a number with an optional unit: b, k, m or g (e.g. 512m), or -1 for unlimited swap');
  }
}

export interface UpdateOptions {
  limits: UpdateFlags;
  restart?: string;
}

export async function updateContainerLimits(config: ToteConfig, record: ContainerRecord, o: UpdateOptions): Promise<ContainerRecord> {
  const given = Object.values(o.limits).some((v) => v !== undefined);
  if (!given && o.restart === undefined) throw new UsageError('you must provide one or more flags when using this command', 'e.g. tote update --memory 256m --cpus 1 CONTAINER');
  const restartPolicy = o.restart === undefined ? undefined : parseRestartPolicy(o.restart);
  if (restartPolicy && restartPolicy.name !== 'no' && record.spec.autoRemove) {
    throw new UsageError('the --restart policy cannot be set on a container started with --rm');
  }
  const resources = given ? mergeLimits(record.spec.resources, o.limits) : record.spec.resources;
  const current = await refreshStatus(config, record);
  const live = current.status === 'running' || current.status === 'paused';
  if (given && live) {
    if (!current.cgroup) {
      const support = cgroupSupport({ isRoot: config.isRoot, uid: config.uid, cgroupRoot: config.cgroups.root }, hostHierarchies());
      throw new ToteError('E_CGROUP', `cannot update the limits of ${current.name}: it runs without a cgroup${support.reason ? ` (${support.reason})` : ''}`, {
        hint: support.hint ?? 'stop it, update, and start it again',
      });
    }
    await writeLimits(current.cgroup, resources);
  }
  const apply = (r: ContainerRecord): ContainerRecord => {
    const spec = { ...r.spec, ...(restartPolicy ? { restartPolicy } : {}) };
    if (given) {
      if (resources) spec.resources = resources;
      else delete spec.resources;
      if (r.cgroup) delete spec.resourcesUnenforced;
    }
    return { ...r, spec };
  };
  return (await updateContainer(config, current.id, apply)) ?? apply(current);
}
