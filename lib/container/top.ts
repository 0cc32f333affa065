/**
 * `tote top`: the container's processes, as docker shows them — `ps -ef`
 * columns with host pids. Without ps options the table is built from /proc
 * (the processes in the container init's pid namespace; the container's
 * owner may read them); with options, the host's `ps` is run on those pids
 * and its output parsed the way dockerd does (daemon/top_unix.go).
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import type { ToteConfig } from '../config/index.js';
import { SystemError, ToteError } from '../errors/index.js';
import type { ContainerRecord } from '../storage/index.js';
import { refreshStatus } from './status.js';

export interface TopResult {
  Titles: string[];
  Processes: string[][];
}

export const PS_EF_TITLES = ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'];

/** Clock ticks per second (sysconf(_SC_CLK_TCK)): 100 on every Linux Node runs on. */
const HZ = 100;

export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  ttyNr: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
  /** Start time after boot, in clock ticks. */
  startTicks: number;
}

/** /proc/PID/stat. `comm` may hold spaces and parentheses: it ends at the last ")". */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const f = text.slice(close + 2).trim().split(/\s+/);
  if (f.length < 20) return undefined;
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: f[0],
    ppid: Number(f[1]),
    ttyNr: Number(f[4]),
    cpuTicks: Number(f[11]) + Number(f[12]),
    startTicks: Number(f[19]),
  };
}

/** The effective uid from /proc/PID/status ("Uid: real effective saved fs"). */
export function parseStatusUid(text: string): number | undefined {
  const m = /^Uid:\s+(\d+)\s+(\d+)/m.exec(text);
  return m ? Number(m[2]) : undefined;
}

/** procps' tty name for a tty_nr: pts/N, ttyN, ttySN, else "?". */
export function ttyName(ttyNr: number): string {
  if (!ttyNr) return '?';
  const major = (ttyNr >> 8) & 0xfff;
  const minor = (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00);
  if (major >= 136 && major <= 143) return `pts/${(major - 136) * 256 + minor}`;
  if (major === 4) return minor < 64 ? `tty${minor}` : `ttyS${minor - 64}`;
  return '?';
}

/** procps' cumulative TIME: [DD-]HH:MM:SS. */
export function formatCpuTime(seconds: number): string {
  const s = Math.floor(seconds);
  const p = (n: number) => String(n).padStart(2, '0');
  const days = Math.floor(s / 86400);
  const hms = `${p(Math.floor((s % 86400) / 3600))}:${p(Math.floor((s % 3600) / 60))}:${p(s % 60)}`;
  return days > 0 ? `${days}-${hms}` : hms;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** procps' STIME: "HH:MM" today, "MonDD" this year, else the year (local time). */
export function formatStartTime(start: Date, now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  if (start.getFullYear() !== now.getFullYear()) return String(start.getFullYear());
  const sameDay = start.getMonth() === now.getMonth() && start.getDate() === now.getDate();
  if (!sameDay) return `${MONTHS[start.getMonth()]}${p(start.getDate())}`;
  return `${p(start.getHours())}:${p(start.getMinutes())}`;
}

/** procps' C column: integer CPU percent over the process's life, at most 99. */
export function cpuPercent(cpuTicks: number, startTicks: number, uptimeSeconds: number): number {
  const elapsed = uptimeSeconds - startTicks / HZ;
  if (!(elapsed > 0)) return 0;
  return Math.min(99, Math.floor((cpuTicks * 100) / HZ / elapsed));
}

/** procps' user column in -f: the name when known (cut to 7 + "+" when longer than 8), else the number. */
export function userColumn(uid: number, users: Map<number, string>): string {
  const name = users.get(uid);
  if (name === undefined) return String(uid);
  return name.length > 8 ? name.slice(0, 7) + '+' : name;
}

/** uid → name from an /etc/passwd text (first entry wins). */
export function parsePasswd(text: string): Map<number, string> {
  const users = new Map<number, string>();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 3 || !/^\d+$/.test(f[2])) continue;
    const uid = Number(f[2]);
    if (!users.has(uid)) users.set(uid, f[0]);
  }
  return users;
}

/** The CMD column: the command line, NUL-separated args joined by spaces; "[comm]" when empty (kernel threads, zombies). */
export function commandColumn(cmdline: Buffer | string, comm: string): string {
  const text = (typeof cmdline === 'string' ? cmdline : cmdline.toString('utf8')).replace(/\0+$/, '');
  return text === '' ? `[${comm}]` : text.split('\0').join(' ');
}

export interface ProcInfo {
  stat: ProcStat;
  uid: number;
  cmd: string;
}

/** One ps -ef row. */
export function psEfRow(p: ProcInfo, env: { users: Map<number, string>; bootTime: number; uptime: number; now: Date }): string[] {
  const start = new Date((env.bootTime + p.stat.startTicks / HZ) * 1000);
  return [
    userColumn(p.uid, env.users),
    String(p.stat.pid),
    String(p.stat.ppid),
    String(cpuPercent(p.stat.cpuTicks, p.stat.startTicks, env.uptime)),
    formatStartTime(start, env.now),
    ttyName(p.stat.ttyNr),
    formatCpuTime(p.stat.cpuTicks / HZ),
    p.cmd,
  ];
}

