import { describe, expect, test } from '@jest/globals';
import { blkioToIoWeight, limitWrites, sharesToWeight, v1Writes, v2Writes } from './files.js';

const dev = (rate: number) => [{ path: '/dev/vda', major: 254, minor: 0, rate }];

describe('cgroup v1 writes', () => {
  test('memory, cpus, pids in the order the kernel accepts them', () => {
    expect(v1Writes({ memory: 64 * 2 ** 20, nanoCpus: 5e8, pidsLimit: 10, cpusetCpus: '0' }).map((w) => `${w.file}=${w.value}`)).toEqual([
      'cpuset.cpus=0',
      'memory.limit_in_bytes=67108864',
      'cpu.cfs_period_us=100000',
      'cpu.cfs_quota_us=50000',
      'pids.max=10',
    ]);
  });

  test('unlimited values', () => {
    expect(v1Writes({ memory: 0, pidsLimit: -1, memorySwap: -1 }).map((w) => w.value)).toEqual(['-1', '-1', 'max']);
  });

  test('swap and I/O weight may be missing on a host: optional', () => {
    const w = v1Writes({ memory: 2 ** 26, memorySwap: 2 ** 27, blkioWeight: 500 });
    expect(w.filter((x) => x.optional).map((x) => x.file)).toEqual(['memory.memsw.limit_in_bytes', 'blkio.weight']);
  });

  test('device throttles', () => {
    expect(v1Writes({ deviceReadBps: dev(1048576), deviceWriteIops: dev(100) }).map((w) => `${w.file}=${w.value}`)).toEqual([
      'blkio.throttle.read_bps_device=254:0 1048576',
      'blkio.throttle.write_iops_device=254:0 100',
    ]);
  });
});

describe('cgroup v2 writes', () => {
  test('memory, cpu.max, pids', () => {
    expect(v2Writes({ memory: 2 ** 26, nanoCpus: 1.5e9, pidsLimit: 0 }).map((w) => `${w.file}=${w.value}`)).toEqual([
      'memory.max=67108864',
      'cpu.max=150000 100000',
      'pids.max=max',
    ]);
  });

  test('--memory-swap is memory plus swap; swap.max is swap alone', () => {
    expect(v2Writes({ memory: 100, memorySwap: 300 }).find((w) => w.file === 'memory.swap.max')?.value).toBe('200');
    expect(v2Writes({ memory: 100, memorySwap: -1 }).find((w) => w.file === 'memory.swap.max')?.value).toBe('max');
  });

  test('quota without period keeps the default period', () => {
    expect(v2Writes({ cpuQuota: 20000 }).map((w) => w.value)).toEqual(['20000 100000']);
  });

  test('one io.max line per device', () => {
    expect(v2Writes({ deviceReadBps: dev(10), deviceWriteBps: dev(20) }).map((w) => w.value)).toEqual(['254:0 rbps=10 wbps=20']);
  });

  test('weights converted as crun does', () => {
    expect(sharesToWeight(1024)).toBe(39);
    expect(sharesToWeight(2)).toBe(1);
    expect(sharesToWeight(262144)).toBe(10000);
    expect(blkioToIoWeight(10)).toBe(1);
    expect(blkioToIoWeight(1000)).toBe(10000);
  });

  test('no limits, no writes', () => {
    expect(limitWrites(2, undefined)).toEqual([]);
    expect(limitWrites(1, { ulimits: [{ name: 'nofile', soft: 1, hard: 1 }] })).toEqual([]);
  });
});
