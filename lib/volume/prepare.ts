/**
 * A container's mount requests → the MountSpecs stored in its record:
 * volumes created on first use (and populated from the image), tmpfs
 * options, bind sources checked.
 */
import { promises as fs } from 'node:fs';
import type { ToteConfig } from '../config/index.js';
import { ToteError, errnoCode } from '../errors/index.js';
import type { MountSpec } from '../storage/index.js';
import type { UsernsPlan } from '../userns/index.js';
import { TMPFS_DEFAULT_OPTIONS, type MountRequest } from './mounts.js';
import { populateFromImage } from './populate.js';
import { createVolumeLocked, removeVolumeLocked, volumeDataDir, type VolumeRecord } from './store.js';

/** docker: a `--mount type=bind` source must exist. */
export async function checkMountSource(m: MountRequest): Promise<void> {
  if (m.type !== 'bind') return;
  try {
    await fs.stat(m.source);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') {
      throw new ToteError('E_BIND_SOURCE', `invalid mount config for type "bind": bind source path does not exist: ${m.source}`, {
        hint: 'create the host path first, or fix the source',
      });
    }
    throw e;
  }
}

/** A volume created with driver options: what it mounts as. */
function optionMount(v: VolumeRecord, r: MountRequest): MountSpec | undefined {
  const opts = v.options;
  if (Object.keys(opts).length === 0) return undefined;
  const o = (opts.o ?? '').split(',').filter(Boolean);
  if (opts.type === 'tmpfs') {
    if (opts.size && !o.some((x) => x.startsWith('size='))) o.push(`size=${opts.size}`);
    return { type: 'tmpfs', source: 'tmpfs', destination: r.destination, readOnly: r.readOnly, options: [...TMPFS_DEFAULT_OPTIONS, ...o], name: v.name };
  }
  if (o.includes('bind') && opts.device) {
    return { type: 'volume', source: opts.device, destination: r.destination, readOnly: r.readOnly || o.includes('ro'), name: v.name };
  }
  throw new ToteError('E_VOLUME_OPTIONS', `volume ${v.name}: mounting type "${opts.type ?? ''}" with options "${opts.o ?? ''}" is not supported rootless`, {
    hint: 'the local driver here supports type=tmpfs and o=bind,device=PATH; create a plain volume otherwise',
  });
}

export interface PreparedMounts {
  mounts: MountSpec[];
  /** Volumes this call created (to remove if the container is not created after all). */
  createdVolumes: string[];
}

/**
 * Turns requests into MountSpecs. Caller holds the store lock.
 * `layersTopFirst`: the image's layer directories, for copy-up.
 */
export async function prepareMountsLocked(
  config: ToteConfig,
  plan: UsernsPlan,
  requests: MountRequest[],
  layersTopFirst: string[],
): Promise<PreparedMounts> {
  const result: PreparedMounts = { mounts: [], createdVolumes: [] };
  try {
    for (const r of requests) {
      if (r.type === 'bind') {
        result.mounts.push({ type: 'bind', source: r.source, destination: r.destination, readOnly: r.readOnly, ...(r.options ? { options: r.options } : {}) });
        continue;
      }
      if (r.type === 'tmpfs') {
        result.mounts.push({ type: 'tmpfs', source: 'tmpfs', destination: r.destination, readOnly: r.readOnly, options: r.options ?? [...TMPFS_DEFAULT_OPTIONS] });
        continue;
      }
      const { volume, created } = await createVolumeLocked(config, {
        name: r.source || undefined,
        anonymous: !r.source,
        labels: r.volumeLabels,
        options: r.volumeOptions,
      });
      if (created) result.createdVolumes.push(volume.name);
      const special = optionMount(volume, r);
      if (special) {
        result.mounts.push(special);
        continue;
      }
      const data = volumeDataDir(config, volume.name);
      if (!r.noCopy) await populateFromImage(config, plan, layersTopFirst, r.destination, data);
      result.mounts.push({ type: 'volume', source: data, destination: r.destination, readOnly: r.readOnly, name: volume.name });
    }
  } catch (e) {
    await discardVolumesLocked(config, plan, result.createdVolumes);
    throw e;
  }
  return result;
}

/** Best-effort removal of volumes made for a container that was not created. Caller holds the store lock. */
export async function discardVolumesLocked(config: ToteConfig, plan: UsernsPlan, names: string[]): Promise<void> {
  for (const n of names) await removeVolumeLocked(config, plan, n).catch(() => undefined);
}

/** Parents before children (docker sorts by path depth), stable otherwise. */
export function sortMounts<T extends { destination: string }>(mounts: T[]): T[] {
  const depth = (p: string) => p.split('/').filter(Boolean).length;
  return [...mounts].sort((a, b) => depth(a.destination) - depth(b.destination));
}
