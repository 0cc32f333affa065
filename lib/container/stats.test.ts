import { describe, expect, test } from '@jest/globals';
import { cpuPercent, parseNetDev, type StatsSample } from './stats.js';

describe('stats', () => {
  test('net/dev: every interface but loopback', () => {
    const text = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     100       1    0    0    0     0          0         0      100       1    0    0    0     0       0          0
  tap0:    1500      10    0    0    0     0          0         0      648       8    0    0    0     0       0          0
  eth1:      10       1    0    0    0     0          0         0        2       1    0    0    0     0       0          0
`;
    expect(parseNetDev(text)).toEqual({ rx: 1510, tx: 650 });
  });

  const sample = (cpuNs: number, at: number, running = true): StatsSample => ({ id: 'x', name: 'x', cpuNs, at, running });

  test('CPU % between samples, of one CPU', () => {
    expect(cpuPercent(sample(5e8, 2000), { cpuNs: 0, at: 1000 })).toBeCloseTo(50);
    expect(cpuPercent(sample(3e9, 2000), { cpuNs: 1e9, at: 1000 })).toBeCloseTo(200);
  });

  test('no earlier sample, a stopped container, or no time passed: 0', () => {
    expect(cpuPercent(sample(5e8, 2000), undefined)).toBe(0);
    expect(cpuPercent(sample(5e8, 2000, false), { cpuNs: 0, at: 1000 })).toBe(0);
    expect(cpuPercent(sample(5e8, 1000), { cpuNs: 0, at: 1000 })).toBe(0);
  });
});
