import { describe, test, expect } from '@jest/globals';
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type ToteConfig } from '../config/index.js';
import { parseChallenges } from './challenge.js';
import { parseRegistriesConf, resolveEndpoints } from './conf.js';
import { findCredentials, storeCredentials, removeCredentials, normalizeAuthKey } from './credentials.js';
import { registryMessage, retryAfterMs } from './client.js';

describe('parseChallenges', () => {
  test('bearer with realm, service, scope', () => {
    expect(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' } },
    ]);
  });
  test('basic, several challenges, escapes and unquoted values', () => {
    expect(parseChallenges('Basic realm="a \\"b\\"", Bearer realm=https://x/t,service=s')).toEqual([
      { scheme: 'basic', params: { realm: 'a "b"' } },
      { scheme: 'bearer', params: { realm: 'https://x/t', service: 's' } },
    ]);
    expect(parseChallenges(undefined)).toEqual([]);
  });
});

describe('registries.conf', () => {
  const conf = parseRegistriesConf(`
unqualified-search-registries = ["quay.io"]
[[registry]]
location = "docker.io"
[[registry.mirror]]
location = "localhost:5000"
[[registry.mirror]]
location = "mirror.example:443/hub"
insecure = true
[[registry]]
prefix = "example.com/foo"
location = "internal.example:5000/bar"
insecure = true
[[registry]]
location = "blocked.example"
blocked = true
`);
  test('short names stay docker.io; mirrors first, then the registry', () => {
    expect(resolveEndpoints(conf, 'docker.io/library/busybox')).toEqual([
      { host: 'localhost:5000', repository: 'library/busybox', insecure: false, mirror: true },
      { host: 'mirror.example:443', repository: 'hub/library/busybox', insecure: true, mirror: true },
      { host: 'docker.io', repository: 'library/busybox', insecure: false, mirror: false },
    ]);
  });
  test('prefix rewritten to location; push skips mirrors', () => {
    expect(resolveEndpoints(conf, 'example.com/foo/app', { push: true })).toEqual([{ host: 'internal.example:5000', repository: 'bar/app', insecure: true, mirror: false }]);
    expect(resolveEndpoints(conf, 'quay.io/x/y')).toEqual([{ host: 'quay.io', repository: 'x/y', insecure: false, mirror: false }]);
  });
  test('blocked registries are refused', () => {
    expect(() => resolveEndpoints(conf, 'blocked.example/x')).toThrow(/blocked/);
  });
  test('bad TOML is a clear error', () => {
    expect(() => parseRegistriesConf('[[registry]\nlocation=', '/x/registries.conf')).toThrow(/\/x\/registries.conf/);
  });
});

describe('credentials', () => {
  function configIn(dir: string): ToteConfig {
    const base = loadConfig();
    const runtimeAuth = path.join(dir, 'run', 'containers', 'auth.json');
    return {
      ...base,
      registry: {
        ...base.registry,
        authFile: runtimeAuth,
        authFilesRead: [runtimeAuth, path.join(dir, 'config', 'containers', 'auth.json'), path.join(dir, 'docker', 'config.json')],
        dockerConfig: path.join(dir, 'docker', 'config.json'),
      },
    };
  }
  const b64 = (s: string) => Buffer.from(s).toString('base64');

  test('auth.json before docker config.json; docker hub legacy key', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tote-creds-'));
    const config = configIn(dir);
    mkdirSync(path.join(dir, 'docker'), { recursive: true });
    writeFileSync(path.join(dir, 'docker', 'config.json'), JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: b64('hub:pw') }, 'r.example': { auth: b64('d:1') } } }));
    mkdirSync(path.join(dir, 'config', 'containers'), { recursive: true });
    writeFileSync(path.join(dir, 'config', 'containers', 'auth.json'), JSON.stringify({ auths: { 'r.example': { auth: b64('p:2') } } }));
    expect(await findCredentials(config, 'docker.io')).toEqual({ username: 'hub', password: 'pw' });
    expect(await findCredentials(config, 'r.example')).toEqual({ username: 'p', password: '2' });
    expect(await findCredentials(config, 'other.example')).toBeUndefined();
  });

  test('login writes 0600 auth.json; logout removes', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tote-creds-'));
    const config = configIn(dir);
    const file = await storeCredentials(config, 'https://r.example:5000/v2/', { username: 'u', password: 'p:w' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).auths['r.example:5000'].auth).toBe(b64('u:p:w'));
    expect(await findCredentials(config, 'r.example:5000')).toEqual({ username: 'u', password: 'p:w' });
    expect(await removeCredentials(config, 'r.example:5000')).toBe(true);
    expect(await removeCredentials(config, 'r.example:5000')).toBe(false);
    expect(normalizeAuthKey('index.docker.io')).toBe('docker.io');
  });
});

test('registryMessage uses the registry\'s error body', () => {
  expect(registryMessage(404, Buffer.from('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}'))).toBe('manifest unknown');
  expect(registryMessage(401, Buffer.from('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}'))).toBe('unauthorized: authentication required');
  expect(registryMessage(500, Buffer.from(''))).toBe('500 Internal Server Error');
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  test('seconds or an HTTP date, capped at 30 s', () => {
    expect(retryAfterMs('2', now)).toBe(2000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('3600', now)).toBe(30_000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
  });
  test('absent or unreadable: undefined, so the client\'s own backoff applies', () => {
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs('', now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('-1', now)).toBeUndefined();
  });
});
