/**
 * The memcached scenario of issue 7, end to end as the unprivileged user:
 * a Debian bookworm base image, the Dockerfile built (every step
 * shown) and rebuilt (every step from the cache, same id), run detached
 * with a published port, `ps` under a generated name, set/get from the
 * host, `exec ps fax` and `exec -it bash`.
 *
 * The base image is made with `mmdebstrap --mode=unshare` (debootstrap
 * cannot run unprivileged: it needs mknod, which a user namespace refuses).
 * Its tarball is cached in ~/.cache/tote-e2e/ (or $XDG_CACHE_HOME), so only
 * the first run pays for it (~20 s with a fast mirror).
 *
 * The build's apt talks to a Debian repository this test serves on the
 * host's loopback, reached from the build container as
 * host.containers.internal: the .debs of memcached and procps with their
 * whole dependency closure (`apt-get download`, cached next to the
 * tarball), indexed by dpkg-scanpackages. The base image's sources are
 * pointed at it by a one-step preparatory build, since the port changes from
 * run to run.
 *
 * `ps fax`: procps is not in minbase and the Dockerfile is fixed by the
 * issue, so the test installs it into the running container first
 * (`exec -u root NAME apt-get install -y procps`, from the same local
 * repository).
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { makeEnv, show, lines } from './harness.js';
import { spawnTote } from './pty.js';

const e = makeEnv();

const DOCKERFILE = `FROM debian:bookworm
RUN apt-get update -qqq && apt-get install memcached -yqq
EXPOSE 11211/tcp
USER memcache:memcache
CMD ["memcached", "-p", "11211", "--memory-limit", "128"]
`;

const STEPS = [
  'Step 1/5 : FROM debian:bookworm',
  'Step 2/5 : RUN apt-get update -qqq && apt-get install memcached -yqq',
  'Step 3/5 : EXPOSE 11211/tcp',
  'Step 4/5 : USER memcache:memcache',
  'Step 5/5 : CMD ["memcached", "-p", "11211", "--memory-limit", "128"]',
];

const cacheDir = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'tote-e2e');
const baseTar = path.join(cacheDir, 'debian-bookworm.tar');
const debDir = path.join(cacheDir, 'memcached-debs');
// mmdebstrap, dpkg-scanpackages and apt's helpers may live in sbin.
const toolEnv = { ...process.env, PATH: `${process.env.PATH ?? '/usr/bin:/bin'}:/usr/sbin:/sbin`, LANG: 'C', LC_ALL: 'C' };

let repo: http.Server | undefined;
let repoPort = 0;

/** The Debian mirror this machine's apt uses (not the security one), else deb.debian.org. */
function debianMirror(): string {
  const files = ['/etc/apt/sources.list'];
  try {
    for (const f of readdirSync('/etc/apt/sources.list.d')) files.push(path.join('/etc/apt/sources.list.d', f));
  } catch {
    // none
  }
  for (const f of files) {
    let text = '';
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const m = /^\s*URIs:\s*(\S+)/.exec(line) ?? /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/.exec(line);
      if (m && /\/debian\/?$/.test(m[1])) return m[1];
    }
  }
  return 'http://deb.debian.org/debian';
}

