/**
 * `image prune`: dangling images (unnamed and no other image's parent,
 * the `<none>` rows of `images`), or with `all` every image no container
 * uses. Removal goes through removeImage, so untagged parents go too.
 */
import type { ToteConfig } from '../config/index.js';
import { isToteError } from '../errors/index.js';
import { listContainers, loadImages } from '../storage/index.js';
import type { UsernsPlan } from '../userns/index.js';
import { removeImage } from './store.js';

export interface ImagePruneReport {
  untagged: string[];
  deleted: string[];
  reclaimed: number;
  failed: Array<{ id: string; error: Error }>;
}

export async function pruneImages(config: ToteConfig, plan: UsernsPlan, o: { all?: boolean } = {}): Promise<ImagePruneReport> {
  const report: ImagePruneReport = { untagged: [], deleted: [], reclaimed: 0, failed: [] };
  const used = new Set((await listContainers(config)).map((c) => c.imageId));
  const images = await loadImages(config);
  const parents = new Set(images.map((i) => i.parent).filter(Boolean));
  for (const image of images) {
    if (used.has(image.id)) continue;
    if (!o.all && (image.names.length > 0 || parents.has(image.id))) continue;
    try {
      const r = await removeImage(config, plan, image.id, true);
      report.untagged.push(...r.untagged);
      report.deleted.push(...r.deleted);
      if (r.deleted.length > 0) report.reclaimed += image.size;
    } catch (e) {
      // Already deleted as the untagged parent of an image removed before it.
      if (isToteError(e) && e.code === 'E_NO_SUCH_IMAGE') continue;
      report.failed.push({ id: image.id, error: e as Error });
    }
  }
  return report;
}
