/**
 * e2e harness: runs the built CLI (dist/cli/main.js) as the current user
 * against a private, throw-away store.
 *
 * Each test file calls makeEnv() once at module level. It creates one temp
 * dir holding --root, --runroot, HOME and the XDG dirs, and registers an
 * afterAll hook that removes it.
 */
import { afterAll, jest } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeBusyboxTar } from './fixtures/busybox.js';

/** The repository root: this file is dist/e2e/harness.js. */
export function repoRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
}

export const CLI = path.join(repoRoot(), 'dist', 'cli', 'main.js');

export interface ToteResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ToteOptions {
  /** Written to the CLI's stdin, which is then closed (stdin is always closed). */
  input?: string | Buffer;
  /** Killed (SIGKILL, whole process group) and the call rejected after this long. */
  timeoutMs?: number;
  /** Extra variables on top of the pinned environment. */
  env?: Record<string, string>;
  cwd?: string;
}

export interface E2EEnv {
  /** The temp dir; everything the tests create lives under it. */
  dir: string;
  root: string;
  runroot: string;
  home: string;
  /** The pinned environment every CLI invocation gets. */
  env: Record<string, string>;
  /** Global flags placed before every command. */
  globalArgs: string[];
  tote(args: string[], opts?: ToteOptions): Promise<ToteResult>;
  /** Path of the busybox rootfs tarball (built on first use). */
  busyboxTar(): Promise<string>;
  /** `tote import <busybox tar> NAME` (default `busybox`), failing loudly. Returns the printed id. */
  importBusybox(name?: string, extraArgs?: string[]): Promise<string>;
  cleanup(): Promise<void>;
}

// A container here starts and exits in well under a second; a hang should fail fast.
const DEFAULT_TIMEOUT_MS = 30_000;

/** Per-test timeout: containers take seconds, not jest's default 5 s (jest ignores testTimeout inside `projects`). */
export const TEST_TIMEOUT_MS = 120_000;

/**
 * `asRoot`: every CLI call runs as root (directly when the tests do, else
 * through `sudo -n`; see rootAvailable()), for the rootful cases.
 */
