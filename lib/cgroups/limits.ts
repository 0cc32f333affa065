/**
 * Resource limits: docker's run/create flags parsed into ResourceLimits,
 * whether this host can enforce them (cgroups), and their OCI form.
 * --ulimit and --oom-score-adj are process settings, not cgroups: they
 * apply wherever the container runs.
 */
import { UsageError } from '../errors/index.js';
// time.js, not index.js: the template engine is not needed to read "512m".
import { ramInBytes } from '../format/time.js';
import { ALL_CONTROLLERS, DELEGATE_V2_HOW, type CgroupSupport, type Controller } from './support.js';
import { parseThrottle, type Throttle } from './devices.js';

export interface Ulimit {
  /** docker's name: nofile, nproc, core, … */
  name: string;
  soft: number;
  hard: number;
}

/** What the user asked for, in docker's units (bytes, nano-CPUs, µs). */
export interface ResourceLimits {
  memory?: number;
  /** -1: unlimited swap. */
  memorySwap?: number;
  memoryReservation?: number;
  nanoCpus?: number;
  cpuShares?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  pidsLimit?: number;
  blkioWeight?: number;
  /** --device-{read,write}-{bps,iops}: per-device throttles. */
  deviceReadBps?: Throttle[];
  deviceWriteBps?: Throttle[];
  deviceReadIops?: Throttle[];
  deviceWriteIops?: Throttle[];
  ulimits?: Ulimit[];
  oomScoreAdj?: number;
}

/** The flags as the CLI hands them over (strings, so bad values reach us). */
export interface LimitFlags {
  memory?: string;
  memorySwap?: string;
  memoryReservation?: string;
  cpus?: string;
  cpuShares?: string;
  cpuQuota?: string;
  cpuPeriod?: string;
  cpusetCpus?: string;
  cpusetMems?: string;
  pidsLimit?: string;
  blkioWeight?: string;
  deviceReadBps?: string[];
  deviceWriteBps?: string[];
  deviceReadIops?: string[];
  deviceWriteIops?: string[];
  ulimit?: string[];
  oomScoreAdj?: string;
}

/** docker's floor for --memory (linuxMinMemory). */
export const MIN_MEMORY = 6 * 1024 * 1024;
export const CPU_PERIOD = 100000;

/** docker's ulimit names → the OCI (setrlimit) names. */
export const ULIMIT_NAMES: Record<string, string> = {
  as: 'RLIMIT_AS',
  core: 'RLIMIT_CORE',
  cpu: 'RLIMIT_CPU',
  data: 'RLIMIT_DATA',
  fsize: 'RLIMIT_FSIZE',
  locks: 'RLIMIT_LOCKS',
  memlock: 'RLIMIT_MEMLOCK',
  msgqueue: 'RLIMIT_MSGQUEUE',
  nice: 'RLIMIT_NICE',
  nofile: 'RLIMIT_NOFILE',
  nproc: 'RLIMIT_NPROC',
  rss: 'RLIMIT_RSS',
  rtprio: 'RLIMIT_RTPRIO',
  rttime: 'RLIMIT_RTTIME',
  sigpending: 'RLIMIT_SIGPENDING',
  stack: 'RLIMIT_STACK',
};

function bytes(flag: string, text: string): number {
  try {
    return ramInBytes(text.trim());
  } catch {
    throw new UsageError(`invalid value "${text}" for --${flag}: not a size`, 'use a number with an optional unit: b, k, m or g (e.g. 64m)');
  }
}

function integer(flag: string, text: string, min = -Infinity, max = Infinity): number {
  const t = text.trim();
  const n = Number(t);
  if (!/^-?\d+$/.test(t) || !Number.isSafeInteger(n)) throw new UsageError(`invalid value "${text}" for --${flag}: not an integer`);
  if (n < min || n > max) throw new UsageError(`invalid value "${text}" for --${flag}: must be between ${min} and ${max}`);
  return n;
}

const CPUSET_RE = /^\d+(-\d+)?(,\d+(-\d+)?)*$/;

function cpuset(flag: string, text: string): string {
  const t = text.trim();
  const ok = CPUSET_RE.test(t) && t.split(',').every((r) => {
    const [a, b] = r.split('-').map(Number);
    return b === undefined || a <= b;
  });
  if (!ok) throw new UsageError(`invalid value "${text}" for --${flag}`, 'use a list like 0-3 or 0,1');
  return t;
}

