/**
 * `system df` and `system prune`: the store's disk usage by type, and
 * removing everything unused at once (containers, images, volumes).
 */
import type { ToteConfig } from '../config/index.js';
import { allContainers, containerSize, pruneContainers, refreshStatus } from '../container/index.js';
import { pruneImages } from '../image/index.js';
import { loadImages, type ContainerRecord, type ImageRecord } from '../storage/index.js';
import type { UsernsPlan } from '../userns/index.js';
import { listVolumeEntries, pruneVolumes, treeSize, type VolumeRecord } from '../volume/index.js';

export interface UsageSummary {
  type: 'Images' | 'Containers' | 'Local Volumes' | 'Build Cache';
  total: number;
  active: number;
  size: number;
  reclaimable: number;
}

export interface DiskUsage {
  summary: UsageSummary[];
  images: Array<{ image: ImageRecord; containers: number }>;
  containers: Array<{ container: ContainerRecord; size: number }>;
  volumes: Array<{ volume: VolumeRecord; links: number; size: number }>;
}

const RUNNING = new Set(['running', 'paused', 'stopping']);

export async function diskUsage(config: ToteConfig): Promise<DiskUsage> {
  const [images, records, volumeEntries] = await Promise.all([loadImages(config), allContainers(config), listVolumeEntries(config)]);
  const containers = await Promise.all(records.map((c) => refreshStatus(config, c)));
  const usedBy = new Map<string, number>();
  for (const c of containers) usedBy.set(c.imageId, (usedBy.get(c.imageId) ?? 0) + 1);
  const imageRows = images.map((image) => ({ image, containers: usedBy.get(image.id) ?? 0 }));
  const containerRows = await Promise.all(containers.map(async (container) => ({ container, size: (await containerSize(config, container, [])).rw })));
  const volumeRows = await Promise.all(
    volumeEntries.map(async (e) => ({ volume: e.volume, links: e.users.length, size: await treeSize(e.mountpoint).catch(() => 0) })),
  );
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const summary: UsageSummary[] = [
    {
      type: 'Images',
      total: images.length,
      active: imageRows.filter((r) => r.containers > 0).length,
      size: sum(images.map((i) => i.size)),
      reclaimable: sum(imageRows.filter((r) => r.containers === 0).map((r) => r.image.size)),
    },
    {
      type: 'Containers',
      total: containers.length,
      active: containers.filter((c) => RUNNING.has(c.status)).length,
      size: sum(containerRows.map((r) => r.size)),
      reclaimable: sum(containerRows.filter((r) => !RUNNING.has(r.container.status)).map((r) => r.size)),
    },
    {
      type: 'Local Volumes',
      total: volumeRows.length,
      active: volumeRows.filter((v) => v.links > 0).length,
      size: sum(volumeRows.map((v) => v.size)),
      reclaimable: sum(volumeRows.filter((v) => v.links === 0).map((v) => v.size)),
    },
    // tote's build cache is made of ordinary images: nothing separate to count.
    { type: 'Build Cache', total: 0, active: 0, size: 0, reclaimable: 0 },
  ];
  return { summary, images: imageRows, containers: containerRows, volumes: volumeRows };
}

export interface SystemPruneOptions {
  /** Every image no container uses, not only dangling (unnamed) ones. */
  all?: boolean;
  /** Also unused volumes (anonymous ones; all of them with `all`, as docker). */
  volumes?: boolean;
  filters?: string[];
}

export interface SystemPruneReport {
  containers: string[];
  images: { untagged: string[]; deleted: string[] };
  volumes: string[];
  reclaimed: number;
  failed: Array<{ what: string; error: Error }>;
}

export async function systemPrune(config: ToteConfig, plan: UsernsPlan, o: SystemPruneOptions): Promise<SystemPruneReport> {
  const report: SystemPruneReport = { containers: [], images: { untagged: [], deleted: [] }, volumes: [], reclaimed: 0, failed: [] };
  const c = await pruneContainers(config, plan, { filters: o.filters });
  report.containers.push(...c.deleted);
  report.reclaimed += c.reclaimed;
  for (const f of c.failed) report.failed.push({ what: `container ${f.id.slice(0, 12)}`, error: f.error });
  if (o.volumes) {
    const v = await pruneVolumes(config, plan, { all: o.all });
    report.volumes.push(...v.deleted);
    report.reclaimed += v.reclaimed;
  }
  // Images last: removing containers may have freed some.
  const images = await pruneImages(config, plan, { all: o.all });
  report.images.untagged.push(...images.untagged);
  report.images.deleted.push(...images.deleted);
  report.reclaimed += images.reclaimed;
  for (const f of images.failed) report.failed.push({ what: `image ${f.id.slice(0, 12)}`, error: f.error });
  return report;
}