export function makeEnv(options: { asRoot?: boolean } = {}): E2EEnv {
  jest.setTimeout(TEST_TIMEOUT_MS);
  // Short base path: unix socket paths (attach sockets, runtime state) are
  // limited to 108 bytes and will live under --runroot.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tote-e2e-'));
  // mkdtemp makes it 0700. Rootless, the container's root is the user, so
  // that is enough; nothing else on the machine needs to look inside.
  chmodSync(dir, 0o700);
  const root = path.join(dir, 'root');
  const runroot = path.join(dir, 'run');
  const home = path.join(dir, 'home');
  const xdgRuntime = path.join(dir, 'xdg-run');
  for (const d of [home, xdgRuntime, path.join(dir, 'xdg-config'), path.join(dir, 'xdg-data'), path.join(dir, 'xdg-cache')]) {
    mkdirSync(d, { recursive: true, mode: 0o700 });
  }
  let user = String(process.getuid?.() ?? '');
  try {
    user = os.userInfo().username;
  } catch {
    // keep the numeric id
  }

  const env: Record<string, string> = {
    // Found programs (newuidmap, crun/runc, pasta…) exactly as the caller would.
    PATH: process.env.PATH || '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    // Default config/auth files (~/.config, ~/.docker) must not leak in from the real home.
    HOME: home,
    USER: user,
    LOGNAME: user,
    // Config/data/cache lookups (registries.conf, auth.json, default store) stay inside the temp dir,
    // even for code paths that ignore --root.
    XDG_CONFIG_HOME: path.join(dir, 'xdg-config'),
    XDG_DATA_HOME: path.join(dir, 'xdg-data'),
    XDG_CACHE_HOME: path.join(dir, 'xdg-cache'),
    // Volatile state of the runtime (crun/runc rootless state, pasta) must not collide with a real session.
    XDG_RUNTIME_DIR: xdgRuntime,
    // Assertions compare plain text: no ANSI colours, no spinners or progress bars.
    NO_COLOR: '1',
    TERM: 'dumb',
    // Messages and sorting from C programs (runtime, coreutils) in a fixed, untranslated locale.
    LANG: 'C',
    LC_ALL: 'C',
  };
  const globalArgs = ['--root', root, '--runroot', runroot];

  const tote = (args: string[], opts: ToteOptions = {}): Promise<ToteResult> =>
    runCli([...globalArgs, ...args], { ...opts, env: { ...env, ...(opts.env ?? {}) }, cwd: opts.cwd ?? dir, sudo: Boolean(options.asRoot) && !isRoot });

  let tarPromise: Promise<string> | undefined;
  const busyboxTar = (): Promise<string> => {
    tarPromise ??= (async () => {
      const out = path.join(dir, 'busybox.tar');
      await makeBusyboxTar(out);
      return out;
    })();
    return tarPromise;
  };

  const importBusybox = async (name = 'busybox', extraArgs: string[] = []): Promise<string> => {
    const tarFile = await busyboxTar();
    const r = await tote(['import', ...extraArgs, tarFile, name]);
    if (r.code !== 0) {
      throw new Error(`tote import ${tarFile} ${name} failed (exit ${r.code})\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    }
    return r.stdout.trim().split('\n').pop() ?? '';
  };

  let cleaned = false;
  const cleanup = async (): Promise<void> => {
    if (cleaned) return;
    cleaned = true;
    // Containers a failed test left running (e.g. a killed `run -it`) hold
    // mounts and processes: stop and remove them first (podman's `rm -af`).
    try {
      await tote(['rm', '--all', '--force'], { timeoutMs: 60_000 });
    } catch {
      // best effort
    }
    // Files under --root are owned by subordinate ids, which the user cannot
    // remove directly: delete them from inside the user namespace first.
    try {
      await tote(['unshare', 'rm', '-rf', root, runroot], { timeoutMs: 60_000 });
    } catch {
      // fall through: remove what we can
    }
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch (err) {
      process.stderr.write(`e2e harness: could not remove ${dir}: ${String(err)}\n`);
    }
  };
  afterAll(cleanup, 120_000);

  return { dir, root, runroot, home, env, globalArgs, tote, busyboxTar, importBusybox, cleanup };
}

/** Runs `node dist/cli/main.js ARGS` with exactly the given environment. */
export function runCli(args: string[], opts: ToteOptions & { env: Record<string, string>; sudo?: boolean }): Promise<ToteResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // sudo would reset the environment: pass it explicitly through env(1).
  const [cmd, argv] = opts.sudo
    ? ['sudo', ['-n', 'env', '-i', ...Object.entries(opts.env).map(([k, v]) => `${k}=${v}`), process.execPath, CLI, ...args]]
    : [process.execPath, [CLI, ...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, {
      env: opts.env,
      cwd: opts.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true, // own process group, so a timeout kills everything it started
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => {
      // EPIPE when the CLI exits without reading stdin: not the test's concern
    });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result: ToteResult = {
        code: code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : -1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      };
      if (timedOut) {
        reject(
          new Error(
            `tote ${args.join(' ')} timed out after ${timeoutMs} ms\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
          ),
        );
      } else {
        resolve(result);
      }
    });
  });
}

/** A readable dump of a result, for assertion messages. */
export function show(r: ToteResult): string {
  return `exit ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

/** Lines of output without the trailing empty one (and without \r). */
export function lines(s: string): string[] {
  const l = s.replace(/\r/g, '').split('\n');
  if (l.length && l[l.length - 1] === '') l.pop();
  return l;
}

export const isRoot = (process.getuid?.() ?? 0) === 0;

/** Whether the rootful cases can run: as root, or with passwordless sudo (.ci/run grants it to its test user). */
export const rootAvailable = isRoot || spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;

/** The current user's /etc/subuid ranges (by name or uid). */
export function subIdRanges(file: '/etc/subuid' | '/etc/subgid'): Array<{ start: number; count: number }> {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  let name = '';
  try {
    name = os.userInfo().username;
  } catch {
    // no passwd entry
  }
  const uid = String(process.getuid?.() ?? '');
  const out: Array<{ start: number; count: number }> = [];
  for (const line of text.split('\n')) {
    const [who, start, count] = line.trim().split(':');
    if (!who || start === undefined || count === undefined) continue;
    if (who === name || who === uid) out.push({ start: Number(start), count: Number(count) });
  }
  return out;
}

/** Does `cmd` exist on PATH? */
export function haveProgram(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}
