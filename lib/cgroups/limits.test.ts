import { describe, expect, test } from '@jest/globals';
import { UsageError } from '../errors/index.js';
import { generateSpec } from '../runtime/spec.js';
import {
  hostConfigLimits,
  limitCapability,
  neededControllers,
  ociResources,
  parseResourceLimits,
  parseUlimit,
  processLimitsOnly,
} from './limits.js';
import type { CgroupSupport, Controller } from './support.js';

const MiB = 2 ** 20;

describe('parseResourceLimits', () => {
  test('nothing given: undefined', () => {
    expect(parseResourceLimits({})).toBeUndefined();
    expect(parseResourceLimits({ ulimit: [] })).toBeUndefined();
  });

  test('memory units b, k, m, g', () => {
    expect(parseResourceLimits({ memory: '64m' })).toEqual({ memory: 64 * MiB });
    expect(parseResourceLimits({ memory: '1g' })!.memory).toBe(2 ** 30);
    expect(parseResourceLimits({ memory: '8192k' })!.memory).toBe(8 * MiB);
    expect(parseResourceLimits({ memory: `${7 * MiB}b` })!.memory).toBe(7 * MiB);
    expect(parseResourceLimits({ memory: `${7 * MiB}` })!.memory).toBe(7 * MiB);
  });

  test('swap and reservation', () => {
    expect(parseResourceLimits({ memory: '64m', memorySwap: '128m', memoryReservation: '32m' })).toEqual({
      memory: 64 * MiB,
      memorySwap: 128 * MiB,
      memoryReservation: 32 * MiB,
    });
    expect(parseResourceLimits({ memory: '64m', memorySwap: '-1' })!.memorySwap).toBe(-1);
  });

  test('cpus, shares, quota, period, cpusets', () => {
    expect(parseResourceLimits({ cpus: '0.5' })).toEqual({ nanoCpus: 5e8 });
    expect(parseResourceLimits({ cpus: '2' })).toEqual({ nanoCpus: 2e9 });
    expect(parseResourceLimits({ cpuShares: '512', cpuQuota: '50000', cpuPeriod: '100000', cpusetCpus: '0-1,3', cpusetMems: '0' })).toEqual({
      cpuShares: 512,
      cpuQuota: 50000,
      cpuPeriod: 100000,
      cpusetCpus: '0-1,3',
      cpusetMems: '0',
    });
  });

  test('pids, blkio, ulimits, oom-score-adj', () => {
    expect(parseResourceLimits({ pidsLimit: '100', blkioWeight: '500', ulimit: ['nofile=100:200', 'nproc=50', 'nofile=10'], oomScoreAdj: '-500' })).toEqual({
      pidsLimit: 100,
      blkioWeight: 500,
      ulimits: [
        { name: 'nofile', soft: 10, hard: 10 },
        { name: 'nproc', soft: 50, hard: 50 },
      ],
      oomScoreAdj: -500,
    });
    expect(parseResourceLimits({ pidsLimit: '-1' })!.pidsLimit).toBe(-1);
  });

  test.each<[string, Parameters<typeof parseResourceLimits>[0]]>([
    ['memory not a size', { memory: 'lots' }],
    ['memory negative', { memory: '-5m' }],
    ['memory below 6MB', { memory: '4m' }],
    ['swap without memory', { memorySwap: '1g' }],
    ['swap below memory', { memory: '64m', memorySwap: '32m' }],
    ['reservation above memory', { memory: '64m', memoryReservation: '128m' }],
    ['cpus not a number', { cpus: 'half' }],
    ['cpus negative', { cpus: '-1' }],
    ['cpus with quota', { cpus: '1', cpuQuota: '50000' }],
    ['shares not an integer', { cpuShares: '1.5' }],
    ['quota below 1ms', { cpuQuota: '500' }],
    ['period too large', { cpuPeriod: '2000000' }],
    ['cpuset bad', { cpusetCpus: '0-a' }],
    ['cpuset reversed range', { cpusetCpus: '3-1' }],
    ['pids not an integer', { pidsLimit: 'abc' }],
    ['blkio below 10', { blkioWeight: '5' }],
    ['blkio above 1000', { blkioWeight: '1001' }],
    ['ulimit without =', { ulimit: ['nofile'] }],
    ['ulimit unknown', { ulimit: ['files=10'] }],
    ['ulimit soft above hard', { ulimit: ['nofile=200:100'] }],
    ['ulimit three values', { ulimit: ['nofile=1:2:3'] }],
    ['ulimit not a number', { ulimit: ['nofile=x'] }],
    ['oom-score-adj out of range', { oomScoreAdj: '1001' }],
  ])('%s: UsageError', (_what, flags) => {
    expect(() => parseResourceLimits(flags)).toThrow(UsageError);
  });

  test('parseUlimit: hard defaults to soft', () => expect(parseUlimit('core=0')).toEqual({ name: 'core', soft: 0, hard: 0 }));
});

describe('neededControllers / processLimitsOnly', () => {
  test('process settings need no cgroup', () => {
    expect(neededControllers(undefined)).toEqual([]);
    expect(neededControllers({ ulimits: [{ name: 'nofile', soft: 1, hard: 1 }], oomScoreAdj: 5 })).toEqual([]);
  });
  test('each limit its controller', () => {
    expect(neededControllers({ memory: 1, nanoCpus: 1, cpusetCpus: '0', pidsLimit: 3, blkioWeight: 10 }).sort()).toEqual(['cpu', 'cpuset', 'io', 'memory', 'pids']);
  });
  test('processLimitsOnly keeps ulimits and oom-score-adj', () => {
    expect(processLimitsOnly({ memory: 1, oomScoreAdj: 0 })).toEqual({ oomScoreAdj: 0 });
    expect(processLimitsOnly({ memory: 1 })).toBeUndefined();
  });
});