/**
 * dockerd's parsePSOutput: titles from the first line, the PID column finds
 * the rows of `pids` (thread rows, "-" pids, follow their process), fields
 * beyond the titles are joined into the last column.
 */
export function parsePsOutput(output: string, pids: number[]): TopResult {
  const lines = output.split('\n');
  const titles = (lines[0] ?? '').trim().split(/\s+/).filter(Boolean);
  const pidIndex = titles.indexOf('PID');
  if (pidIndex < 0) throw new ToteError('E_TOP_NO_PID', "couldn't find PID field in ps output", { hint: 'include the pid column in the ps options (e.g. -o pid,comm)' });
  const wanted = new Set(pids);
  const processes: string[][] = [];
  const add = (fields: string[]) => processes.push([...fields.slice(0, titles.length - 1), fields.slice(titles.length - 1).join(' ')]);
  let previousIncluded = false;
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue;
    const fields = line.trim().split(/\s+/);
    const pidField = fields[pidIndex];
    if (pidField === '-') {
      if (previousIncluded) add(fields);
      continue;
    }
    if (pidField === undefined || !/^\d+$/.test(pidField)) throw new ToteError('E_TOP_BAD_PID', `unexpected pid '${pidField ?? ''}' in ps output`);
    previousIncluded = wanted.has(Number(pidField));
    if (previousIncluded) add(fields);
  }
  return { Titles: titles, Processes: processes };
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Host pids of every process in `pid`'s pid namespace, ascending. */
export async function pidsInNamespaceOf(pid: number, procRoot = '/proc'): Promise<number[]> {
  const ns = await fs.readlink(`${procRoot}/${pid}/ns/pid`);
  const entries = (await fs.readdir(procRoot)).filter((e) => /^\d+$/.test(e));
  const found = await Promise.all(
    entries.map(async (e) => {
      try {
        return (await fs.readlink(`${procRoot}/${e}/ns/pid`)) === ns ? Number(e) : undefined;
      } catch {
        return undefined; // gone, or not ours to look at
      }
    }),
  );
  return found.filter((p): p is number => p !== undefined).sort((a, b) => a - b);
}

/** ps -ef rows for `pids`, read from /proc; processes that exit meanwhile are left out. */
export async function procTable(pids: number[], procRoot = '/proc'): Promise<TopResult> {
  const [passwd, stat, uptimeText] = await Promise.all([readText('/etc/passwd'), readText(`${procRoot}/stat`), readText(`${procRoot}/uptime`)]);
  const bootTime = Number(/^btime\s+(\d+)/m.exec(stat ?? '')?.[1] ?? 0);
  const env = { users: parsePasswd(passwd ?? ''), bootTime, uptime: Number((uptimeText ?? '0').split(/\s+/)[0]), now: new Date() };
  const infos = await Promise.all(
    pids.map(async (pid): Promise<ProcInfo | undefined> => {
      const [statText, status, cmdline] = await Promise.all([
        readText(`${procRoot}/${pid}/stat`),
        readText(`${procRoot}/${pid}/status`),
        fs.readFile(`${procRoot}/${pid}/cmdline`).catch(() => Buffer.alloc(0)),
      ]);
      const st = statText ? parseProcStat(statText) : undefined;
      if (!st || !status) return undefined;
      return { stat: st, uid: parseStatusUid(status) ?? 0, cmd: commandColumn(cmdline, st.comm) };
    }),
  );
  return { Titles: [...PS_EF_TITLES], Processes: infos.filter((p): p is ProcInfo => p !== undefined).map((p) => psEfRow(p, env)) };
}

function runPs(args: string[]): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile('ps', args, { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C' } }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new SystemError('E_TOP_NO_PS', 'ps: executable file not found in $PATH', { hint: 'install procps, or run `tote top` without ps options' }));
        return;
      }
      resolve({ ok: !error, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/**
 * The container's processes. `psArgs` empty: ps -ef columns from /proc.
 * Otherwise `ps ARGS -q PIDS` (dockerd's call; retried without the pid list
 * for options that refuse it), filtered to the container's pids.
 */
export async function topContainer(config: ToteConfig, record: ContainerRecord, psArgs: string[] = []): Promise<TopResult> {
  const current = await refreshStatus(config, record);
  if ((current.status !== 'running' && current.status !== 'paused' && current.status !== 'stopping') || !current.pid) {
    throw new ToteError('E_CONTAINER_NOT_RUNNING', `container ${record.id} is not running`, { hint: 'start it with `tote start`' });
  }
  let pids: number[];
  try {
    pids = await pidsInNamespaceOf(current.pid);
  } catch (e) {
    throw new SystemError('E_TOP_PROC', `cannot read the processes of container ${record.id.slice(0, 12)}: ${(e as Error).message}`, { cause: e });
  }
  if (psArgs.length === 0) return procTable(pids);
  let r = await runPs([...psArgs, '-q', pids.join(',')]);
  if (!r.ok) r = await runPs(psArgs);
  if (!r.ok) throw new SystemError('E_TOP_PS', `ps ${psArgs.join(' ')} failed: ${r.stderr.trim() || 'exit status non-zero'}`);
  return parsePsOutput(r.stdout, pids);
}
