/**
 * docker/go-units: HumanDuration, HumanSize(WithPrecision), BytesSize and the
 * size parsers, reproducing Go's integer truncation and %.*g formatting.
 */
import { formatFloat } from './gofloat.js';

const NS_PER_SECOND = 1e9;
const NS_PER_MINUTE = 60 * NS_PER_SECOND;
const NS_PER_HOUR = 60 * NS_PER_MINUTE;

/** time.Duration.Round(time.Hour) / time.Hour, for a non-negative duration in ns. */
function roundedHours(ns: number): number {
  const r = ns % NS_PER_HOUR;
  const rounded = r + r < NS_PER_HOUR ? ns - r : ns + NS_PER_HOUR - r;
  return Math.trunc(rounded / NS_PER_HOUR);
}

/**
 * units.HumanDuration: "Less than a second", "1 second", "47 seconds",
 * "About a minute", "5 minutes", "About an hour", "3 hours", "2 days",
 * "3 weeks", "4 months", "2 years".
 */
export function humanDuration(ms: number): string {
  const ns = Math.round(ms * 1e6);
  const seconds = Math.trunc(ns / NS_PER_SECOND);
  if (!(seconds >= 1)) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ns / NS_PER_MINUTE);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = roundedHours(ns);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ns / NS_PER_HOUR) / 24 / 365)} years`;
}

function toMillis(d: Date | number | string): number {
  return d instanceof Date ? d.getTime() : typeof d === 'number' ? d : Date.parse(d);
}

/** `${humanDuration(now - date)} ago`, docker's "Created"/"RunningFor" column. */
export function timeAgo(date: Date | number | string, now: Date | number = Date.now()): string {
  return `${humanDuration(toMillis(now) - toMillis(date))} ago`;
}

const DECIMAL_ABBRS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const BINARY_ABBRS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

function sizeAndUnit(size: number, base: number, abbrs: string[]): [number, string] {
  let i = 0;
  const limit = abbrs.length - 1;
  while (size >= base && i < limit) {
    size /= base;
    i++;
  }
  return [size, abbrs[i]];
}

/**
 * units.HumanSizeWithPrecision(size, precision): decimal units, Go's
 * `%.*g` formatting ("1.23MB", "5.5kB", "0B", "847B", "12.3GB").
 * docker images / ps --size use precision 3; units.HumanSize uses 4.
 */
export function humanSize(bytes: number, precision = 3): string {
  const [size, unit] = sizeAndUnit(bytes, 1000, DECIMAL_ABBRS);
  return formatFloat(size, 'g', precision) + unit;
}

/** units.BytesSize: binary units with %.4g ("1KiB", "3.42GiB"). */
export function bytesSize(bytes: number): string {
  const [size, unit] = sizeAndUnit(bytes, 1024, BINARY_ABBRS);
  return formatFloat(size, 'g', 4) + unit;
}

const SIZE_RE = /^(\d+(\.\d+)*) ?([kmgtp])?i?b?$/i;
const DECIMAL_MAP: Record<string, number> = { k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 };
const BINARY_MAP: Record<string, number> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 };

function parseSize(s: string, map: Record<string, number>): number {
  const m = SIZE_RE.exec(s);
  if (!m || !/^\d+(\.\d+)?$/.test(m[1])) throw new Error(`invalid size: '${s}'`);
  let size = Number(m[1]);
  const mul = m[3] ? map[m[3].toLowerCase()] : undefined;
  if (mul !== undefined) size *= mul;
  return Math.trunc(size);
}

/** units.FromHumanSize: "32kB" → 32000 (decimal units). Throws on bad input. */
export function fromHumanSize(s: string): number {
  return parseSize(s, DECIMAL_MAP);
}

/** units.RAMInBytes: "32m" → 33554432 (binary units). Throws on bad input. */
export function ramInBytes(s: string): number {
  return parseSize(s, BINARY_MAP);
}
