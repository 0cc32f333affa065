/**
 * podman's registries.conf (v2, TOML): `[[registry]]` with `prefix`/`location`,
 * `insecure`, `blocked` and `[[registry.mirror]]` entries. Short names are
 * always docker.io (docker's rule): `unqualified-search-registries` and
 * short-name aliases are read but never consulted, so nothing ever prompts.
 */
import { promises as fs } from 'node:fs';
import type { ToteConfig } from '../config/index.js';
import { ToteError, errnoCode } from '../errors/index.js';
import { parse as tomlParse } from 'smol-toml';

export interface MirrorEntry {
  location: string;
  insecure: boolean;
  pullFromMirror?: 'all' | 'digest-only' | 'tag-only';
}

export interface RegistryEntry {
  /** What a reference must start with (defaults to location). */
  prefix: string;
  location: string;
  insecure: boolean;
  blocked: boolean;
  mirrors: MirrorEntry[];
}

export interface RegistriesConf {
  file?: string;
  registries: RegistryEntry[];
  unqualifiedSearch: string[];
}

/** One place to contact: `host[:port]` plus an optional repository path prefix. */
export interface Endpoint {
  /** `host[:port]` as written (docker.io is mapped to registry-1.docker.io by the client). */
  host: string;
  /** The repository path at this endpoint: `library/busybox` or `mirror/library/busybox`. */
  repository: string;
  insecure: boolean;
  mirror: boolean;
}

const EMPTY: RegistriesConf = { registries: [], unqualifiedSearch: [] };

export async function loadRegistriesConf(config: ToteConfig): Promise<RegistriesConf> {
  for (const file of config.registry.registriesConf) {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (e) {
      if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'EACCES') continue;
      throw e;
    }
    return { ...parseRegistriesConf(text, file), file };
  }
  return EMPTY;
}

export function parseRegistriesConf(text: string, file = 'registries.conf'): RegistriesConf {
  let doc: Record<string, unknown>;
  try {
    doc = tomlParse(text) as Record<string, unknown>;
  } catch (e) {
    throw new ToteError('E_REGISTRIES_CONF', `${file}: ${(e as Error).message.split('\n')[0]}`, { hint: 'fix the TOML syntax (registries.conf v2 format)' });
  }
  const registries: RegistryEntry[] = [];
  const list = Array.isArray(doc.registry) ? (doc.registry as Array<Record<string, unknown>>) : [];
  for (const r of list) {
    const location = typeof r.location === 'string' ? stripScheme(r.location) : '';
    const prefix = typeof r.prefix === 'string' ? stripScheme(r.prefix) : location;
    if (!prefix) throw new ToteError('E_REGISTRIES_CONF', `${file}: a [[registry]] needs a location or prefix`);
    const mirrors = (Array.isArray(r.mirror) ? (r.mirror as Array<Record<string, unknown>>) : []).map((m) => ({
      location: stripScheme(String(m.location ?? '')),
      insecure: m.insecure === true,
      ...(typeof m['pull-from-mirror'] === 'string' ? { pullFromMirror: m['pull-from-mirror'] as MirrorEntry['pullFromMirror'] } : {}),
    })).filter((m) => m.location);
    registries.push({ prefix, location: location || prefix, insecure: r.insecure === true, blocked: r.blocked === true, mirrors });
  }
  const uqs = doc['unqualified-search-registries'];
  return { registries, unqualifiedSearch: Array.isArray(uqs) ? uqs.map(String) : [] };
}

function stripScheme(s: string): string {
  return s.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
}

/** The longest `[[registry]]` prefix matching `repository` (`docker.io/library/busybox`). */
export function findRegistry(conf: RegistriesConf, repository: string): RegistryEntry | undefined {
  let best: RegistryEntry | undefined;
  for (const r of conf.registries) {
    const p = r.prefix;
    const matches = p.startsWith('*.')
      ? repository.split('/')[0]!.endsWith(p.slice(1))
      : repository === p || repository.startsWith(p + '/') || repository.startsWith(p + ':') || repository.startsWith(p + '@');
    if (matches && (!best || p.length > best.prefix.length)) best = r;
  }
  return best;
}

/** Splits `docker.io/library/busybox` into host and path. */
export function splitRepository(repository: string): { host: string; path: string } {
  const slash = repository.indexOf('/');
  return { host: repository.slice(0, slash), path: repository.slice(slash + 1) };
}

/** Is this a registry docker talks plain HTTP to without being told (loopback)? */
export function isLocalhost(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return name === 'localhost' || name.endsWith('.localhost') || /^127\./.test(name) || name === '::1';
}

/**
 * Where to pull `repository` from, in order: mirrors first, then the
 * registry itself (its `location` may rewrite the prefix). Throws for a
 * blocked registry.
 */
export function resolveEndpoints(conf: RegistriesConf, repository: string, opts: { byDigest?: boolean; push?: boolean } = {}): Endpoint[] {
  const reg = findRegistry(conf, repository);
  const { host, path } = splitRepository(repository);
  if (!reg) return [{ host, repository: path, insecure: false, mirror: false }];
  if (reg.blocked) {
    throw new ToteError('E_REGISTRY_BLOCKED', `registry ${reg.prefix} is blocked in ${conf.file ?? 'registries.conf'}`, {
      hint: 'remove `blocked = true` from its [[registry]] entry',
    });
  }
  const rest = repository.slice(reg.prefix.startsWith('*.') ? host.length : reg.prefix.length).replace(/^\//, '');
  const at = (location: string, insecure: boolean, mirror: boolean): Endpoint => {
    const lh = location.indexOf('/');
    const h = lh < 0 ? location : location.slice(0, lh);
    const pre = lh < 0 ? '' : location.slice(lh + 1);
    return { host: h, repository: [pre, rest].filter(Boolean).join('/'), insecure, mirror };
  };
  const out: Endpoint[] = [];
  if (!opts.push) {
    for (const m of reg.mirrors) {
      if (m.pullFromMirror === 'digest-only' && !opts.byDigest) continue;
      if (m.pullFromMirror === 'tag-only' && opts.byDigest) continue;
      out.push(at(m.location, m.insecure, true));
    }
  }
  out.push(at(reg.prefix.startsWith('*.') ? host : reg.location, reg.insecure, false));
  return out;
}

/** Is `host` marked insecure in registries.conf? (Loopback hosts may use plain HTTP anyway: see RegistryClient.) */
export function hostIsInsecure(conf: RegistriesConf, host: string): boolean {
  for (const r of conf.registries) {
    if (r.location.split('/')[0] === host && r.insecure) return true;
    for (const m of r.mirrors) if (m.location.split('/')[0] === host && m.insecure) return true;
  }
  return false;
}