/** The minbase rootfs tarball, made once per user and cached. */
function ensureBaseTar(): void {
  if (existsSync(baseTar)) return;
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${baseTar}.${process.pid}.tmp.tar`;
  try {
    execFileSync('mmdebstrap', ['--mode=unshare', '--format=tar', '--variant=minbase', 'bookworm', tmp, debianMirror()], {
      env: toolEnv,
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 12 * 60_000,
    });
    renameSync(tmp, baseTar);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** memcached and procps with their whole dependency closure, as .debs plus a flat-repository index. */
function ensureRepo(): void {
  if (!existsSync(path.join(debDir, 'Packages.gz'))) {
    mkdirSync(cacheDir, { recursive: true });
    const tmp = `${debDir}.${process.pid}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp);
    try {
      const deps = execFileSync(
        'apt-cache',
        ['depends', '--recurse', '--no-recommends', '--no-suggests', '--no-conflicts', '--no-breaks', '--no-replaces', '--no-enhances', 'memcached', 'procps'],
        { env: toolEnv, encoding: 'utf8' },
      );
      // Real packages only: dependency lines are indented, virtual ones are <bracketed>.
      const pkgs = [...new Set(deps.split('\n').filter((l) => /^[a-z0-9]/.test(l)).map((l) => l.trim()))];
      execFileSync('apt-get', ['download', '-qq', ...pkgs], { cwd: tmp, env: toolEnv, stdio: ['ignore', 'ignore', 'pipe'], timeout: 10 * 60_000 });
      const index = execFileSync('dpkg-scanpackages', ['--multiversion', '.', '/dev/null'], { cwd: tmp, env: toolEnv, stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
      writeFileSync(path.join(tmp, 'Packages'), index);
      execFileSync('gzip', ['-9kn', 'Packages'], { cwd: tmp });
      rmSync(debDir, { recursive: true, force: true });
      renameSync(tmp, debDir);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
}

/** Serves debDir on 127.0.0.1 (flat repository: `deb [trusted=yes] http://HOST:PORT/ ./`). */
async function serveRepo(): Promise<number> {
  repo = http.createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? '/').split('?')[0]).replace(/^\/+/, '').replace(/^\.\//, '');
    const file = path.join(debDir, name);
    if (!name || name.includes('/') || name.startsWith('.') || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Length': statSync(file).size });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => repo!.listen(0, '127.0.0.1', r));
  return (repo.address() as net.AddressInfo).port;
}

async function ok(args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await e.tote(args, { timeoutMs: 60_000, ...opts });
  expect({ args, code: r.code, out: show(r) }).toMatchObject({ code: 0 });
  return r.stdout;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '0.0.0.0', () => {
      const p = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(p));
    });
  });
}

/** One memcached text-protocol exchange: sends `req`, resolves with what arrived once `done` matches. */
function memcache(port: number, req: string, done: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`memcached: no ${done} in ${JSON.stringify(got)}`));
    }, 5000);
    s.setEncoding('utf8');
    s.on('connect', () => s.write(req));
    s.on('data', (d: string) => {
      got += d;
      if (done.test(got)) {
        clearTimeout(timer);
        s.end();
        resolve(got);
      }
    });
    s.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    s.on('close', () => {
      clearTimeout(timer);
      if (!done.test(got)) reject(new Error(`memcached closed the connection after ${JSON.stringify(got)}`));
    });
  });
}

beforeAll(async () => {
  ensureBaseTar();
  ensureRepo();
  repoPort = await serveRepo();
  await ok(['import', baseTar, 'debian-minbase:bookworm'], { timeoutMs: 5 * 60_000 });
  // Point the base image's apt at the local repository (the port is new each run).
  const prep = path.join(e.dir, 'prep');
  mkdirSync(prep);
  writeFileSync(
    path.join(prep, 'Dockerfile'),
    `FROM debian-minbase:bookworm\nRUN rm -f /etc/apt/sources.list.d/* && echo "deb [trusted=yes] http://host.containers.internal:${repoPort}/ ./" > /etc/apt/sources.list\n`,
  );
  await ok(['build', '-q', '-t', 'debian:bookworm', prep], { timeoutMs: 5 * 60_000 });
}, 15 * 60_000);

afterAll(async () => {
  if (repo) await new Promise((r) => repo!.close(r));
});

