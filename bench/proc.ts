/**
 * Process plumbing for the benchmark: spawning a command (as the test user
 * when the benchmark runs as root), timing it, and reading /proc.
 */
import { spawn, execFileSync } from 'node:child_process';
import { openSync, closeSync, readFileSync, readdirSync, accessSync, constants } from 'node:fs';
import path from 'node:path';

/** Who the commands run as, and with which environment. */
export interface RunAs {
  name: string;
  uid: number;
  gid: number;
  home: string;
  /** Undefined: the current user (no uid switch). */
  switchUser: boolean;
  env: NodeJS.ProcessEnv;
}

export interface Outcome {
  /** Wall time from spawn to exit, in milliseconds. */
  ms: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Looks a user up in the passwd database (getent, so NSS users work too). */
export function lookupUser(name: string): { uid: number; gid: number; home: string } {
  let line: string;
  try {
    line = execFileSync('getent', ['passwd', name], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`no such user "${name}" (create it, give it a subuid/subgid range, or pass --user NAME)`);
  }
  const f = line.split(':');
  return { uid: Number(f[2]), gid: Number(f[3]), home: f[5] || '/' };
}

/**
 * Runs argv[0] with argv[1..] and resolves with how long it took. stdout and
 * stderr go to files (not pipes): a command that leaves a daemon behind
 * (run -d) must not keep the timing open, and the measured time is spawn to
 * exit, nothing else. As root, the child switches to the test user itself
 * (setgid, setgroups(0), setuid: what `runuser -u` does minus its PAM session,
 * which would add ~7 ms of noise to both sides).
 */
export function runCommand(argv: string[], runAs: RunAs, outDir: string, timeoutMs = 120_000): Promise<Outcome> {
  const outFile = path.join(outDir, 'stdout');
  const errFile = path.join(outDir, 'stderr');
  const outFd = openSync(outFile, 'w', 0o644);
  const errFd = openSync(errFile, 'w', 0o644);
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), {
      stdio: ['ignore', outFd, errFd],
      env: runAs.env,
      cwd: runAs.home,
      ...(runAs.switchUser ? { uid: runAs.uid, gid: runAs.gid } : {}),
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      closeSync(outFd);
      closeSync(errFd);
      reject(e);
    });
    child.on('exit', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      clearTimeout(timer);
      closeSync(outFd);
      closeSync(errFd);
      resolve({
        ms,
        code,
        signal,
        stdout: readFileSync(outFile, 'utf8'),
        stderr: readFileSync(errFile, 'utf8'),
      });
    });
  });
}

/** Like runCommand, but throws (with the command's stderr) unless it exits 0. */
export async function mustRun(argv: string[], runAs: RunAs, outDir: string): Promise<Outcome> {
  const r = await runCommand(argv, runAs, outDir);
  if (r.code !== 0) {
    const why = r.signal ? `signal ${r.signal}` : `exit ${r.code}`;
    throw new Error(`\`${argv.join(' ')}\` failed (${why}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
  return r;
}

/** Finds a program on PATH (plus the sbin dirs). */
export function which(name: string, searchPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of [...searchPath.split(':'), '/usr/local/sbin', '/usr/sbin', '/sbin']) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface ProcInfo {
  pid: number;
  comm: string;
  cmdline: string;
  uid: number;
  rssKb: number;
}

/** Every process visible in /proc whose comm is one of `names`. */
export function findProcesses(names: string[]): ProcInfo[] {
  const found: ProcInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (!names.includes(comm)) continue;
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
      const uid = /^Uid:\s+(\d+)/m.exec(status);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      found.push({ pid: Number(entry), comm, cmdline, uid: uid ? Number(uid[1]) : -1, rssKb: rss ? Number(rss[1]) : 0 });
    } catch {
      // exited while we looked
    }
  }
  return found;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
