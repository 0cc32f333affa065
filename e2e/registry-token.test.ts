/**
 * The Docker Hub auth flow against the real distribution registry in
 * `auth: token` mode: 401 with a Bearer challenge, a token from the token
 * server (e2e/fixtures/token-server.ts) for exactly the scope needed, the
 * token reused for every request of that scope, a new `pull,push` scope
 * for push, and the token server's own words when credentials are wrong.
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { makeEnv, show, lines, haveProgram } from './harness.js';
import { startRegistry, type TestRegistry } from './fixtures/registry.js';
import { startTokenServer, type TokenServer, type TokenRequestLog } from './fixtures/token-server.js';

const e = makeEnv();
const have = haveProgram('docker-registry') && haveProgram('openssl');
const maybe = have ? describe : describe.skip;

let tokens: TokenServer;
let registry: TestRegistry;

async function ok(args: string[], opts: Parameters<typeof e.tote>[1] = {}) {
  const r = await e.tote(args, opts);
  if (r.code !== 0) throw new Error(`tote ${args.join(' ')}\n${show(r)}`);
  return r;
}

/** The token requests made while `fn` ran. */
async function tokenRequests(fn: () => Promise<unknown>): Promise<TokenRequestLog[]> {
  const before = tokens.log.length;
  await fn();
  return tokens.log.slice(before);
}

maybe('registry with token auth (Bearer)', () => {
  beforeAll(async () => {
    tokens = await startTokenServer(path.join(e.dir, 'token'), {
      users: { alice: 'wonderland', bob: 'builder' },
      // alice may do anything; bob may only pull; anyone may pull public/*.
      policy: (user, name) => (user === 'alice' ? ['pull', 'push'] : user === 'bob' || name.startsWith('public/') ? ['pull'] : []),
    });
    registry = await startRegistry(path.join(e.dir, 'reg-token'), { tls: true, token: tokens });
    // Trust both the registry's certificate and the token server's, as a
    // user would put their CA in certs.d for the registry.
    const certs = path.join(e.env.XDG_CONFIG_HOME!, 'containers', 'certs.d', registry.host);
    mkdirSync(certs, { recursive: true });
    copyFileSync(registry.caFile!, path.join(certs, 'registry.crt'));
    copyFileSync(tokens.tlsCertFile, path.join(certs, 'token-server.crt'));
    await e.importBusybox(`${registry.host}/private/bb:1`);
  });

  afterAll(async () => {
    await Promise.all([registry?.stop(), tokens?.stop()]);
  });

  test('anonymous push and pull are refused; login, then push with a pull,push token', async () => {
    const ref = `${registry.host}/private/bb:1`;
    const anon = await e.tote(['push', ref]);
    expect(anon.code).toBe(125);
    expect(anon.stderr).toMatch(/unauthorized/);
    expect(anon.stderr).toMatch(/tote login/);

    const wrong = await e.tote(['login', '-u', 'alice', '-p', 'nope', registry.host]);
    expect({ code: wrong.code, stderr: wrong.stderr }).toMatchObject({ code: 125, stderr: expect.stringContaining('unauthorized: incorrect username or password') });

    const login = await tokenRequests(() => ok(['login', '-u', 'alice', '--password-stdin', registry.host], { input: 'wonderland\n' }));
    expect(login.map((l) => [l.user, l.status])).toEqual([['alice', 200]]);

    const push = await tokenRequests(() => ok(['push', ref]));
    // One token for the push scope, reused for every HEAD, upload and the manifest.
    expect(push.map((l) => [l.user, l.scopes.join(' ')])).toEqual([['alice', 'repository:private/bb:pull,push']]);
  });

  test('pull through a cached Bearer token, then run', async () => {
    const ref = `${registry.host}/private/bb:1`;
    await ok(['rmi', ref]);
    const pull = await tokenRequests(() => ok(['pull', ref]));
    // Manifest, config and layer requests share one pull-scoped token.
    expect(pull.map((l) => [l.user, l.scopes.join(' ')])).toEqual([['alice', 'repository:private/bb:pull']]);
    const run = await ok(['run', '--rm', ref, 'echo', 'via-token']);
    expect(run.stdout).toBe('via-token\n');
  });

  test('push to another repository mounts the layer with a token for both repositories', async () => {
    const copy = `${registry.host}/private/copy:1`;
    await ok(['tag', `${registry.host}/private/bb:1`, copy]);
    let r: Awaited<ReturnType<typeof ok>> | undefined;
    const push = await tokenRequests(async () => (r = await ok(['push', copy])));
    expect(lines(r!.stdout).some((l) => /^[0-9a-f]{12}: Mounted from private\/bb$/.test(l))).toBe(true);
    // The mount needs pull on the source as well; everything else shares the push token.
    expect(push.map((l) => l.scopes)).toEqual([['repository:private/copy:pull,push'], ['repository:private/copy:pull,push', 'repository:private/bb:pull']]);
  });

  test('a pull-only account cannot push', async () => {
    const ref = `${registry.host}/private/bb:bob`;
    await ok(['tag', `${registry.host}/private/bb:1`, ref]);
    let r: Awaited<ReturnType<typeof e.tote>> | undefined;
    const asked = await tokenRequests(async () => (r = await e.tote(['push', '--creds', 'bob:builder', ref])));
    expect(r!.code).toBe(125);
    expect(r!.stderr).toMatch(/unauthorized|denied/);
    // The token server was asked for push and pull, and granted only pull. (After
    // the registry's 401 the client asks again with the challenge's scope, whose
    // action order is the registry's: compare the actions as a set.)
    expect(asked.length).toBeGreaterThan(0);
    for (const l of asked) {
      expect(l.user).toBe('bob');
      expect(l.scopes.map((s) => s.split(':').pop()!.split(',').sort().join(','))).toEqual(['pull,push']);
      expect(l.granted).toEqual([{ name: 'private/bb', actions: ['pull'] }]);
    }
  });

  test('anonymous tokens pull a public repository; private stays refused after logout', async () => {
    const pub = `${registry.host}/public/bb:1`;
    await ok(['tag', `${registry.host}/private/bb:1`, pub]);
    await ok(['push', pub]);
    await ok(['logout', registry.host]);
    await ok(['rmi', pub]);
    const pull = await tokenRequests(() => ok(['pull', pub]));
    expect(pull.map((l) => [l.user, l.scopes.join(' ')])).toEqual([[undefined, 'repository:public/bb:pull']]);

    const priv = `${registry.host}/private/bb:1`;
    await ok(['rmi', priv]);
    const refused = await e.tote(['pull', priv]);
    expect(refused.code).toBe(125);
    expect(refused.stderr).toMatch(/unauthorized/);
  });

  test('wrong credentials on pull → unauthorized with the token server\'s message, exit 125', async () => {
    const r = await e.tote(['pull', '--creds', 'alice:wrong', `${registry.host}/private/bb:1`]);
    expect(r.code).toBe(125);
    expect(lines(r.stderr).join('\n')).toContain('unauthorized: incorrect username or password');
    expect(tokens.log.at(-1)).toMatchObject({ status: 401 });
    expect(tokens.log.at(-1)!.user).toBeUndefined();
  });
});
