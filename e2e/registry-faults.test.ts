/**
 * Pulls through a fault-injecting proxy (e2e/fixtures/fault-proxy.ts) in
 * front of the real registry: transient faults are retried with backoff
 * and a cut-off blob resumes with Range; corrupt bytes are refused and
 * nothing is stored; a registry that stays down fails after a bounded
 * number of attempts; a pull killed mid-way leaves no image, and the next
 * pull reuses the layers that had finished.
 *
 * Every test pulls into a store of its own, so no layer is already there.
 * Assertions read the proxy's log (what the client actually sent); times
 * are only checked as lower bounds (a backoff was waited), never as upper
 * bounds, so a loaded machine cannot fail them.
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI, makeEnv, show, lines, haveProgram, runCli, type ToteResult } from './harness.js';
import { freePort, startRegistry, type TestRegistry } from './fixtures/registry.js';
import { startFaultProxy, type FaultProxy, type ProxyLogEntry } from './fixtures/fault-proxy.js';

const e = makeEnv();
const maybe = haveProgram('docker-registry') ? describe : describe.skip;

let registry: TestRegistry;
let proxy: FaultProxy;
/** busybox (one layer) and busybox + an 8 MiB random file (two layers). */
const small = { layers: [] as string[], config: '' };
const big = { layers: [] as string[], config: '', sha: '' };
const stores: string[] = [];

/** A tote with a fresh, empty store of its own. */
function freshStore(name: string) {
  const root = path.join(e.dir, `root-${name}`);
  const runroot = path.join(e.dir, `run-${name}`);
  stores.push(root, runroot);
  const args = (a: string[]) => ['--root', root, '--runroot', runroot, ...a];
  return {
    root,
    args,
    tote: (a: string[]): Promise<ToteResult> => runCli(args(a), { env: e.env, cwd: e.dir, timeoutMs: 90_000 }),
    layers: () => (existsSync(path.join(root, 'layers')) ? readdirSync(path.join(root, 'layers')).filter((n) => n.endsWith('.json')) : []),
  };
}

async function ok(args: string[], opts: Parameters<typeof e.tote>[1] = {}) {
  const r = await e.tote(args, opts);
  if (r.code !== 0) throw new Error(`tote ${args.join(' ')}\n${show(r)}`);
  return r;
}

