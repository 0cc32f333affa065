/**
 * --device-read-bps and friends: `PATH:RATE`, the device resolved to its
 * major:minor numbers (what the cgroup files take) when the flag is parsed.
 */
import { statSync } from 'node:fs';
import { UsageError } from '../errors/index.js';
import { ramInBytes } from '../format/time.js'; // not the index: the template engine is not needed to read a size

export interface Throttle {
  /** The device as given, for inspect. */
  path: string;
  major: number;
  minor: number;
  /** Bytes per second, or I/O operations per second. */
  rate: number;
}

/** glibc's gnu_dev_major/minor on a 64-bit dev_t. */
export function deviceNumbers(rdev: number): { major: number; minor: number } {
  const big = BigInt(rdev);
  const major = Number(((big >> 8n) & 0xfffn) | ((big >> 32n) & ~0xfffn));
  const minor = Number((big & 0xffn) | ((big >> 12n) & ~0xffn));
  return { major, minor };
}

export function parseThrottle(flag: string, text: string, unit: 'bytes' | 'count', stat = statSync): Throttle {
  const colon = text.lastIndexOf(':');
  const device = colon > 0 ? text.slice(0, colon) : '';
  const value = colon > 0 ? text.slice(colon + 1).trim() : '';
  if (!device.startsWith('/') || !value) {
    throw new UsageError(`invalid value "${text}" for --${flag}`, `use DEVICE:RATE with the device's path, e.g. /dev/sda:${unit === 'bytes' ? '1mb' : '1000'}`);
  }
  let rate: number;
  if (unit === 'bytes') {
    try {
      rate = ramInBytes(value);
    } catch {
      throw new UsageError(`invalid rate "${value}" for --${flag}: not a size`, 'use a number with an optional unit: b, k, m or g (e.g. 1mb)');
    }
  } else {
    rate = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(rate)) throw new UsageError(`invalid rate "${value}" for --${flag}: not a whole number of operations per second`);
  }
  let st;
  try {
    st = stat(device);
  } catch {
    throw new UsageError(`--${flag}: no such device: ${device}`, 'give the path of a block device on this host, e.g. /dev/sda (see `lsblk`)');
  }
  if (!st.isBlockDevice()) throw new UsageError(`--${flag}: ${device} is not a block device`, 'give a block device such as /dev/sda (see `lsblk`)');
  return { path: device, ...deviceNumbers(Number(st.rdev)), rate };
}
