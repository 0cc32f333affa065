/** The parsed limit flags (LIMIT_OPTIONS) as lib/cgroups' LimitFlags: strings, checked there. */
import type { LimitFlags } from '../../lib/cgroups/index.js';

type CgroupLimitFlags = Omit<LimitFlags, 'ulimit' | 'oomScoreAdj' | 'deviceReadBps' | 'deviceWriteBps' | 'deviceReadIops' | 'deviceWriteIops'>;

const str = (v: unknown): string | undefined => (v === undefined ? undefined : String(v));

export function cgroupLimitFlags(args: { [K in keyof CgroupLimitFlags]?: unknown }): CgroupLimitFlags {
  return {
    memory: str(args.memory),
    memorySwap: str(args.memorySwap),
    memoryReservation: str(args.memoryReservation),
    cpus: str(args.cpus),
    cpuShares: str(args.cpuShares),
    cpuQuota: str(args.cpuQuota),
    cpuPeriod: str(args.cpuPeriod),
    cpusetCpus: str(args.cpusetCpus),
    cpusetMems: str(args.cpusetMems),
    pidsLimit: str(args.pidsLimit),
    blkioWeight: str(args.blkioWeight),
  };
}
