/** `tote update [OPTIONS] CONTAINER...` / `tote container update`. */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';
import { out } from '../output.js';
import { eachContainer } from './targets.js';

interface UpdateArgs extends GlobalArgs {
  containers: string[];
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
  restart?: string;
}

const str = (v: unknown): string | undefined => (v === undefined ? undefined : String(v));

export const updateCommand: CommandModule<GlobalArgs, UpdateArgs> = {
  command: 'update [containers..]',
  describe: 'Update the resource limits of one or more containers',
  builder: (y) =>
    y
      .positional('containers', { type: 'string', array: true, default: [], describe: 'Containers' })
      .options({
        memory: { alias: 'm', type: 'string', describe: 'Memory limit (a number with an optional unit: b, k, m, g)' },
        'memory-swap': { type: 'string', describe: 'Memory plus swap limit (-1: unlimited swap)' },
        'memory-reservation': { type: 'string', describe: 'Memory soft limit' },
        cpus: { type: 'string', describe: 'Number of CPUs (e.g. 0.5: half a CPU)' },
        'cpu-shares': { alias: 'c', type: 'string', describe: 'CPU shares (relative weight)' },
        'cpu-quota': { type: 'string', describe: 'Limit the CPU CFS quota (microseconds per period)' },
        'cpu-period': { type: 'string', describe: 'Limit the CPU CFS period (microseconds)' },
        'cpuset-cpus': { type: 'string', describe: 'CPUs in which to allow execution (0-3, 0,1)' },
        'cpuset-mems': { type: 'string', describe: 'Memory nodes in which to allow execution (0-3, 0,1)' },
        'pids-limit': { type: 'string', describe: 'Limit the number of processes (-1: unlimited)' },
        'blkio-weight': { type: 'string', describe: 'Block IO relative weight, 10 to 1000 (0: disabled)' },
        restart: { type: 'string', describe: 'Restart policy: no, on-failure[:N], always, unless-stopped' },
      }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const { updateContainerLimits, checkUpdateFlags } = await import('../../lib/container/index.js');
    const limits = {
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
    checkUpdateFlags(limits);
    await eachContainer(ctx, args.containers, {}, async (c, name) => {
      await updateContainerLimits(ctx.config, c, { limits, restart: str(args.restart) });
      out(name);
    });
  },
};
