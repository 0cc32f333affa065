/** Finding, naming and removing local images. */
import type { ToteConfig } from '../config/index.js';
import { NoSuchImageError, ToteError } from '../errors/index.js';
import { withLock } from '../state/index.js';
import type { UsernsPlan } from '../userns/index.js';
import {
  listContainers,
  loadImages,
  readBlob,
  removeBlob,
  removeLayer,
  saveImages,
  storePaths,
  type ImageRecord,
} from '../storage/index.js';
import { parseReference } from './reference.js';
import type { ImageConfig, ImageManifest } from './types.js';

/**
 * Resolves a user's image argument: a name (`busybox`, `host:5000/x:tag`,
 * `x@sha256:…`), a full id (`sha256:…` or 64 hex) or a unique id prefix.
 */
export function findImage(images: ImageRecord[], text: string): ImageRecord | undefined {
  const idText = text.startsWith('sha256:') ? text.slice(7) : text;
  if (/^[0-9a-f]{64}$/.test(idText)) {
    const byId = images.find((i) => i.id === idText);
    if (byId) return byId;
  }
  let ref;
  try {
    ref = parseReference(text);
  } catch {
    ref = undefined;
  }
  if (ref) {
    const byName = images.find((i) => i.names.includes(ref.full) || (ref.digest && i.digests?.includes(`${ref.repository}@${ref.digest}`)));
    if (byName) return byName;
  }
  if (/^[0-9a-f]{3,63}$/.test(idText)) {
    const matches = images.filter((i) => i.id.startsWith(idText));
    if (matches.length === 1) return matches[0];
    if (matches.length > 1) throw new ToteError('E_AMBIGUOUS_IMAGE', `short id "${idText}" matches ${matches.length} images`, { hint: 'use more characters of the id' });
  }
  return undefined;
}

export async function resolveImage(config: ToteConfig, text: string): Promise<ImageRecord> {
  const image = findImage(await loadImages(config), text);
  if (!image) throw new NoSuchImageError(text);
  return image;
}

export async function readImageConfig(config: ToteConfig, image: ImageRecord): Promise<ImageConfig> {
  return JSON.parse((await readBlob(config, 'sha256:' + image.id)).toString('utf8')) as ImageConfig;
}

export async function readImageManifest(config: ToteConfig, image: ImageRecord): Promise<ImageManifest> {
  return JSON.parse((await readBlob(config, image.manifestDigest)).toString('utf8')) as ImageManifest;
}

export async function tagImage(config: ToteConfig, source: string, target: string): Promise<void> {
  const name = parseReference(target);
  if (name.digest) throw new ToteError('E_TAG_DIGEST', `cannot tag with a digest: ${target}`, { hint: 'use NAME[:TAG]' });
  await withLock(storePaths(config).lock, async () => {
    const images = await loadImages(config);
    const image = findImage(images, source);
    if (!image) throw new NoSuchImageError(source);
    for (const img of images) img.names = img.names.filter((n) => n !== name.full);
    image.names.push(name.full);
    await saveImages(config, images);
  });
}

export interface RemoveImageReport {
  untagged: string[];
  deleted: string[];
}

/**
 * `rmi`: by name, removes that name (and the image once no name is left);
 * by id, removes the image and all its names. Refuses an image a container
 * uses unless `force`. Layers and blobs nothing else uses are freed.
 */
export async function removeImage(config: ToteConfig, plan: UsernsPlan, text: string, force: boolean): Promise<RemoveImageReport> {
  const report: RemoveImageReport = { untagged: [], deleted: [] };
  const unusedLayers: string[] = [];
  const unusedBlobs: string[] = [];
  await withLock(storePaths(config).lock, async () => {
    const images = await loadImages(config);
    const image = findImage(images, text);
    if (!image) throw new NoSuchImageError(text);
    let byName: string | undefined;
    try {
      const ref = parseReference(text);
      if (image.names.includes(ref.full)) byName = ref.full;
    } catch {
      // An id, not a name.
    }
    if (byName && image.names.length > 1) {
      // Just an untag: the image stays under its other names.
      image.names = image.names.filter((n) => n !== byName);
      report.untagged.push(byName);
      await saveImages(config, images);
      return;
    }
    if (!byName && image.names.length > 1 && !force) {
      throw new ToteError('E_IMAGE_MULTIPLE_NAMES', `unable to delete image ${image.id.slice(0, 12)} (must be forced): image is referenced in multiple repositories`, {
        hint: 'remove it by name, or use --force',
      });
    }
    const containers = await listContainers(config);
    const users = containers.filter((c) => c.imageId === image.id);
    if (users.length > 0 && !force) {
      throw new ToteError('E_IMAGE_IN_USE', `image ${text} is in use by container ${users[0].id.slice(0, 12)} (${users[0].name})`, {
        hint: 'remove the container first (`tote rm`), or use `tote rmi -f`',
      });
    }
    if (users.length > 0) {
      // docker -f on an image in use only untags it; the layers stay for the container.
      report.untagged.push(...image.names);
      image.names = [];
      await saveImages(config, images);
      return;
    }
    report.untagged.push(...image.names);
    // docker also deletes the untagged parents (build steps) nothing else
    // uses: no name, no other child, no container.
    const doomed = [image];
    const containerImages = new Set(containers.map((c) => c.imageId));
    for (let parentId = image.parent; parentId; ) {
      const parent = images.find((i) => i.id === parentId);
      if (!parent || parent.names.length > 0 || containerImages.has(parent.id)) break;
      if (images.some((i) => i.parent === parent.id && !doomed.includes(i))) break;
      doomed.push(parent);
      parentId = parent.parent;
    }
    const rest = images.filter((i) => !doomed.includes(i));
    const stillUsed = new Set(rest.flatMap((i) => i.layers));
    const restManifests = await Promise.all(rest.map((r) => readImageManifest(config, r).catch(() => undefined)));
    const blobStillUsed = new Set(restManifests.flatMap((m) => m?.layers.map((x) => x.digest) ?? []));
    for (const d of doomed) {
      for (const l of d.layers) if (!stillUsed.has(l) && !unusedLayers.includes(l)) unusedLayers.push(l);
      const manifest = await readImageManifest(config, d).catch(() => undefined);
      unusedBlobs.push('sha256:' + d.id, d.manifestDigest);
      for (const layer of manifest?.layers ?? []) if (!blobStillUsed.has(layer.digest) && !unusedBlobs.includes(layer.digest)) unusedBlobs.push(layer.digest);
    }
    // The index is saved first: a crash while deleting files below only
    // leaves unreferenced files behind, never an image with missing layers.
    await saveImages(config, rest);
    report.deleted.push(...doomed.map((d) => 'sha256:' + d.id));
    for (const l of unusedLayers) await removeLayer(config, plan, l);
    for (const b of unusedBlobs) await removeBlob(config, b);
  });
  return report;
}
