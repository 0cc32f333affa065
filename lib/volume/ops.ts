/** Volume commands over the store: filters, inspect view, rm, prune, anonymous cleanup. */
import type { ToteConfig } from '../config/index.js';
import { ToteError, UsageError } from '../errors/index.js';
import { withLock } from '../state/index.js';
import { listContainers, storePaths, type MountSpec } from '../storage/index.js';
import type { UsernsPlan } from '../userns/index.js';
import {
  getVolume,
  listVolumes,
  loadVolume,
  mountVolumeName,
  removeVolumeLocked,
  sweepRemovedLocked,
  treeSize,
  volumeDataDir,
  volumeUsers,
  type VolumeRecord,
} from './store.js';

/** `--filter k=v` flags → key → values (values of one key are OR'd, keys AND'd, as in docker). */
export function parseFilters(list: string[] | undefined, allowed: string[]): Map<string, string[]> {
  const filters = new Map<string, string[]>();
  for (const f of list ?? []) {
    const eq = f.indexOf('=');
    if (eq <= 0) throw new UsageError(`bad format of filter (expected name=value): ${f}`);
    const key = f.slice(0, eq).trim().toLowerCase();
    if (!allowed.includes(key)) throw new UsageError(`invalid filter '${key}'`, `valid filters: ${allowed.join(', ')}`);
    filters.set(key, [...(filters.get(key) ?? []), f.slice(eq + 1)]);
  }
  return filters;
}

function parseBool(key: string, v: string): boolean {
  if (['true', '1'].includes(v.toLowerCase())) return true;
  if (['false', '0'].includes(v.toLowerCase())) return false;
  throw new UsageError(`invalid filter '${key}=${v}'`, `${key} takes true or false`);
}

/** `label=k` / `label=k=v` against a label map. */
function labelMatches(labels: Record<string, string>, spec: string): boolean {
  const eq = spec.indexOf('=');
  if (eq < 0) return Object.prototype.hasOwnProperty.call(labels, spec);
  const k = spec.slice(0, eq);
  return Object.prototype.hasOwnProperty.call(labels, k) && labels[k] === spec.slice(eq + 1);
}

export const LS_FILTERS = ['name', 'label', 'dangling', 'driver'];
export const PRUNE_FILTERS = ['label', 'label!', 'all'];

/** docker `volume ls --filter`: name (substring), label, dangling, driver. */
export function matchVolume(v: VolumeRecord, inUse: boolean, filters: Map<string, string[]>): boolean {
  for (const [key, values] of filters) {
    let ok: boolean;
    switch (key) {
      case 'name':
        ok = values.some((n) => v.name.includes(n));
        break;
      case 'label':
        ok = values.every((l) => labelMatches(v.labels, l));
        break;
      case 'label!':
        ok = !values.some((l) => labelMatches(v.labels, l));
        break;
      case 'dangling':
        ok = values.some((d) => parseBool(key, d) === !inUse);
        break;
      case 'driver':
        ok = values.includes(v.driver);
        break;
      default:
        ok = true; // `all` (prune) is not a per-volume test
    }
    if (!ok) return false;
  }
  return true;
}

export interface VolumeListEntry {
  volume: VolumeRecord;
  mountpoint: string;
  users: string[];
}

export async function listVolumeEntries(config: ToteConfig, filterFlags?: string[]): Promise<VolumeListEntry[]> {
  const filters = parseFilters(filterFlags, LS_FILTERS);
  const [volumes, containers] = await Promise.all([listVolumes(config), listContainers(config)]);
  const users = volumeUsers(config, containers);
  return volumes
    .map((volume) => ({ volume, mountpoint: volumeDataDir(config, volume.name), users: users.get(volume.name) ?? [] }))
    .filter((e) => matchVolume(e.volume, e.users.length > 0, filters));
}

/** docker's RFC 3339 time with seconds. */
function createdAt(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `volume inspect`: docker's keys. */
export function inspectView(config: ToteConfig, v: VolumeRecord): Record<string, unknown> {
  return {
    CreatedAt: createdAt(v.created),
    Driver: v.driver,
    Labels: v.labels,
    Mountpoint: volumeDataDir(config, v.name),
    Name: v.name,
    Options: v.options,
    Scope: 'local',
  };
}

export async function inspectVolume(config: ToteConfig, name: string): Promise<Record<string, unknown>> {
  return inspectView(config, await getVolume(config, name));
}

export class VolumeInUseError extends ToteError {
  constructor(name: string, ids: string[]) {
    super('E_VOLUME_IN_USE', `remove ${name}: volume is in use - [${ids.join(', ')}]`, {
      hint: 'remove the containers first (`tote rm`), or use `tote volume rm -f` to remove them too',
    });
    this.name = 'VolumeInUseError';
  }
}

/** Ids of the containers that use a volume (NoSuchVolumeError if there is none). */
export async function volumeUsersOf(config: ToteConfig, name: string): Promise<string[]> {
  await getVolume(config, name);
  return volumeUsers(config, await listContainers(config)).get(name) ?? [];
}

/**
 * `volume rm`: refuses a volume a container uses unless `force` (the caller
 * removes those containers first; force then only skips the check).
 */
export async function removeVolume(config: ToteConfig, plan: UsernsPlan, name: string, options: { force?: boolean } = {}): Promise<void> {
  await withLock(storePaths(config).lock, async () => {
    await getVolume(config, name);
    const users = volumeUsers(config, await listContainers(config)).get(name) ?? [];
    if (users.length > 0 && !options.force) throw new VolumeInUseError(name, users);
    await removeVolumeLocked(config, plan, name);
  });
}

export interface PruneResult {
  deleted: string[];
  reclaimed: number;
}

/**
 * `volume prune`: volumes no container uses. Like docker (API ≥ 1.42), only
 * anonymous ones unless `all` (or `--filter all=true`).
 */
export async function pruneVolumes(config: ToteConfig, plan: UsernsPlan, options: { all?: boolean; filters?: string[] } = {}): Promise<PruneResult> {
  const filters = parseFilters(options.filters, PRUNE_FILTERS);
  const all = Boolean(options.all) || (filters.get('all') ?? []).some((v) => parseBool('all', v));
  return withLock(storePaths(config).lock, async () => {
    await sweepRemovedLocked(config, plan);
    const users = volumeUsers(config, await listContainers(config));
    const result: PruneResult = { deleted: [], reclaimed: 0 };
    for (const v of await listVolumes(config)) {
      if ((users.get(v.name) ?? []).length > 0) continue;
      if (!all && !v.anonymous) continue;
      if (!matchVolume(v, false, filters)) continue;
      const size = await treeSize(volumeDataDir(config, v.name));
      await removeVolumeLocked(config, plan, v.name);
      result.deleted.push(v.name);
      result.reclaimed += size;
    }
    return result;
  });
}

/**
 * After a container is removed with `rm -v` or `--rm`: its anonymous volumes
 * that no remaining container uses. Caller holds the store lock and has
 * already removed the container's record.
 */
export async function removeAnonymousVolumesLocked(config: ToteConfig, plan: UsernsPlan, mounts: MountSpec[]): Promise<string[]> {
  const names = [...new Set(mounts.map((m) => mountVolumeName(config, m)).filter((n): n is string => n !== undefined))];
  if (names.length === 0) return [];
  const users = volumeUsers(config, await listContainers(config));
  const removed: string[] = [];
  for (const name of names) {
    const v = await loadVolume(config, name);
    if (!v?.anonymous || (users.get(name) ?? []).length > 0) continue;
    await removeVolumeLocked(config, plan, name);
    removed.push(name);
  }
  return removed;
}
