/**
 * `stats`: one sample of a container's resource use. From its cgroup when
 * it has one; otherwise (rootless, nothing delegated) from /proc, summed
 * over the processes of its pid namespace: CPU time and resident memory are
 * still right, block I/O is unknown there. Network bytes come from the
 * container's network namespace (/proc/PID/net/dev, loopback left out).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import { readCounters, type CgroupCounters } from '../cgroups/index.js';
import type { ContainerRecord } from '../storage/index.js';
import { pidsInNamespaceOf } from './top.js';

export interface StatsSample extends CgroupCounters {
  id: string;
  name: string;
  /** When the sample was taken (ms since the epoch, fractional). */
  at: number;
  netRx?: number;
  netTx?: number;
  running: boolean;
}

/** USER_HZ: the kernel's clock-tick unit for /proc/PID/stat times, 100 on Linux. */
const CLK_TCK = 100;
const PAGE_SIZE = 4096;

async function readText(file: string): Promise<string | undefined> {
  return fs.readFile(file, 'utf8').catch(() => undefined);
}

/** Bytes received and sent on every interface but loopback. */
export function parseNetDev(text: string): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.slice(0, colon).trim() === 'lo') continue;
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    rx += f[0] || 0;
    tx += f[8] || 0;
  }
  return { rx, tx };
}

/** utime+stime (ns) and resident bytes of the processes. */
async function procCounters(pids: number[]): Promise<CgroupCounters> {
  let cpuTicks = 0;
  let rssPages = 0;
  let seen = 0;
  await Promise.all(
    pids.map(async (pid) => {
      const [stat, statm] = await Promise.all([readText(`/proc/${pid}/stat`), readText(`/proc/${pid}/statm`)]);
      if (!stat || !statm) return;
      // Fields after the command (which may contain spaces): state is [0], utime [11], stime [12].
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpuTicks += Number(f[11]) + Number(f[12]);
      rssPages += Number(statm.split(' ')[1]);
      seen++;
    }),
  );
  return { cpuNs: (cpuTicks * 1e9) / CLK_TCK, memoryBytes: rssPages * PAGE_SIZE, pids: seen };
}

export async function sampleStats(record: ContainerRecord): Promise<StatsSample> {
  const base = { id: record.id, name: record.name, at: Date.now() };
  const running = (record.status === 'running' || record.status === 'paused') && Boolean(record.pid);
  if (!running) return { ...base, running: false, cpuNs: 0, memoryBytes: 0, pids: 0, blockRead: 0, blockWrite: 0, netRx: 0, netTx: 0 };
  let counters: CgroupCounters;
  if (record.cgroup) {
    counters = await readCounters(record.cgroup);
  } else {
    const pids = await pidsInNamespaceOf(record.pid!).catch(() => []);
    counters = await procCounters(pids);
  }
  const mode = record.spec.network?.mode;
  let net: { rx: number; tx: number } | undefined;
  if (mode !== 'host') {
    const text = await readText(`/proc/${record.pid}/net/dev`);
    net = text ? parseNetDev(text) : undefined;
  }
  return { ...base, running: true, ...counters, memoryLimit: counters.memoryLimit ?? os.totalmem(), netRx: net?.rx, netTx: net?.tx };
}

/**
 * CPU use between two samples, in percent of one CPU (docker's CPU %: 200%
 * is two CPUs busy). Without an earlier sample, the average since the
 * container started, as podman reports it for --no-stream.
 */
export function cpuPercent(cur: StatsSample, prev: { cpuNs?: number; at: number } | undefined): number {
  if (!cur.running || cur.cpuNs === undefined || !prev || prev.cpuNs === undefined) return 0;
  const wallNs = (cur.at - prev.at) * 1e6;
  if (wallNs <= 0) return 0;
  return Math.max(0, ((cur.cpuNs - prev.cpuNs) / wallNs) * 100);
}
