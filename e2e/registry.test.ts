/**
 * pull, push, login/logout and run-pulls-missing against the real
 * distribution registry (Debian's docker-registry) on loopback: a plain
 * HTTP registry that also serves as the docker.io mirror, and a TLS
 * registry with htpasswd users.
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdirSync, readdirSync, writeFileSync, readFileSync, statSync, copyFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { makeEnv, show, lines, haveProgram, runCli } from './harness.js';
import { startRegistry, type TestRegistry } from './fixtures/registry.js';

const e = makeEnv();
const have = haveProgram('docker-registry') && haveProgram('htpasswd') && haveProgram('openssl');
const maybe = have ? describe : describe.skip;

let plain: TestRegistry;
let secure: TestRegistry;
let pushedDigest = '';

async function ok(args: string[], opts: Parameters<typeof e.tote>[1] = {}) {
  const r = await e.tote(args, opts);
  if (r.code !== 0) throw new Error(`tote ${args.join(' ')}\n${show(r)}`);
  return r;
}

/** Finds the data file of a blob in the registry's storage. */
function registryBlob(storage: string, digest: string): string {
  const hex = digest.replace(/^sha256:/, '');
  return path.join(storage, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
}

maybe('registry', () => {
  beforeAll(async () => {
    plain = await startRegistry(path.join(e.dir, 'reg-plain'));
    secure = await startRegistry(path.join(e.dir, 'reg-tls'), { tls: true, users: { alice: 'wonderland' } });
    // registries.conf: docker.io goes through the plain registry as a mirror.
    const confDir = path.join(e.env.XDG_CONFIG_HOME!, 'containers');
    mkdirSync(confDir, { recursive: true });
    writeFileSync(path.join(confDir, 'registries.conf'), `unqualified-search-registries = ["quay.io"]\n\n[[registry]]\nlocation = "docker.io"\n\n[[registry.mirror]]\nlocation = "${plain.host}"\n`);
    // The TLS registry's CA, in the user's certs.d.
    const certs = path.join(confDir, 'certs.d', secure.host);
    mkdirSync(certs, { recursive: true });
    copyFileSync(secure.caFile!, path.join(certs, 'ca.crt'));
    await e.importBusybox(`${plain.host}/library/busybox:latest`);
  });

  afterAll(async () => {
    await Promise.all([plain?.stop(), secure?.stop()]);
  });

  test('push to a plain-http loopback registry', async () => {
    const r = await ok(['push', `${plain.host}/library/busybox:latest`]);
    expect(lines(r.stdout)[0]).toBe(`The push refers to repository [${plain.host}/library/busybox]`);
    const last = lines(r.stdout).pop()!;
    expect(last).toMatch(/^latest: digest: sha256:[0-9a-f]{64} size: \d+$/);
    pushedDigest = /sha256:[0-9a-f]{64}/.exec(last)![0];
    // The layer was compressed on push: its blob in the registry is gzip.
    const manifest = JSON.parse(readFileSync(registryBlob(plain.storage, pushedDigest), 'utf8'));
    expect(manifest.layers[0].mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
    const again = await ok(['push', `${plain.host}/library/busybox:latest`]);
    expect(again.stdout).toContain('Layer already exists');
    expect(lines(again.stdout).pop()).toContain(pushedDigest);
  });

  test('pull a short name through the mirror, with docker\'s output', async () => {
    await ok(['rmi', `${plain.host}/library/busybox:latest`]);
    const r = await ok(['pull', 'busybox']);
    const out = lines(r.stdout);
    expect(out[0]).toBe('Using default tag: latest');
    expect(out[1]).toBe('latest: Pulling from library/busybox');
    expect(out).toContain(`Digest: ${pushedDigest}`);
    expect(out).toContain('Status: Downloaded newer image for busybox:latest');
    expect(out[out.length - 1]).toBe('docker.io/library/busybox:latest');
    expect(out.some((l) => /^[0-9a-f]{12}: Pull complete$/.test(l))).toBe(true);
    const again = await ok(['pull', 'busybox']);
    expect(lines(again.stdout)).toContain('Status: Image is up to date for busybox:latest');
    const digests = await ok(['images', '--digests', '--format', '{{.Repository}} {{.Digest}}']);
    expect(lines(digests.stdout)).toContain(`busybox ${pushedDigest}`);
    const run = await ok(['run', '--rm', 'busybox', 'echo', 'pulled']);
    expect(run.stdout).toBe('pulled\n');
  });

  test('pull by digest, -q', async () => {
    const ref = `${plain.host}/library/busybox@${pushedDigest}`;
    const r = await ok(['pull', '-q', ref]);
    expect(r.stdout).toBe(`${ref}\n`);
    const run = await ok(['run', '--rm', ref, 'echo', 'by-digest']);
    expect(run.stdout).toBe('by-digest\n');
  });

  test('run pulls a missing image with docker\'s line on stderr; --pull=never refuses', async () => {
    await ok(['tag', 'busybox', `${plain.host}/other/bb:v2`]);
    await ok(['push', `${plain.host}/other/bb:v2`]);
    await ok(['rmi', `${plain.host}/other/bb:v2`]);
    const never = await e.tote(['run', '--rm', '--pull=never', `${plain.host}/other/bb:v2`, 'true']);
    expect(never.code).toBe(125);
    const r = await e.tote(['run', '--rm', `${plain.host}/other/bb:v2`, 'echo', 'hello']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('hello\n');
    expect(lines(r.stderr)[0]).toBe(`Unable to find image '${plain.host}/other/bb:v2' locally`);
    expect(r.stderr).toContain(`Status: Downloaded newer image for ${plain.host}/other/bb:v2`);
  });

  test('unknown tag → manifest unknown, exit 125', async () => {
    const r = await e.tote(['pull', `${plain.host}/library/busybox:nope`]);
    expect(r.code).toBe(125);
    expect(r.stderr).toContain('manifest unknown');
  });

  test('a corrupt blob in the registry → digest error, nothing stored', async () => {
    await ok(['tag', 'busybox', `${plain.host}/corrupt/bb:1`]);
    await ok(['push', `${plain.host}/corrupt/bb:1`]);
    const manifest = JSON.parse(readFileSync(registryBlob(plain.storage, (await ok(['push', '-q', `${plain.host}/corrupt/bb:1`])).stdout.trim()), 'utf8'));
    const layerFile = registryBlob(plain.storage, manifest.layers[0].digest);
    const bytes = readFileSync(layerFile);
    // Same length, one byte flipped near the end (gzip still decodes most of it).
    bytes[bytes.length - 20] ^= 0xff;
    writeFileSync(layerFile, bytes);
    // A fresh store, so the layer is not already there.
    const root = path.join(e.dir, 'root-corrupt');
    const other = (args: string[]) => runCli(['--root', root, '--runroot', path.join(e.dir, 'run-corrupt'), ...args], { env: e.env, cwd: e.dir });
    const r = await other(['pull', `${plain.host}/corrupt/bb:1`]);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/digest|checksum|unexpected end|incorrect/i);
    const images = await other(['images', '-q']);
    expect(images.stdout).toBe('');
    const layers = path.join(root, 'layers');
    expect(existsSync(layers) ? readdirSync(layers) : []).toEqual([]);
  });

  test('TLS + htpasswd: 401 without login, wrong password, login, pull, logout', async () => {
    const ref = `${secure.host}/private/bb:1`;
    await ok(['tag', 'busybox', ref]);
    const anon = await e.tote(['push', ref]);
    expect(anon.code).toBe(125);
    expect(anon.stderr).toMatch(/unauthorized/);
    const wrong = await e.tote(['login', '-u', 'alice', '-p', 'nope', secure.host]);
    expect(wrong.code).toBe(125);
    expect(wrong.stderr).toMatch(/unauthorized/);
    const authFile = path.join(e.env.XDG_RUNTIME_DIR!, 'containers', 'auth.json');
    expect(existsSync(authFile)).toBe(false);
    const login = await ok(['login', '-u', 'alice', '--password-stdin', secure.host], { input: 'wonderland\n' });
    expect(login.stdout).toBe('Login Succeeded!\n');
    expect(statSync(authFile).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(authFile, 'utf8'));
    expect(Buffer.from(saved.auths[secure.host].auth, 'base64').toString()).toBe('alice:wonderland');
    expect((await ok(['login', '--get-login', secure.host])).stdout).toBe('alice\n');
    await ok(['push', ref]);
    await ok(['rmi', ref]);
    await ok(['pull', ref]);
    await ok(['logout', secure.host]);
    expect(JSON.parse(readFileSync(authFile, 'utf8')).auths[secure.host]).toBeUndefined();
    const after = await e.tote(['pull', ref]);
    expect(after.code).toBe(125);
    expect(after.stderr).toMatch(/unauthorized/);
    // --creds works without a login.
    await ok(['rmi', ref]);
    await ok(['pull', '--creds', 'alice:wonderland', ref]);
  });

  test('TLS verification: an unknown CA is refused unless --tls-verify=false', async () => {
    const ref = `${secure.host}/private/bb:1`;
    const env = { XDG_CONFIG_HOME: path.join(e.dir, 'empty-config') };
    const r = await e.tote(['pull', '--creds', 'alice:wonderland', ref], { env });
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/certificate|TLS/i);
    const insecure = await e.tote(['pull', '--tls-verify=false', '--creds', 'alice:wonderland', ref], { env });
    expect({ code: insecure.code, out: show(insecure) }).toMatchObject({ code: 0 });
  });

  test('logout --all empties auth.json', async () => {
    await ok(['login', '-u', 'alice', '-p', 'wonderland', secure.host]);
    const r = await ok(['logout', '--all']);
    expect(r.stdout).toContain('Removed login credentials for all registries');
    const authFile = path.join(e.env.XDG_RUNTIME_DIR!, 'containers', 'auth.json');
    expect(JSON.parse(readFileSync(authFile, 'utf8')).auths).toEqual({});
  });
});
