import { describe, expect, test } from '@jest/globals';
import type { Stats } from 'node:fs';
import { UsageError } from '../errors/index.js';
import { deviceNumbers, parseThrottle } from './devices.js';

const blockDev = (rdev: number) => (() => ({ isBlockDevice: () => true, rdev }) as unknown as Stats) as unknown as typeof import('node:fs').statSync;
const notDev = (() => ({ isBlockDevice: () => false, rdev: 0 }) as unknown as Stats) as unknown as typeof import('node:fs').statSync;

describe('device throttles', () => {
  test('major:minor from dev_t', () => {
    expect(deviceNumbers(0xfe00)).toEqual({ major: 254, minor: 0 });
    expect(deviceNumbers(0x0801)).toEqual({ major: 8, minor: 1 });
    // Large minors live in the high bits.
    expect(deviceNumbers(0x10_00_08_01)).toEqual({ major: 8, minor: 0x10001 });
  });

  test('DEVICE:RATE with units', () => {
    expect(parseThrottle('device-read-bps', '/dev/vda:1mb', 'bytes', blockDev(0xfe00))).toEqual({ path: '/dev/vda', major: 254, minor: 0, rate: 1048576 });
    expect(parseThrottle('device-write-iops', '/dev/vda:300', 'count', blockDev(0xfe00)).rate).toBe(300);
  });

  test.each([['vda:1mb'], ['/dev/vda'], ['/dev/vda:'], ['/dev/vda:fast']])('bad value %s', (text) => {
    expect(() => parseThrottle('device-read-bps', text, 'bytes', blockDev(1))).toThrow(UsageError);
  });

  test('iops must be whole', () => {
    expect(() => parseThrottle('device-read-iops', '/dev/vda:1.5', 'count', blockDev(1))).toThrow(/whole number/);
  });

  test('not a block device, or missing', () => {
    expect(() => parseThrottle('device-read-bps', '/dev/null:1mb', 'bytes', notDev)).toThrow(/not a block device/);
    expect(() => parseThrottle('device-read-bps', '/nonexistent/dev:1mb', 'bytes')).toThrow(/no such device/);
  });
});