/** go-units ParseUlimit: name=soft[:hard], hard defaults to soft. */
export function parseUlimit(text: string): Ulimit {
  const eq = text.indexOf('=');
  if (eq < 0) throw new UsageError(`invalid ulimit "${text}"`, 'use NAME=SOFT[:HARD], e.g. nofile=1024:2048');
  const name = text.slice(0, eq);
  if (!(name in ULIMIT_NAMES)) throw new UsageError(`invalid ulimit type "${name}"`, `use one of ${Object.keys(ULIMIT_NAMES).join(', ')}`);
  const parts = text.slice(eq + 1).split(':');
  if (parts.length > 2) throw new UsageError(`invalid ulimit "${text}": too many limit value arguments`);
  const soft = integer('ulimit', parts[0], 0);
  const hard = parts.length === 2 ? integer('ulimit', parts[1], 0) : soft;
  if (soft > hard) throw new UsageError(`invalid ulimit "${text}": the soft limit ${soft} is above the hard limit ${hard}`);
  return { name, soft, hard };
}

/** The flags, checked like docker does. Returns undefined when none was given. */
export function parseResourceLimits(f: LimitFlags): ResourceLimits | undefined {
  const r: ResourceLimits = {};
  if (f.memory !== undefined) {
    r.memory = bytes('memory', f.memory);
    if (r.memory !== 0 && r.memory < MIN_MEMORY) throw new UsageError(`the minimum memory limit allowed is 6MB (got --memory ${f.memory})`);
  }
  if (f.memoryReservation !== undefined) {
    r.memoryReservation = bytes('memory-reservation', f.memoryReservation);
    if (r.memoryReservation !== 0 && r.memoryReservation < MIN_MEMORY) throw new UsageError(`the minimum memory reservation allowed is 6MB (got --memory-reservation ${f.memoryReservation})`);
  }
  if (f.memorySwap !== undefined) {
    r.memorySwap = f.memorySwap.trim() === '-1' ? -1 : bytes('memory-swap', f.memorySwap);
    if (!r.memory) throw new UsageError('--memory-swap needs --memory', 'set the memory limit too (swap is memory plus swap)');
    if (r.memorySwap !== -1 && r.memorySwap !== 0 && r.memorySwap < r.memory) throw new UsageError('the memory limit should be smaller than the memory+swap limit (--memory-swap)');
  }
  if (r.memory && r.memoryReservation && r.memory < r.memoryReservation) {
    throw new UsageError('the memory limit cannot be less than the memory reservation limit');
  }
  if (f.cpus !== undefined) {
    const t = f.cpus.trim();
    const n = Number(t);
    if (!/^\d*\.?\d+$/.test(t) || !Number.isFinite(n)) throw new UsageError(`invalid value "${f.cpus}" for --cpus: not a number`);
    r.nanoCpus = Math.round(n * 1e9);
    if (f.cpuQuota !== undefined || f.cpuPeriod !== undefined) throw new UsageError('conflicting options: --cpus and --cpu-quota/--cpu-period cannot both be set');
  }
  if (f.cpuShares !== undefined) r.cpuShares = integer('cpu-shares', f.cpuShares, 0);
  if (f.cpuQuota !== undefined) {
    r.cpuQuota = integer('cpu-quota', f.cpuQuota, -1);
    if (r.cpuQuota > 0 && r.cpuQuota < 1000) throw new UsageError('the CPU quota (--cpu-quota) cannot be less than 1ms (1000)');
  }
  if (f.cpuPeriod !== undefined) {
    r.cpuPeriod = integer('cpu-period', f.cpuPeriod, 0, 1000000);
    if (r.cpuPeriod !== 0 && r.cpuPeriod < 1000) throw new UsageError('the CPU period (--cpu-period) must be between 1ms (1000) and 1s (1000000)');
  }
  if (f.cpusetCpus !== undefined) r.cpusetCpus = cpuset('cpuset-cpus', f.cpusetCpus);
  if (f.cpusetMems !== undefined) r.cpusetMems = cpuset('cpuset-mems', f.cpusetMems);
  if (f.pidsLimit !== undefined) r.pidsLimit = integer('pids-limit', f.pidsLimit, -1);
  if (f.blkioWeight !== undefined) {
    r.blkioWeight = integer('blkio-weight', f.blkioWeight, 0, 1000);
    if (r.blkioWeight !== 0 && r.blkioWeight < 10) throw new UsageError('the blkio weight (--blkio-weight) must be 0 or between 10 and 1000');
  }
  if (f.deviceReadBps?.length) r.deviceReadBps = f.deviceReadBps.map((t) => parseThrottle('device-read-bps', t, 'bytes'));
  if (f.deviceWriteBps?.length) r.deviceWriteBps = f.deviceWriteBps.map((t) => parseThrottle('device-write-bps', t, 'bytes'));
  if (f.deviceReadIops?.length) r.deviceReadIops = f.deviceReadIops.map((t) => parseThrottle('device-read-iops', t, 'count'));
  if (f.deviceWriteIops?.length) r.deviceWriteIops = f.deviceWriteIops.map((t) => parseThrottle('device-write-iops', t, 'count'));
  if (f.ulimit !== undefined && f.ulimit.length > 0) {
    // A later value for the same name replaces the earlier one (docker's map).
    const byName = new Map<string, Ulimit>();
    for (const u of f.ulimit.map(String).map(parseUlimit)) byName.set(u.name, u);
    r.ulimits = [...byName.values()];
  }
  if (f.oomScoreAdj !== undefined) r.oomScoreAdj = integer('oom-score-adj', f.oomScoreAdj, -1000, 1000);
  return Object.keys(r).length > 0 ? r : undefined;
}

