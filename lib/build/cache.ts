/**
 * The build cache: step key → image id, one JSON index under the store,
 * written atomically under the store lock. A key is the parent image, the
 * instruction, the build args it can see and (COPY/ADD) its sources' hash.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { ToteConfig } from '../config/index.js';
import { readJson, withLock, writeJsonAtomic } from '../state/index.js';
import { loadImages, storePaths, type ImageRecord } from '../storage/index.js';

interface CacheIndex {
  version: 1;
  entries: Record<string, string>;
}

export interface CacheKeyInput {
  parent: string | undefined;
  instruction: string;
  args: Record<string, string>;
  contentHash?: string;
  extra?: unknown;
}

export function cacheKey(input: CacheKeyInput): string {
  const args = Object.keys(input.args)
    .sort()
    .map((k) => [k, input.args[k]]);
  const text = JSON.stringify({ v: 1, parent: input.parent ?? 'scratch', instruction: input.instruction, args, content: input.contentHash ?? null, extra: input.extra ?? null });
  return createHash('sha256').update(text).digest('hex');
}

function cacheFile(config: ToteConfig): string {
  return path.join(storePaths(config).root, 'build-cache.json');
}

/** The cached image for a key, if it is still in the store. */
export async function cacheLookup(config: ToteConfig, key: string): Promise<ImageRecord | undefined> {
  const index = await readJson<CacheIndex>(cacheFile(config), { version: 1, entries: {} });
  const id = index.entries[key];
  if (!id) return undefined;
  return (await loadImages(config)).find((i) => i.id === id);
}

export async function cacheStore(config: ToteConfig, key: string, imageId: string): Promise<void> {
  await withLock(storePaths(config).lock, async () => {
    const index = await readJson<CacheIndex>(cacheFile(config), { version: 1, entries: {} });
    index.entries[key] = imageId;
    // Entries whose image is gone are dropped on the way.
    const ids = new Set((await loadImages(config)).map((i) => i.id));
    for (const [k, v] of Object.entries(index.entries)) if (!ids.has(v)) delete index.entries[k];
    await writeJsonAtomic(cacheFile(config), index);
  });
}