async function manifestOf(repo: string, tag: string): Promise<{ layers: string[]; config: string }> {
  const res = await fetch(`http://${registry.host}/v2/${repo}/manifests/${tag}`, {
    headers: { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' },
  });
  const m = (await res.json()) as { config: { digest: string }; layers: Array<{ digest: string }> };
  return { layers: m.layers.map((l) => l.digest), config: m.config.digest };
}

const blobPath = (digest: string) => new RegExp(`/blobs/${digest}$`);
const hits = (digest: string): ProxyLogEntry[] => proxy.log.filter((l) => l.method === 'GET' && l.path.endsWith(`/blobs/${digest}`));
const short = (digest: string) => digest.slice('sha256:'.length, 'sha256:'.length + 12);

maybe('pulls through a fault-injecting proxy', () => {
  beforeAll(async () => {
    registry = await startRegistry(path.join(e.dir, 'reg'));
    proxy = await startFaultProxy(registry);
    await e.importBusybox(`${registry.host}/faults/small:1`);
    await ok(['push', `${registry.host}/faults/small:1`]);
    Object.assign(small, await manifestOf('faults/small', '1'));
    // A second, incompressible layer big enough to be cut off mid-way.
    const ctx = path.join(e.dir, 'big-ctx');
    mkdirSync(ctx, { recursive: true });
    const data = randomBytes(8 * 1024 * 1024);
    big.sha = createHash('sha256').update(data).digest('hex');
    writeFileSync(path.join(ctx, 'big'), data);
    writeFileSync(path.join(ctx, 'Dockerfile'), `FROM ${registry.host}/faults/small:1\nCOPY big /big\n`);
    await ok(['build', '-q', '-t', `${registry.host}/faults/big:1`, ctx], { timeoutMs: 90_000 });
    await ok(['push', `${registry.host}/faults/big:1`], { timeoutMs: 90_000 });
    Object.assign(big, await manifestOf('faults/big', '1'));
    expect(big.layers).toHaveLength(2);
  });

  afterAll(async () => {
    // Stores hold files owned by subordinate ids: remove them inside the user namespace.
    if (stores.length) await e.tote(['unshare', 'rm', '-rf', ...stores], { timeoutMs: 60_000 });
    await proxy?.stop();
    await registry?.stop();
  });

  test('a blob cut off mid-body is resumed with Range and verifies', async () => {
    const layer = big.layers[1]!;
    proxy.setRules([{ method: 'GET', path: blobPath(layer), fault: { kind: 'truncate', bytes: 1024 * 1024 }, times: 1 }]);
    const s = freshStore('truncate');
    const r = await s.tote(['pull', `${proxy.host}/faults/big:1`]);
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
    const got = hits(layer);
    expect(got.map((l) => l.fault ?? 'ok')).toEqual(['truncate', 'ok']);
    expect(got[0]!.range).toBeUndefined();
    const resumed = /^bytes=(\d+)-$/.exec(got[1]!.range ?? '');
    expect(resumed).not.toBeNull();
    expect(Number(resumed![1])).toBeGreaterThan(0);
    expect(Number(resumed![1])).toBeLessThanOrEqual(1024 * 1024);
    expect(got[1]!.status).toBe(206);
    const sum = await s.tote(['run', '--rm', `${proxy.host}/faults/big:1`, 'sha256sum', '/big']);
    expect(sum.stdout).toBe(`${big.sha}  /big\n`);
  });

  test('500 three times, then OK: retried with growing backoff', async () => {
    proxy.setRules([{ method: 'GET', path: /\/manifests\/1$/, fault: { kind: 'status', status: 500 }, times: 3 }]);
    const before = proxy.log.length;
    const s = freshStore('500');
    const r = await s.tote(['pull', `${proxy.host}/faults/small:1`]);
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
    const tries = proxy.log.slice(before).filter((l) => l.path.endsWith('/manifests/1'));
    expect(tries.map((l) => l.status)).toEqual([500, 500, 500, 200]);
    const gaps = tries.slice(1).map((l, i) => l.at - tries[i]!.at);
    // Backoff 250, 500, 1000 ms (lib/registry): each wait at least ~that long.
    expect(gaps[0]).toBeGreaterThanOrEqual(200);
    expect(gaps[1]).toBeGreaterThanOrEqual(450);
    expect(gaps[2]).toBeGreaterThanOrEqual(900);
  });

  test('429 with Retry-After is waited out', async () => {
    proxy.setRules([{ method: 'GET', path: blobPath(small.config), fault: { kind: 'status', status: 429, retryAfter: 2 }, times: 1 }]);
    const s = freshStore('429');
    const r = await s.tote(['pull', `${proxy.host}/faults/small:1`]);
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
    const tries = hits(small.config).slice(-2);
    expect(tries.map((l) => l.status)).toEqual([429, 200]);
    // The first backoff alone would be 250 ms: the 2 s came from Retry-After.
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(1900);
  });

  test('503 with Retry-After as an HTTP date is waited out', async () => {
    proxy.setRules([{ method: 'GET', path: blobPath(small.config), fault: { kind: 'status', status: 503, retryAfterDate: 3 }, times: 1 }]);
    const s = freshStore('503-date');
    const r = await s.tote(['pull', `${proxy.host}/faults/small:1`]);
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
    const tries = hits(small.config).slice(-2);
    expect(tries.map((l) => l.status)).toEqual([503, 200]);
    // The date has whole seconds, so the wait is between 2 and 3 s; the backoff alone would be 250 ms.
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(1500);
  });

  test('credentials are not sent to another host on redirect', async () => {
    const users = { carol: 'secret' };
    const authed = await startRegistry(path.join(e.dir, 'reg-auth'), { users });
    const basic = 'Basic ' + Buffer.from('carol:secret').toString('base64');
    const front = await startFaultProxy(authed, { upstreamAuth: basic });
    try {
      await ok(['tag', `${registry.host}/faults/small:1`, `${authed.host}/faults/small:1`]);
      await ok(['push', '--creds', 'carol:secret', `${authed.host}/faults/small:1`]);
      const layer = small.layers[0]!;
      front.setRules([{ method: 'GET', path: blobPath(layer), fault: { kind: 'redirect' } }]);
      const s = freshStore('redirect');
      const r = await s.tote(['pull', '--creds', 'carol:secret', `${front.host}/faults/small:1`]);
      expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
      const got = front.log.filter((l) => l.path.endsWith(`/blobs/${layer}`)).map((l) => ({ host: l.host, authorized: l.authorized, status: l.status }));
      expect(got).toEqual([
        { host: front.host, authorized: true, status: 307 },
        { host: front.altHost, authorized: false, status: 200 },
      ]);
    } finally {
      await front.stop();
      await authed.stop();
    }
  });

  test('a redirect loop is cut off with its own error, exit 125', async () => {
    proxy.setRules([{ method: 'GET', path: blobPath(small.config), fault: { kind: 'redirect', loop: true } }]);
    const before = hits(small.config).length;
    const s = freshStore('loop');
    const r = await s.tote(['pull', `${proxy.host}/faults/small:1`]);
    expect(r.code).toBe(125);
    expect(r.stderr).toContain('still redirected after 10 redirects');
    // The first request and 10 redirects followed, once: a loop is not a transient fault to retry.
    expect(hits(small.config).length - before).toBe(11);
  });

  test('connection resets and a slow registry are survived', async () => {
    const layer = small.layers[0]!;
    proxy.setRules([
      { method: 'GET', path: blobPath(layer), fault: { kind: 'reset' }, times: 2 },
      { method: 'GET', path: blobPath(layer), fault: { kind: 'slow', ms: 1500 } },
      { method: 'GET', path: /\/manifests\/1$/, fault: { kind: 'slow', ms: 1500 } },
    ]);
    const before = proxy.log.length;
    const s = freshStore('reset');
    const r = await s.tote(['pull', `${proxy.host}/faults/small:1`]);
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
    const got = proxy.log.slice(before).filter((l) => l.path.endsWith(`/blobs/${layer}`));
    expect(got.map((l) => l.fault)).toEqual(['reset', 'reset', 'slow']);
    const run = await s.tote(['run', '--rm', `${proxy.host}/faults/small:1`, 'echo', 'survived']);
    expect(run.stdout).toBe('survived\n');
  });

  test('a corrupted blob → digest error, nothing stored', async () => {
    const layer = small.layers[0]!;
    // Byte 4 is in the gzip header's MTIME, which decompression ignores: only the digest can catch it.
    proxy.setRules([{ method: 'GET', path: blobPath(layer), fault: { kind: 'corrupt', offset: 4 } }]);
    const s = freshStore('corrupt');
    const r = await s.tote(['pull', `${proxy.host}/faults/small:1`]);
    expect(r.code).toBe(125);
    expect(r.stderr).toContain(`layer ${layer}: content digest`);
    expect(r.stderr).toContain('does not match the manifest');
    expect((await s.tote(['images', '-q'])).stdout).toBe('');
    expect(s.layers()).toEqual([]);
    expect(existsSync(path.join(s.root, 'blobs', 'sha256', layer.slice(7)))).toBe(false);
  });

  test('registry down: an error after a bounded number of attempts, exit 125', async () => {
    proxy.setRules([{ path: /.*/, fault: { kind: 'status', status: 503 } }]);
    const before = proxy.log.length;
    const s = freshStore('down');
    const r = await s.tote(['pull', `${proxy.host}/faults/small:1`]);
    expect(r.code).toBe(125);
    expect(r.stderr).toContain(`pinging registry ${proxy.host}`);
    expect(r.stderr).toContain('503');
    // lib/registry's default: 4 attempts, then give up.
    expect(proxy.log.slice(before).map((l) => l.path)).toEqual(['/v2/', '/v2/', '/v2/', '/v2/']);

    // Nothing listening at all: refused connections, retried, then a hint.
    const port = await freePort();
    const refused = await s.tote(['pull', `127.0.0.1:${port}/faults/small:1`]);
    expect(refused.code).toBe(125);
    expect(refused.stderr).toMatch(/ECONNREFUSED/);
    expect(refused.stderr).toContain('is the registry running');
  });

  // SIGINT to the process group is what Ctrl-C in a terminal does.
  test.each(['SIGKILL', 'SIGINT'] as const)('%s mid-pull leaves no image; the next pull reuses the finished layer', async (signal) => {
    const [base, top] = big.layers as [string, string];
    proxy.setRules([{ method: 'GET', path: blobPath(top), fault: { kind: 'stall', bytes: 1024 * 1024 } }]);
    const stallsBefore = hits(top).length;
    const s = freshStore(`kill-${signal}`);
    const ref = `${proxy.host}/faults/big:1`;
    const child = spawn(process.execPath, [CLI, ...s.args(['pull', ref])], { env: e.env, cwd: e.dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, sig) => resolve(sig)));
    // Kill once the base layer is stored and the top one is stuck mid-body.
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (stdout.includes(`${short(base)}: Pull complete`) && hits(top).slice(stallsBefore).some((l) => l.fault === 'stall')) {
          clearInterval(timer);
          resolve();
        }
      }, 50);
      child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      child.once('close', () => {
        clearInterval(timer);
        reject(new Error(`pull ended before it could be killed:\n${stdout}`));
      });
    });
    process.kill(-child.pid!, signal);
    expect(await exited).toBe(signal);
    expect((await s.tote(['images', '-q'])).stdout).toBe('');
    expect(s.layers()).toHaveLength(1);

    proxy.setRules([]);
    const again = await s.tote(['pull', ref]);
    expect({ code: again.code, out: show(again) }).toMatchObject({ code: 0 });
    expect(lines(again.stdout)).toContain(`${short(base)}: Already exists`);
    expect(lines(again.stdout)).toContain(`${short(top)}: Pull complete`);
    expect(s.layers()).toHaveLength(2);
    // What the killed pull left half-extracted in tmp/ was swept once the next image was stored.
    const tmp = path.join(s.root, 'tmp');
    expect(existsSync(tmp) ? readdirSync(tmp) : []).toEqual([]);
    const sum = await s.tote(['run', '--rm', ref, 'sha256sum', '/big']);
    expect(sum.stdout).toBe(`${big.sha}  /big\n`);
  });
});