/** The cgroup controllers the requested limits need (none for ulimits and oom-score-adj). */
export function neededControllers(r: ResourceLimits | undefined): Controller[] {
  if (!r) return [];
  const need = new Set<Controller>();
  if (r.memory !== undefined || r.memorySwap !== undefined || r.memoryReservation !== undefined) need.add('memory');
  if (r.nanoCpus !== undefined || r.cpuShares !== undefined || r.cpuQuota !== undefined || r.cpuPeriod !== undefined) need.add('cpu');
  if (r.cpusetCpus !== undefined || r.cpusetMems !== undefined) need.add('cpuset');
  if (r.pidsLimit !== undefined) need.add('pids');
  if (r.blkioWeight !== undefined || r.deviceReadBps || r.deviceWriteBps || r.deviceReadIops || r.deviceWriteIops) need.add('io');
  return [...need];
}

/** The limits without the cgroup part (what applies when cgroups cannot be used). */
export function processLimitsOnly(r: ResourceLimits | undefined): ResourceLimits | undefined {
  if (!r) return undefined;
  const out: ResourceLimits = {};
  if (r.ulimits) out.ulimits = r.ulimits;
  if (r.oomScoreAdj !== undefined) out.oomScoreAdj = r.oomScoreAdj;
  return Object.keys(out).length > 0 ? out : undefined;
}

export interface LimitCapability {
  /** Whether the cgroup limits can be enforced. */
  enforceable: boolean;
  /** Controllers usable here. */
  available: Controller[];
  /** Needed controllers that are not available. */
  missing: Controller[];
  /** Why not, and how to fix it (when not enforceable). */
  reason?: string;
  hint?: string;
}

/** Whether the needed controllers are usable where this user's containers go. */
export function limitCapability(support: CgroupSupport, needed: Controller[] = ALL_CONTROLLERS): LimitCapability {
  const available = support.usable;
  const missing = needed.filter((c) => !available.includes(c));
  if (missing.length === 0) return { enforceable: true, available, missing };
  if (support.reason) return { enforceable: false, available, missing, reason: support.reason, hint: support.hint };
  const where = support.version === 1 ? `the v1 hierarchies under ${support.parent}` : `the cgroup v2 subtree ${support.parent}`;
  return {
    enforceable: false,
    available,
    missing,
    reason: `the controller${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not usable in ${where} (usable: ${available.join(', ') || 'none'})`,
    hint:
      support.manager === 'runtime'
        ? 'mount the missing controllers'
        : support.version === 1
          ? `have root delegate ${missing.join(', ')} too (see helpers/delegate-cgroup-v1)`
          : DELEGATE_V2_HOW,
  };
}