describe('memcached (issue 7)', () => {
  let ctx: string;
  let imageId = '';
  let name = '';
  let port = 0;

  test('build shows every step', async () => {
    ctx = path.join(e.dir, 'memcache');
    mkdirSync(ctx);
    writeFileSync(path.join(ctx, 'Dockerfile'), DOCKERFILE);
    const l = lines(await ok(['build', '-t', 'memcache', '.'], { cwd: ctx, timeoutMs: 10 * 60_000 }));
    let at = -1;
    for (const step of STEPS) {
      const i = l.indexOf(step);
      expect({ step, after: i > at }).toEqual({ step, after: true });
      at = i;
    }
    const run = l.indexOf(STEPS[1]);
    expect(l[run + 1]).toMatch(/^ ---> Running in [0-9a-f]{12}$/);
    for (const step of STEPS.slice(2)) expect(l[l.indexOf(step) + 1]).toMatch(/^ ---> [0-9a-f]{12}$/);
    const built = l.find((x) => x.startsWith('Successfully built '));
    imageId = built?.slice('Successfully built '.length) ?? '';
    expect(imageId).toMatch(/^[0-9a-f]{12}$/);
    expect(l.at(-1)).toBe('Successfully tagged memcache:latest');
    expect((await ok(['ps', '-a', '-q'])).trim()).toBe('');
  }, 10 * 60_000);

  test('a second build: every step from the cache, same image id', async () => {
    const l = lines(await ok(['build', '-t', 'memcache', '.'], { cwd: ctx, timeoutMs: 120_000 }));
    for (const step of STEPS.slice(1)) {
      const i = l.indexOf(step);
      expect({ step, next: l[i + 1] }).toEqual({ step, next: ' ---> Using cache' });
    }
    expect(l.some((x) => x.includes('Running in'))).toBe(false);
    expect(l).toContain(`Successfully built ${imageId}`);
  });

  test('run --publish --detach; ps shows a generated name', async () => {
    port = await freePort();
    const id = (await ok(['run', '--publish', `${port}:11211`, '--detach', 'memcache'])).trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const row = lines(await ok(['ps'])).find((x) => x.startsWith(id.slice(0, 12)));
    expect(row).toBeDefined();
    expect(row).toContain('memcache');
    expect(row).toContain(`0.0.0.0:${port}->11211/tcp`);
    name = row!.trim().split(/\s+/).at(-1)!;
    expect(name).toMatch(/^[a-z]+_[a-z]+$/);
  });

  test('set/get from the host on 127.0.0.1', async () => {
    let stored = '';
    for (let i = 0; i < 50 && !stored; i++) {
      try {
        stored = await memcache(port, 'set k 0 0 5\r\nhello\r\n', /\r\n$/);
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    expect(stored).toBe('STORED\r\n');
    expect(await memcache(port, 'get k\r\n', /END\r\n$/)).toBe('VALUE k 0 5\r\nhello\r\nEND\r\n');
  });

  test('exec ps fax: memcached is PID 1, running as memcache', async () => {
    // From /proc, without procps.
    expect((await ok(['exec', name, 'cat', '/proc/1/cmdline'])).split('\0')).toEqual(['memcached', '-p', '11211', '--memory-limit', '128', '']);
    const uid = (await ok(['exec', name, 'id', '-u', 'memcache'])).trim();
    expect(await ok(['exec', name, 'cat', '/proc/1/status'])).toMatch(new RegExp(`^Uid:\\s+${uid}\\s+${uid}\\s`, 'm'));
    // procps is not in minbase: install it from the local repository, then the command.
    await ok(['exec', '-u', 'root', name, 'apt-get', 'install', '-yqq', 'procps'], { timeoutMs: 5 * 60_000 });
    const ps = lines(await ok(['exec', name, 'ps', 'fax']));
    expect(ps[0]).toMatch(/^\s*PID\s+TTY\s+STAT\s+TIME\s+COMMAND$/);
    expect(ps.find((x) => /^\s*1\s/.test(x))).toMatch(/^\s*1 \?\s+\S+\s+\S+ memcached -p 11211 --memory-limit 128$/);
    expect((await ok(['exec', name, 'ps', '-o', 'user=', '-p', '1'])).trim()).toBe('memcache');
  }, 6 * 60_000);

  test('exec -it bash gives a shell', async () => {
    const t = spawnTote(e, ['exec', '-it', name, 'bash'], 100, 30);
    try {
      await t.expect(/\$ $/m);
      t.p.write('echo $((6*7)); id -un\r');
      // bash turns bracketed paste off (ESC[?2004l\r) before running the line.
      await t.expect(/\n(?:\x1b\[\?2004l)?\r*42\r*\nmemcache\r*\n/);
      t.p.write('exit\r');
      const { exitCode } = await t.waitExit(20_000);
      expect(exitCode).toBe(0);
    } finally {
      t.p.kill('SIGKILL');
    }
  });
});
