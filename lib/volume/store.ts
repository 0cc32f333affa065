/**
 * Named volumes: `<dataDir>/volumes/<name>/_data` holds the data,
 * `<dataDir>/volumes/<name>/volume.json` the metadata, written atomically.
 * Functions named `…Locked` expect the caller to hold the store lock
 * (storePaths(config).lock); the others take it themselves.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ToteConfig } from '../config/index.js';
import { ToteError, UsageError, errnoCode } from '../errors/index.js';
import { readJson, withLock, writeJsonAtomic } from '../state/index.js';
import { removeTree, storePaths, type ContainerRecord, type MountSpec } from '../storage/index.js';
import type { UsernsPlan } from '../userns/index.js';

export interface VolumeRecord {
  name: string;
  driver: 'local';
  labels: Record<string, string>;
  options: Record<string, string>;
  /** ISO 8601. */
  created: string;
  /** Made for one container (`-v /path`); removed with it by `rm -v` / `--rm`. */
  anonymous: boolean;
}

export interface CreateVolumeOptions {
  name?: string;
  driver?: string;
  labels?: Record<string, string>;
  options?: Record<string, string>;
  anonymous?: boolean;
}

/** docker labels anonymous volumes so `volume ls --filter label=…` can find them. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

export const VOLUME_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** The local driver's options (docker: type, device, o). */
const LOCAL_OPTION_KEYS = ['type', 'device', 'o', 'size'];

export class NoSuchVolumeError extends ToteError {
  constructor(name: string) {
    super('E_NO_SUCH_VOLUME', `no volume with name "${name}" found: no such volume`, { hint: 'list volumes with `tote volume ls`' });
    this.name = 'NoSuchVolumeError';
  }
}

export function volumesRoot(config: ToteConfig): string {
  return path.join(config.dataDir, 'volumes');
}

export function volumeDir(config: ToteConfig, name: string): string {
  return path.join(volumesRoot(config), name);
}

/** The Mountpoint: what containers bind. */
export function volumeDataDir(config: ToteConfig, name: string): string {
  return path.join(volumeDir(config, name), '_data');
}

function metaFile(config: ToteConfig, name: string): string {
  return path.join(volumeDir(config, name), 'volume.json');
}

export function checkVolumeName(name: string): void {
  if (!VOLUME_NAME_RE.test(name)) {
    throw new UsageError(
      `"${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed`,
      'to bind a host directory, give an absolute path',
    );
  }
}

export async function loadVolume(config: ToteConfig, name: string): Promise<VolumeRecord | undefined> {
  if (!VOLUME_NAME_RE.test(name)) return undefined;
  const rec = await readJson<VolumeRecord | null>(metaFile(config, name), null);
  if (rec) return rec;
  // A data directory without metadata (made by an older tote): a plain local volume.
  try {
    const st = await fs.stat(volumeDataDir(config, name));
    return { name, driver: 'local', labels: {}, options: {}, created: st.mtime.toISOString(), anonymous: false };
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return undefined;
    throw e;
  }
}

export async function getVolume(config: ToteConfig, name: string): Promise<VolumeRecord> {
  const v = await loadVolume(config, name);
  if (!v) throw new NoSuchVolumeError(name);
  return v;
}

