/**
 * The image index: one JSON file listing every local image, its names and
 * layers. Mutations happen under the store lock and are written atomically.
 */
import type { ToteConfig } from '../config/index.js';
import { readJson, writeJsonAtomic } from '../state/index.js';
import { storePaths } from './paths.js';

export interface ImageRecord {
  /** Config digest hex (the image ID, as docker computes it). */
  id: string;
  /** Manifest digest, `sha256:…`. */
  manifestDigest: string;
  /** Fully qualified references, e.g. `docker.io/library/busybox:latest`. */
  names: string[];
  /** Repository digests (`name@sha256:…`) the image was pulled by. */
  digests?: string[];
  /** Layer diff ids, bottom first. */
  layers: string[];
  /** The image this one was built or committed on (its id), if any. */
  parent?: string;
  /** Sum of the uncompressed layer sizes. */
  size: number;
  /** When the image was created (from its config), ISO 8601. */
  created: string;
  /** When it entered this store. */
  stored: string;
}

interface ImageIndex {
  version: 1;
  images: ImageRecord[];
}

export async function loadImages(config: ToteConfig): Promise<ImageRecord[]> {
  const index = await readJson<ImageIndex>(storePaths(config).images, { version: 1, images: [] });
  return index.images;
}

export async function saveImages(config: ToteConfig, images: ImageRecord[]): Promise<void> {
  const index: ImageIndex = { version: 1, images };
  await writeJsonAtomic(storePaths(config).images, index);
}

/**
 * Adds or merges an image and moves `names` onto it: a name points at one
 * image, so other images lose it (and become dangling `<none>` when unnamed).
 */
export function upsertImage(images: ImageRecord[], record: ImageRecord): ImageRecord[] {
  const names = new Set(record.names);
  const out: ImageRecord[] = [];
  let merged = false;
  for (const img of images) {
    if (img.id === record.id) {
      out.push({ ...img, names: [...new Set([...img.names, ...record.names])], digests: mergeLists(img.digests, record.digests) });
      merged = true;
    } else {
      out.push({ ...img, names: img.names.filter((n) => !names.has(n)) });
    }
  }
  if (!merged) out.push(record);
  return out;
}

function mergeLists(a?: string[], b?: string[]): string[] | undefined {
  if (!a && !b) return undefined;
  return [...new Set([...(a ?? []), ...(b ?? [])])];
}
