/**
 * A cgroup's own counters, as `stats` shows them: CPU time, memory in use
 * (without the reclaimable page cache, as docker counts it) and its limit,
 * block I/O bytes and the process count. Missing files read as undefined.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { controllerDir, type CgroupPlace } from './manage.js';

export interface CgroupCounters {
  /** Total CPU time used, in nanoseconds. */
  cpuNs?: number;
  memoryBytes?: number;
  /** undefined: no limit. */
  memoryLimit?: number;
  blockRead?: number;
  blockWrite?: number;
  pids?: number;
}

async function read(dir: string | undefined, file: string): Promise<string | undefined> {
  if (!dir) return undefined;
  return fs.readFile(path.join(dir, file), 'utf8').catch(() => undefined);
}

function keyed(text: string | undefined, key: string): number | undefined {
  if (!text) return undefined;
  const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

const num = (text: string | undefined): number | undefined => {
  const t = text?.trim();
  return t && /^\d+$/.test(t) ? Number(t) : undefined;
};

/** A v1 limit at or near 2^63 means "unlimited". */
const v1Limit = (n: number | undefined): number | undefined => (n === undefined || n >= 2 ** 62 ? undefined : n);

export async function readCounters(place: CgroupPlace): Promise<CgroupCounters> {
  if (place.version === 2) {
    const dir = place.dirs.unified;
    const [cpu, current, stat, max, io, pids] = await Promise.all([
      read(dir, 'cpu.stat'),
      read(dir, 'memory.current'),
      read(dir, 'memory.stat'),
      read(dir, 'memory.max'),
      read(dir, 'io.stat'),
      read(dir, 'pids.current'),
    ]);
    const usec = keyed(cpu, 'usage_usec');
    const mem = num(current);
    let blockRead: number | undefined;
    let blockWrite: number | undefined;
    if (io !== undefined) {
      blockRead = 0;
      blockWrite = 0;
      for (const m of io.matchAll(/rbytes=(\d+)\s+wbytes=(\d+)/g)) {
        blockRead += Number(m[1]);
        blockWrite += Number(m[2]);
      }
    }
    return {
      cpuNs: usec === undefined ? undefined : usec * 1000,
      memoryBytes: mem === undefined ? undefined : Math.max(0, mem - (keyed(stat, 'inactive_file') ?? 0)),
      memoryLimit: num(max),
      blockRead,
      blockWrite,
      pids: num(pids),
    };
  }
  const mem = controllerDir(place, 'memory');
  const [cpu, usage, stat, limit, io, pids] = await Promise.all([
    read(controllerDir(place, 'cpuacct'), 'cpuacct.usage'),
    read(mem, 'memory.usage_in_bytes'),
    read(mem, 'memory.stat'),
    read(mem, 'memory.limit_in_bytes'),
    read(controllerDir(place, 'io'), 'blkio.throttle.io_service_bytes_recursive'),
    read(controllerDir(place, 'pids'), 'pids.current'),
  ]);
  const used = num(usage);
  let blockRead: number | undefined;
  let blockWrite: number | undefined;
  if (io !== undefined) {
    blockRead = 0;
    blockWrite = 0;
    for (const m of io.matchAll(/^\d+:\d+ (Read|Write) (\d+)$/gm)) {
      if (m[1] === 'Read') blockRead += Number(m[2]);
      else blockWrite += Number(m[2]);
    }
  }
  return {
    cpuNs: num(cpu),
    memoryBytes: used === undefined ? undefined : Math.max(0, used - (keyed(stat, 'total_inactive_file') ?? 0)),
    memoryLimit: v1Limit(num(limit)),
    blockRead,
    blockWrite,
    pids: num(pids),
  };
}
