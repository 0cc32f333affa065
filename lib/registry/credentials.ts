/**
 * Registry credentials, read as podman and docker do: $REGISTRY_AUTH_FILE,
 * $XDG_RUNTIME_DIR/containers/auth.json, ~/.config/containers/auth.json,
 * then docker's config.json (`auths`, `credHelpers`, `credsStore`, helpers
 * run as `docker-credential-<name> get`). `login` writes auth.json (0600,
 * atomically); `logout` removes entries.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { findProgram, type ToteConfig } from '../config/index.js';
import { ToteError, errnoCode } from '../errors/index.js';
import { writeFileAtomicText } from '../state/index.js';

export interface Credentials {
  username: string;
  password: string;
  /** An identity token (docker's `identitytoken`), used as a refresh token. */
  identityToken?: string;
}

interface AuthEntry {
  auth?: string;
  identitytoken?: string;
}

interface AuthFile {
  auths?: Record<string, AuthEntry>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
  [k: string]: unknown;
}

/** The keys a registry may be stored under in `auths` (docker's legacy Hub key included). */
export function authKeys(host: string): string[] {
  if (host === 'docker.io' || host === 'registry-1.docker.io' || host === 'index.docker.io') {
    return ['docker.io', 'https://index.docker.io/v1/', 'index.docker.io', 'registry-1.docker.io', 'https://registry-1.docker.io'];
  }
  return [host, `https://${host}`, `http://${host}`];
}

/** Normalises what the user typed for login/logout (`https://host/v2/` → `host`). */
export function normalizeAuthKey(server: string): string {
  const s = server.replace(/^[a-z]+:\/\//i, '').replace(/\/v[12]\/?$/, '').replace(/\/+$/, '');
  return s === 'index.docker.io' || s === 'registry-1.docker.io' ? 'docker.io' : s;
}

async function readAuthFile(file: string): Promise<AuthFile | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR' || errnoCode(e) === 'EACCES') return undefined;
    throw e;
  }
  if (!text.trim()) return {};
  try {
    return JSON.parse(text) as AuthFile;
  } catch (e) {
    throw new ToteError('E_AUTH_FILE', `${file}: invalid JSON: ${(e as Error).message}`, { hint: 'fix or remove the file' });
  }
}

export function decodeAuth(auth: string, file: string): Credentials {
  const text = Buffer.from(auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) throw new ToteError('E_AUTH_FILE', `${file}: an "auth" entry is not base64 of user:password`);
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

function lookup(file: AuthFile, host: string, fileName: string, repository?: string): Credentials | undefined {
  const auths = file.auths ?? {};
  // podman allows entries for a namespace (`host/ns/repo`): the longest match wins.
  if (repository) {
    const parts = `${host}/${repository}`.split('/');
    for (let i = parts.length; i > 1; i--) {
      const key = parts.slice(0, i).join('/');
      const e = auths[key];
      if (e?.auth) return decodeAuth(e.auth, fileName);
    }
  }
  for (const key of authKeys(host)) {
    const e = auths[key];
    if (e?.auth) return { ...decodeAuth(e.auth, fileName), ...(e.identitytoken ? { identityToken: e.identitytoken } : {}) };
    if (e?.identitytoken) return { username: '<token>', password: '', identityToken: e.identitytoken };
  }
  return undefined;
}

/** Runs `docker-credential-<helper> get` with the server on stdin. */
export function helperGet(config: ToteConfig, helper: string, server: string): Promise<Credentials | undefined> {
  const prog = findProgram(config, `docker-credential-${helper}`);
  if (!prog) {
    return Promise.reject(
      new ToteError('E_CRED_HELPER', `credential helper docker-credential-${helper} (from ${config.registry.dockerConfig}) is not installed`, {
        hint: `install it, or remove "${helper}" from credHelpers/credsStore`,
      }),
    );
  }
  return new Promise((resolve, reject) => {
    const child = execFile(prog, ['get'], { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) {
        if (/credentials not found/i.test(String(stdout) + String(stderr))) return resolve(undefined);
        return reject(new ToteError('E_CRED_HELPER', `docker-credential-${helper} get: ${String(stderr || stdout || err.message).trim()}`));
      }
      try {
        const r = JSON.parse(String(stdout)) as { Username?: string; Secret?: string };
        if (r.Username === '<token>') resolve({ username: '<token>', password: '', identityToken: r.Secret ?? '' });
        else resolve({ username: r.Username ?? '', password: r.Secret ?? '' });
      } catch {
        reject(new ToteError('E_CRED_HELPER', `docker-credential-${helper} get: unexpected output`));
      }
    });
    child.stdin?.end(server);
  });
}

/** Credentials for `host` (and optionally a repository under it), or undefined for anonymous. */
export async function findCredentials(config: ToteConfig, host: string, repository?: string): Promise<Credentials | undefined> {
  for (const file of config.registry.authFilesRead) {
    const data = await readAuthFile(file);
    if (!data) continue;
    const keys = authKeys(host);
    const helper = keys.map((k) => data.credHelpers?.[k]).find(Boolean);
    if (helper) {
      const c = await helperGet(config, helper, host === 'docker.io' ? 'https://index.docker.io/v1/' : host);
      if (c) return c;
    }
    const found = lookup(data, host, file, repository);
    if (found) return found;
    if (data.credsStore && file === config.registry.dockerConfig) {
      const c = await helperGet(config, data.credsStore, host === 'docker.io' ? 'https://index.docker.io/v1/' : host).catch(() => undefined);
      if (c) return c;
    }
  }
  return undefined;
}

/** Parses `--creds USER[:PASSWORD]`. */
export function parseCredsFlag(text: string): Credentials {
  const colon = text.indexOf(':');
  if (colon < 0) return { username: text, password: '' };
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** Stores credentials in auth.json (`login`). */
export async function storeCredentials(config: ToteConfig, server: string, creds: Credentials): Promise<string> {
  const file = config.registry.authFile;
  const data = (await readAuthFile(file)) ?? {};
  data.auths ??= {};
  data.auths[normalizeAuthKey(server)] = { auth: Buffer.from(`${creds.username}:${creds.password}`).toString('base64') };
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomicText(file, JSON.stringify(data, null, '\t') + '\n', 0o600);
  return file;
}

/** Removes one server's entry (or all entries) from auth.json. Returns whether something was removed. */
export async function removeCredentials(config: ToteConfig, server: string | undefined): Promise<boolean> {
  const file = config.registry.authFile;
  const data = await readAuthFile(file);
  if (!data) return false;
  if (server === undefined) {
    const had = Object.keys(data.auths ?? {}).length > 0;
    data.auths = {};
    await writeFileAtomicText(file, JSON.stringify(data, null, '\t') + '\n', 0o600);
    return had;
  }
  const key = normalizeAuthKey(server);
  const keys = new Set([key, ...authKeys(key)]);
  let removed = false;
  for (const k of Object.keys(data.auths ?? {})) {
    if (keys.has(k)) {
      delete data.auths![k];
      removed = true;
    }
  }
  if (removed) await writeFileAtomicText(file, JSON.stringify(data, null, '\t') + '\n', 0o600);
  return removed;
}

/** The username stored for a server in any auth file (`login --get-login`). */
export async function storedLogin(config: ToteConfig, server: string): Promise<string | undefined> {
  return (await findCredentials(config, normalizeAuthKey(server)))?.username;
}
