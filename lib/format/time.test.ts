import { describe, test, expect } from '@jest/globals';
import { bytesSize, fromHumanSize, humanDuration, humanSize, ramInBytes, timeAgo } from './time.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const W = 7 * D;
const MO = 30 * D;
const Y = 365 * D;

describe('humanDuration (go-units TestHumanDuration vectors)', () => {
  test.each<[number, string]>([
    [450, 'Less than a second'],
    [-5 * S, 'Less than a second'],
    [1 * S, '1 second'],
    [45 * S, '45 seconds'],
    [59 * S, '59 seconds'],
    [60 * S, 'About a minute'],
    [3 * M, '3 minutes'],
    [35 * M + 40 * S, '35 minutes'],
    [59 * M, '59 minutes'],
    [1 * H, 'About an hour'],
    [1 * H + 29 * M, 'About an hour'],
    [1 * H + 31 * M, '2 hours'],
    [3 * H + 29 * M, '3 hours'],
    [3 * H + 31 * M, '4 hours'],
    [3 * H + 60 * M, '4 hours'],
    [24 * H, '24 hours'],
    [1 * D + 12 * H, '36 hours'],
    [2 * D, '2 days'],
    [13 * D + 5 * H, '13 days'],
    [2 * W, '2 weeks'],
    [2 * W + 4 * D, '2 weeks'],
    [3 * W, '3 weeks'],
    [1 * MO, '4 weeks'],
    [1 * MO + 2 * W, '6 weeks'],
    [2 * MO, '2 months'],
    [5 * MO + 2 * W, '5 months'],
    [13 * MO, '13 months'],
    [24 * MO, '24 months'],
    [24 * MO + 2 * W, '2 years'],
    [3 * Y + 2 * MO, '3 years'],
  ])('%d ms → %s', (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });

  test('timeAgo', () => {
    const now = new Date('2024-05-01T12:00:00Z');
    expect(timeAgo(new Date('2024-05-01T11:55:00Z'), now)).toBe('5 minutes ago');
    expect(timeAgo('2024-04-01T12:00:00Z', now)).toBe('4 weeks ago');
    expect(timeAgo(now.getTime() - 3 * H, now.getTime())).toBe('3 hours ago');
  });
});

describe('humanSize', () => {
  test.each<[number, string]>([
    // go-units TestHumanSize (precision 4)
    [1000, '1kB'],
    [1024, '1.024kB'],
    [1000000, '1MB'],
    [1048576, '1.049MB'],
    [2e6, '2MB'],
    [3.42e9, '3.42GB'],
    [5.372e12, '5.372TB'],
    [2.22e15, '2.22PB'],
    [1e28, '1e+04YB'],
    [999999, '1000kB'],
  ])('HumanSize(%d) = %s', (n, want) => {
    expect(humanSize(n, 4)).toBe(want);
  });

  test.each<[number, string]>([
    // docker images / ps --size: HumanSizeWithPrecision(n, 3)
    [0, '0B'],
    [847, '847B'],
    [5500, '5.5kB'],
    [1234567, '1.23MB'],
    [12.3e9, '12.3GB'],
    [77812345, '77.8MB'],
    [1125, '1.12kB'], // exact tie: Go rounds half to even
    [999999, '1e+03kB'], // Go's %.3g quirk, reproduced
  ])('HumanSizeWithPrecision(%d, 3) = %s', (n, want) => {
    expect(humanSize(n)).toBe(want);
  });

  test('bytesSize (go-units TestBytesSize)', () => {
    expect(bytesSize(1024)).toBe('1KiB');
    expect(bytesSize(1024 * 1024)).toBe('1MiB');
    expect(bytesSize(3.42 * 2 ** 30)).toBe('3.42GiB');
    expect(bytesSize(5.372 * 2 ** 40)).toBe('5.372TiB');
    expect(bytesSize(2.22 * 2 ** 50)).toBe('2.22PiB');
    expect(bytesSize(2 ** 50 * 2 ** 50)).toBe('1.049e+06YiB');
  });

  test('fromHumanSize / ramInBytes', () => {
    expect(fromHumanSize('32')).toBe(32);
    expect(fromHumanSize('32kb')).toBe(32000);
    expect(fromHumanSize('32.5 kB')).toBe(32500);
    expect(fromHumanSize('0.3 K')).toBe(300);
    expect(ramInBytes('32m')).toBe(32 * 2 ** 20);
    expect(ramInBytes('32.3 mb')).toBe(Math.trunc(32.3 * 2 ** 20));
    for (const bad of ['', 'hello', '-32', '.3kB', ' 32 ', '32m b', '32bm']) expect(() => fromHumanSize(bad)).toThrow();
  });
});
