/**
 * Resource limits as cgroup file writes, for v1 and v2 (the same
 * conversions crun and runc make). Pure: the writer lives in manage.ts.
 */
import type { ResourceLimits } from './limits.js';
import type { Controller } from './support.js';
import type { Throttle } from './devices.js';

export interface FileWrite {
  controller: Controller;
  file: string;
  value: string;
  /** Writes that may legitimately be missing here (swap accounting off, no weight-capable I/O scheduler). */
  optional?: boolean;
}

const CPU_PERIOD = 100000;

/** The CFS quota and period the limits ask for, if any. */
function cpuMax(r: ResourceLimits): { quota?: number; period?: number } {
  if (r.nanoCpus) return { quota: Math.round((r.nanoCpus * CPU_PERIOD) / 1e9), period: CPU_PERIOD };
  return { quota: r.cpuQuota, period: r.cpuPeriod };
}

function throttles(list: Throttle[] | undefined): Throttle[] {
  return list ?? [];
}

export function v1Writes(r: ResourceLimits): FileWrite[] {
  const w: FileWrite[] = [];
  // cpuset first: a v1 cpuset cgroup takes no process until cpus/mems are set.
  if (r.cpusetCpus) w.push({ controller: 'cpuset', file: 'cpuset.cpus', value: r.cpusetCpus });
  if (r.cpusetMems) w.push({ controller: 'cpuset', file: 'cpuset.mems', value: r.cpusetMems });
  if (r.memory !== undefined) w.push({ controller: 'memory', file: 'memory.limit_in_bytes', value: r.memory ? String(r.memory) : '-1' });
  if (r.memorySwap !== undefined) w.push({ controller: 'memory', file: 'memory.memsw.limit_in_bytes', value: String(r.memorySwap || -1), optional: true });
  if (r.memoryReservation !== undefined) w.push({ controller: 'memory', file: 'memory.soft_limit_in_bytes', value: r.memoryReservation ? String(r.memoryReservation) : '-1' });
  if (r.cpuShares) w.push({ controller: 'cpu', file: 'cpu.shares', value: String(r.cpuShares) });
  const { quota, period } = cpuMax(r);
  // The period first: a quota is checked against the current period.
  if (period) w.push({ controller: 'cpu', file: 'cpu.cfs_period_us', value: String(period) });
  if (quota !== undefined) w.push({ controller: 'cpu', file: 'cpu.cfs_quota_us', value: String(quota > 0 ? quota : -1) });
  if (r.pidsLimit !== undefined) w.push({ controller: 'pids', file: 'pids.max', value: r.pidsLimit > 0 ? String(r.pidsLimit) : 'max' });
  if (r.blkioWeight) w.push({ controller: 'io', file: 'blkio.weight', value: String(r.blkioWeight), optional: true });
  const dev = (file: string, list: Throttle[] | undefined) => {
    for (const t of throttles(list)) w.push({ controller: 'io', file, value: `${t.major}:${t.minor} ${t.rate}` });
  };
  dev('blkio.throttle.read_bps_device', r.deviceReadBps);
  dev('blkio.throttle.write_bps_device', r.deviceWriteBps);
  dev('blkio.throttle.read_iops_device', r.deviceReadIops);
  dev('blkio.throttle.write_iops_device', r.deviceWriteIops);
  return w;
}

/** cgroup v1 cpu.shares (2–262144) → v2 cpu.weight (1–10000), as crun and runc convert. */
export function sharesToWeight(shares: number): number {
  if (shares === 0) return 0;
  return 1 + Math.floor(((Math.min(Math.max(shares, 2), 262144) - 2) * 9999) / 262142);
}

/** blkio weight (10–1000) → io.weight (1–10000), crun's conversion. */
export function blkioToIoWeight(weight: number): number {
  return 1 + Math.floor(((weight - 10) * 9999) / 990);
}

export function v2Writes(r: ResourceLimits): FileWrite[] {
  const w: FileWrite[] = [];
  if (r.cpusetCpus) w.push({ controller: 'cpuset', file: 'cpuset.cpus', value: r.cpusetCpus });
  if (r.cpusetMems) w.push({ controller: 'cpuset', file: 'cpuset.mems', value: r.cpusetMems });
  if (r.memory !== undefined) w.push({ controller: 'memory', file: 'memory.max', value: r.memory ? String(r.memory) : 'max' });
  if (r.memorySwap !== undefined) {
    // docker's --memory-swap is memory plus swap; v2's swap.max is swap alone.
    const swap = r.memorySwap === -1 || r.memorySwap === 0 ? 'max' : String(Math.max(0, r.memorySwap - (r.memory ?? 0)));
    w.push({ controller: 'memory', file: 'memory.swap.max', value: swap, optional: true });
  }
  if (r.memoryReservation !== undefined) w.push({ controller: 'memory', file: 'memory.low', value: String(r.memoryReservation || 0) });
  if (r.cpuShares) w.push({ controller: 'cpu', file: 'cpu.weight', value: String(sharesToWeight(r.cpuShares)) });
  const { quota, period } = cpuMax(r);
  if (quota !== undefined || period) {
    w.push({ controller: 'cpu', file: 'cpu.max', value: `${quota && quota > 0 ? quota : 'max'} ${period || CPU_PERIOD}` });
  }
  if (r.pidsLimit !== undefined) w.push({ controller: 'pids', file: 'pids.max', value: r.pidsLimit > 0 ? String(r.pidsLimit) : 'max' });
  if (r.blkioWeight) w.push({ controller: 'io', file: 'io.weight', value: `default ${blkioToIoWeight(r.blkioWeight)}`, optional: true });
  // io.max takes one line per device with the keys given; others keep their value.
  const byDevice = new Map<string, string[]>();
  const add = (key: string, list: Throttle[] | undefined) => {
    for (const t of throttles(list)) {
      const id = `${t.major}:${t.minor}`;
      byDevice.set(id, [...(byDevice.get(id) ?? []), `${key}=${t.rate}`]);
    }
  };
  add('rbps', r.deviceReadBps);
  add('wbps', r.deviceWriteBps);
  add('riops', r.deviceReadIops);
  add('wiops', r.deviceWriteIops);
  for (const [id, keys] of byDevice) w.push({ controller: 'io', file: 'io.max', value: `${id} ${keys.join(' ')}` });
  return w;
}

export function limitWrites(version: 1 | 2, r: ResourceLimits | undefined): FileWrite[] {
  if (!r) return [];
  return version === 1 ? v1Writes(r) : v2Writes(r);
}
