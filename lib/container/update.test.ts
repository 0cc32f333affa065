import { describe, expect, test } from '@jest/globals';
import { UsageError } from '../errors/index.js';
import { checkUpdateFlags, limitsToFlags, mergeLimits } from './update.js';

const MiB = 2 ** 20;

describe('update: merging new limits into the recorded ones', () => {
  test('new values replace old ones, others stay', () => {
    expect(mergeLimits({ memory: 64 * MiB, pidsLimit: 10 }, { memory: '128m' })).toEqual({ memory: 128 * MiB, pidsLimit: 10 });
  });

  test('--cpus replaces a quota, and a quota replaces --cpus', () => {
    expect(mergeLimits({ cpuQuota: 20000, cpuPeriod: 50000 }, { cpus: '1.5' })).toEqual({ nanoCpus: 1.5e9 });
    expect(mergeLimits({ nanoCpus: 5e8 }, { cpuQuota: '30000' })).toEqual({ cpuQuota: 30000 });
  });

  test('checked as a whole: swap below the recorded memory is refused', () => {
    expect(() => mergeLimits({ memory: 128 * MiB }, { memorySwap: '64m' })).toThrow(UsageError);
    expect(mergeLimits({ memory: 128 * MiB }, { memorySwap: '256m' })).toEqual({ memory: 128 * MiB, memorySwap: 256 * MiB });
  });

  test('settings update does not touch are kept', () => {
    const ulimits = [{ name: 'nofile', soft: 1, hard: 2 }];
    expect(mergeLimits({ ulimits, oomScoreAdj: 5 }, { pidsLimit: '7' })).toEqual({ ulimits, oomScoreAdj: 5, pidsLimit: 7 });
  });

  test('round trip through flags', () => {
    const r = { memory: 64 * MiB, memorySwap: -1, nanoCpus: 2.5e9, pidsLimit: -1, cpusetCpus: '0-1' };
    expect(mergeLimits(r, {})).toEqual(r);
    expect(limitsToFlags(undefined)).toEqual({});
  });

  test.each([[{ memory: 'lots' }], [{ cpus: 'x' }], [{ pidsLimit: '1.5' }], [{ memorySwap: 'big' }], [{ blkioWeight: '5' }]])('bad value %j', (f) => {
    expect(() => checkUpdateFlags(f)).toThrow(UsageError);
  });

  test('good values pass the early check', () => {
    expect(() => checkUpdateFlags({ memory: '1g', memorySwap: '-1', cpus: '0.5', pidsLimit: '100' })).not.toThrow();
  });
});