describe('ociResources', () => {
  test('nothing: nothing', () => expect(ociResources(undefined)).toEqual({}));
  test('full mapping', () => {
    const r = parseResourceLimits({
      memory: '64m',
      memorySwap: '128m',
      memoryReservation: '32m',
      cpus: '1.5',
      cpuShares: '512',
      cpusetCpus: '0-1',
      cpusetMems: '0',
      pidsLimit: '20',
      blkioWeight: '300',
      ulimit: ['nofile=100:200'],
      oomScoreAdj: '100',
    });
    expect(ociResources(r)).toEqual({
      resources: {
        memory: { limit: 64 * MiB, swap: 128 * MiB, reservation: 32 * MiB },
        cpu: { shares: 512, quota: 150000, period: 100000, cpus: '0-1', mems: '0' },
        pids: { limit: 20 },
        blockIO: { weight: 300 },
      },
      rlimits: [{ type: 'RLIMIT_NOFILE', soft: 100, hard: 200 }],
      oomScoreAdj: 100,
    });
  });
  test('explicit quota and period; unlimited pids', () => {
    expect(ociResources({ cpuQuota: 50000, cpuPeriod: 200000, pidsLimit: -1 }).resources).toEqual({
      cpu: { quota: 50000, period: 200000 },
      pids: { limit: -1 },
    });
  });
  test('process settings only: no resources', () => {
    expect(ociResources({ oomScoreAdj: 0 })).toEqual({ oomScoreAdj: 0 });
  });
});

describe('generateSpec with limits', () => {
  const base = {
    rootfs: '/r',
    readOnlyRoot: false,
    args: ['true'],
    env: [],
    cwd: '/',
    uid: 0,
    gid: 0,
    additionalGids: [],
    terminal: false,
    hostname: 'h',
    binds: [],
    ttyGroupMapped: true,
  };
  test('emitted only when given', () => {
    const spec = generateSpec(base) as { process: Record<string, unknown>; linux: Record<string, unknown> };
    expect(spec.process).not.toHaveProperty('rlimits');
    expect(spec.process).not.toHaveProperty('oomScoreAdj');
    expect(spec.linux).not.toHaveProperty('resources');
  });
  test('placed in process and linux', () => {
    const spec = generateSpec({ ...base, ...ociResources({ memory: 64 * MiB, ulimits: [{ name: 'nofile', soft: 100, hard: 100 }], oomScoreAdj: 10 }) }) as {
      process: Record<string, unknown>;
      linux: Record<string, unknown>;
    };
    expect(spec.process.rlimits).toEqual([{ type: 'RLIMIT_NOFILE', soft: 100, hard: 100 }]);
    expect(spec.process.oomScoreAdj).toBe(10);
    expect(spec.linux.resources).toEqual({ memory: { limit: 64 * MiB } });
  });
});

describe('hostConfigLimits', () => {
  test('docker defaults', () =>
    expect(hostConfigLimits(undefined)).toEqual({
      Memory: 0,
      MemorySwap: 0,
      MemoryReservation: 0,
      NanoCpus: 0,
      CpuShares: 0,
      CpuQuota: 0,
      CpuPeriod: 0,
      CpusetCpus: '',
      CpusetMems: '',
      PidsLimit: 0,
      BlkioWeight: 0,
      BlkioDeviceReadBps: [],
      BlkioDeviceWriteBps: [],
      BlkioDeviceReadIOps: [],
      BlkioDeviceWriteIOps: [],
      Ulimits: [],
      OomScoreAdj: 0,
    }));
  test('values', () => {
    const h = hostConfigLimits({ memory: 5, nanoCpus: 5e8, ulimits: [{ name: 'nofile', soft: 1, hard: 2 }] });
    expect(h).toMatchObject({ Memory: 5, NanoCpus: 5e8, Ulimits: [{ Name: 'nofile', Soft: 1, Hard: 2 }] });
  });
});

describe('limitCapability', () => {
  const support = (usable: Controller[], extra: Partial<CgroupSupport> = {}): CgroupSupport => ({
    version: 1,
    manager: 'tote',
    parent: '/tote-1234',
    usable,
    hierarchies: { v1: {} },
    ...extra,
  });

  test('everything needed is usable', () => {
    expect(limitCapability(support(['memory', 'pids']), ['memory'])).toMatchObject({ enforceable: true, missing: [] });
  });

  test('nothing delegated: the support\'s reason and hint', () => {
    const cap = limitCapability(support([], { reason: 'no subtree for uid 1234', hint: 'run helpers/delegate-cgroup-v1' }), ['memory']);
    expect(cap).toMatchObject({ enforceable: false, missing: ['memory'], reason: 'no subtree for uid 1234', hint: 'run helpers/delegate-cgroup-v1' });
  });

  test('partly delegated: names what is missing', () => {
    const cap = limitCapability(support(['memory', 'pids'], { version: 2, parent: '/user.slice/x/tote' }), ['memory', 'cpu', 'cpuset']);
    expect(cap).toMatchObject({ enforceable: false, missing: ['cpu', 'cpuset'] });
    expect(cap.reason).toContain('cpu, cpuset');
    expect(cap.hint).toContain('Delegate=');
  });
});
