/**
 * Validation of `run`/`create` inputs that must fail before anything is
 * created: env files, volume specs, host paths.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ToteError, UsageError, errnoCode } from '../errors/index.js';
import type { MountSpec } from '../storage/index.js';

/** docker's --env-file: KEY=VALUE lines, `KEY` alone takes the host's value, `#` comments; no quote processing. */
export async function readEnvFile(file: string, hostEnv: Readonly<Record<string, string | undefined>>): Promise<string[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new ToteError('E_ENV_FILE', `open ${file}: ${errnoCode(e) === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
  }
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\s+/, '');
    if (!line || line.startsWith('#')) continue;
    out.push(...expandEnv([line], hostEnv));
  }
  return out;
}

/** `-e KEY=V` as is; `-e KEY` takes the host's value, or is dropped when unset (docker). */
export function expandEnv(list: string[], hostEnv: Readonly<Record<string, string | undefined>>): string[] {
  const out: string[] = [];
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq === 0) throw new UsageError(`invalid environment variable: ${item}`);
    if (eq > 0) out.push(item);
    else if (hostEnv[item] !== undefined) out.push(`${item}=${hostEnv[item]}`);
  }
  return out;
}

/** Later entries override earlier ones with the same key, order kept. */
export function mergeEnv(...lists: string[][]): string[] {
  const map = new Map<string, string>();
  for (const list of lists) {
    for (const e of list) {
      const eq = e.indexOf('=');
      const k = eq < 0 ? e : e.slice(0, eq);
      map.delete(k);
      map.set(k, e);
    }
  }
  return [...map.values()];
}

export interface ParsedVolume {
  /** Absolute host path, named volume, or empty for an anonymous volume. */
  source: string;
  destination: string;
  readOnly: boolean;
  kind: 'bind' | 'volume';
  /** `nocopy`: do not populate a new volume from the image. */
  noCopy?: boolean;
}

/** `-v [SRC:]DST[:OPTS]` with OPTS from ro, rw, z, Z, and propagation flags. */
export function parseVolume(spec: string): ParsedVolume {
  const parts = spec.split(':');
  let source = '';
  let destination: string;
  let opts = '';
  if (parts.length === 1) destination = parts[0];
  else if (parts.length === 2) {
    if (parts[1].startsWith('/')) [source, destination] = parts;
    else [destination, opts] = parts;
  } else if (parts.length === 3) [source, destination, opts] = parts;
  else throw new UsageError(`invalid volume specification: "${spec}"`, 'use -v HOST-PATH:CONTAINER-PATH[:ro]');
  if (!destination.startsWith('/')) throw new UsageError(`invalid volume specification "${spec}": container path "${destination}" must be absolute`);
  let readOnly = false;
  let noCopy = false;
  for (const o of opts.split(',').filter(Boolean)) {
    if (o === 'nocopy') noCopy = true;
    else if (o === 'ro') readOnly = true;
    else if (o === 'rw') readOnly = false;
    else if (!['z', 'Z', 'private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave', 'nocopy', 'U'].includes(o)) {
      throw new UsageError(`invalid volume option "${o}" in "${spec}"`, 'options are ro, rw, z, Z');
    }
  }
  if (source && !source.startsWith('/') && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(source)) {
    throw new UsageError(`invalid volume specification "${spec}": "${source}" is neither an absolute path nor a volume name`);
  }
  return {
    source,
    destination: path.posix.normalize(destination).replace(/(.)\/$/, '$1'),
    readOnly,
    kind: source.startsWith('/') ? 'bind' : 'volume',
    ...(noCopy ? { noCopy } : {}),
  };
}

/** A bind source must exist before the container is created (docker -v on a missing path errors in podman). */
export async function checkBindSource(vol: ParsedVolume): Promise<void> {
  if (vol.kind !== 'bind') return;
  try {
    await fs.stat(vol.source);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') {
      throw new ToteError('E_BIND_SOURCE', `error checking path "${vol.source}": stat ${vol.source}: no such file or directory`, {
        hint: 'create the host directory first, or fix the path',
      });
    }
    throw e;
  }
}

export function toMountSpec(vol: ParsedVolume, resolvedSource: string): MountSpec {
  return { type: vol.kind, source: resolvedSource, destination: vol.destination, readOnly: vol.readOnly };
}