/** The OCI config pieces: linux.resources, process.rlimits, process.oomScoreAdj. */
export interface OciLimits {
  resources?: Record<string, unknown>;
  rlimits?: Array<{ type: string; soft: number; hard: number }>;
  oomScoreAdj?: number;
}

export function ociResources(r: ResourceLimits | undefined): OciLimits {
  const out: OciLimits = {};
  if (!r) return out;
  const resources: Record<string, unknown> = {};
  const memory: Record<string, number> = {};
  if (r.memory) memory.limit = r.memory;
  if (r.memorySwap) memory.swap = r.memorySwap;
  if (r.memoryReservation) memory.reservation = r.memoryReservation;
  if (Object.keys(memory).length) resources.memory = memory;
  const cpu: Record<string, number | string> = {};
  if (r.cpuShares) cpu.shares = r.cpuShares;
  if (r.nanoCpus) {
    cpu.quota = Math.round((r.nanoCpus * CPU_PERIOD) / 1e9);
    cpu.period = CPU_PERIOD;
  }
  if (r.cpuQuota) cpu.quota = r.cpuQuota;
  if (r.cpuPeriod) cpu.period = r.cpuPeriod;
  if (r.cpusetCpus) cpu.cpus = r.cpusetCpus;
  if (r.cpusetMems) cpu.mems = r.cpusetMems;
  if (Object.keys(cpu).length) resources.cpu = cpu;
  if (r.pidsLimit !== undefined && r.pidsLimit !== 0) resources.pids = { limit: r.pidsLimit < 0 ? -1 : r.pidsLimit };
  const blockIO: Record<string, unknown> = {};
  if (r.blkioWeight) blockIO.weight = r.blkioWeight;
  const oci = (list: Throttle[] | undefined) => list?.map((t) => ({ major: t.major, minor: t.minor, rate: t.rate }));
  if (r.deviceReadBps) blockIO.throttleReadBpsDevice = oci(r.deviceReadBps);
  if (r.deviceWriteBps) blockIO.throttleWriteBpsDevice = oci(r.deviceWriteBps);
  if (r.deviceReadIops) blockIO.throttleReadIOPSDevice = oci(r.deviceReadIops);
  if (r.deviceWriteIops) blockIO.throttleWriteIOPSDevice = oci(r.deviceWriteIops);
  if (Object.keys(blockIO).length) resources.blockIO = blockIO;
  if (Object.keys(resources).length) out.resources = resources;
  if (r.ulimits?.length) out.rlimits = r.ulimits.map((u) => ({ type: ULIMIT_NAMES[u.name], soft: u.soft, hard: u.hard }));
  if (r.oomScoreAdj !== undefined) out.oomScoreAdj = r.oomScoreAdj;
  return out;
}

/** docker's inspect HostConfig keys for the limits (0/empty when unset). */
export function hostConfigLimits(r: ResourceLimits | undefined): Record<string, unknown> {
  return {
    Memory: r?.memory ?? 0,
    MemorySwap: r?.memorySwap ?? 0,
    MemoryReservation: r?.memoryReservation ?? 0,
    NanoCpus: r?.nanoCpus ?? 0,
    CpuShares: r?.cpuShares ?? 0,
    CpuQuota: r?.cpuQuota ?? 0,
    CpuPeriod: r?.cpuPeriod ?? 0,
    CpusetCpus: r?.cpusetCpus ?? '',
    CpusetMems: r?.cpusetMems ?? '',
    PidsLimit: r?.pidsLimit ?? 0,
    BlkioWeight: r?.blkioWeight ?? 0,
    BlkioDeviceReadBps: (r?.deviceReadBps ?? []).map((t) => ({ Path: t.path, Rate: t.rate })),
    BlkioDeviceWriteBps: (r?.deviceWriteBps ?? []).map((t) => ({ Path: t.path, Rate: t.rate })),
    BlkioDeviceReadIOps: (r?.deviceReadIops ?? []).map((t) => ({ Path: t.path, Rate: t.rate })),
    BlkioDeviceWriteIOps: (r?.deviceWriteIops ?? []).map((t) => ({ Path: t.path, Rate: t.rate })),
    Ulimits: (r?.ulimits ?? []).map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard })),
    OomScoreAdj: r?.oomScoreAdj ?? 0,
  };
}