/** Every volume, sorted by name. Entries being removed (`.removing-…`) are skipped. */
export async function listVolumes(config: ToteConfig): Promise<VolumeRecord[]> {
  let names: string[];
  try {
    names = await fs.readdir(volumesRoot(config));
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return [];
    throw e;
  }
  const recs = await Promise.all(names.filter((n) => VOLUME_NAME_RE.test(n)).map((n) => loadVolume(config, n)));
  return recs.filter((r): r is VolumeRecord => r !== undefined).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function validateCreate(o: CreateVolumeOptions): void {
  if (o.name !== undefined) checkVolumeName(o.name);
  const driver = o.driver ?? 'local';
  if (driver !== 'local') {
    throw new ToteError('E_VOLUME_DRIVER', `volume driver "${driver}" is not supported`, { hint: 'tote has the "local" driver only' });
  }
  for (const k of Object.keys(o.options ?? {})) {
    if (!LOCAL_OPTION_KEYS.includes(k)) throw new UsageError(`invalid option key: "${k}"`, `the local driver takes ${LOCAL_OPTION_KEYS.join(', ')}`);
  }
}

/**
 * Creates a volume, or returns the existing one of that name (docker's
 * `volume create` is idempotent). Caller holds the store lock.
 */
export async function createVolumeLocked(config: ToteConfig, o: CreateVolumeOptions = {}): Promise<{ volume: VolumeRecord; created: boolean }> {
  validateCreate(o);
  const name = o.name ?? randomBytes(32).toString('hex');
  const existing = await loadVolume(config, name);
  if (existing) return { volume: existing, created: false };
  const anonymous = o.anonymous ?? false;
  const volume: VolumeRecord = {
    name,
    driver: 'local',
    labels: { ...(anonymous ? { [ANONYMOUS_LABEL]: '' } : {}), ...(o.labels ?? {}) },
    options: { ...(o.options ?? {}) },
    created: new Date().toISOString(),
    anonymous,
  };
  await fs.mkdir(volumesRoot(config), { recursive: true, mode: 0o700 });
  await fs.mkdir(volumeDir(config, name), { recursive: true, mode: 0o700 });
  await fs.mkdir(volumeDataDir(config, name), { recursive: true, mode: 0o755 });
  await writeJsonAtomic(metaFile(config, name), volume);
  return { volume, created: true };
}

export async function createVolume(config: ToteConfig, o: CreateVolumeOptions = {}): Promise<VolumeRecord> {
  validateCreate(o); // fail before waiting for the lock
  return withLock(storePaths(config).lock, async () => (await createVolumeLocked(config, o)).volume);
}

/** The volume a container mount refers to, if it is one. */
export function mountVolumeName(config: ToteConfig, m: MountSpec): string | undefined {
  if (m.name) return m.name;
  if (m.type !== 'volume') return undefined;
  const rel = path.relative(volumesRoot(config), m.source);
  const parts = rel.split(path.sep);
  return parts.length === 2 && parts[1] === '_data' && VOLUME_NAME_RE.test(parts[0]) ? parts[0] : undefined;
}

/** Volume name → ids of the containers that mount it. */
export function volumeUsers(config: ToteConfig, containers: ContainerRecord[]): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const c of containers) {
    for (const m of c.spec.mounts) {
      const name = mountVolumeName(config, m);
      if (name === undefined) continue;
      const list = users.get(name) ?? [];
      if (!list.includes(c.id)) list.push(c.id);
      users.set(name, list);
    }
  }
  return users;
}

/**
 * Removes a volume: the directory is renamed out of sight first (so a crash
 * never leaves a half-removed volume under its name), then deleted from
 * inside the user namespace (its files belong to subordinate ids).
 * Caller holds the store lock and has checked that no container uses it.
 */
export async function removeVolumeLocked(config: ToteConfig, plan: UsernsPlan, name: string): Promise<void> {
  if (!(await loadVolume(config, name))) throw new NoSuchVolumeError(name);
  const trash = path.join(volumesRoot(config), `.removing-${name}-${randomBytes(4).toString('hex')}`);
  await fs.rename(volumeDir(config, name), trash);
  await removeTree(config, plan, trash);
}

/** Deletes leftovers of removals a crash interrupted. Caller holds the store lock. */
export async function sweepRemovedLocked(config: ToteConfig, plan: UsernsPlan): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(volumesRoot(config));
  } catch {
    return;
  }
  for (const n of names.filter((x) => x.startsWith('.removing-'))) await removeTree(config, plan, path.join(volumesRoot(config), n));
}

/** Disk usage of a tree as docker counts it (sizes of non-directories, hard links once); unreadable parts are skipped. */
export async function treeSize(dir: string): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const walk = async (d: string): Promise<void> => {
    let entries: string[];
    try {
      entries = await fs.readdir(d);
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e);
      let st;
      try {
        st = await fs.lstat(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        await walk(p);
        continue;
      }
      const key = `${st.dev}:${st.ino}`;
      if (st.nlink > 1) {
        if (seen.has(key)) continue;
        seen.add(key);
      }
      total += st.size;
    }
  };
  await walk(dir);
  return total;
}
