/**
 * Writing a new image on top of a parent (or of nothing, `FROM scratch`):
 * a new config, a history entry and at most one new layer. The layer stream
 * (an uncompressed tar) is hashed (the diff id) and extracted into the layer
 * store in one pass; only when all of it worked are the layer, blobs and
 * index entry made visible (persist.ts). Shared by commit and build.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { ToteConfig } from '../config/index.js';
import { SystemError, ToteError } from '../errors/index.js';
import type { Reporter } from '../errors/report.js';
import { silentReporter } from '../errors/report.js';
import { containerDir, openLayerSource, sha256Digest, type ContainerRecord, type ExtractedLayerFiles, type ImageRecord } from '../storage/index.js';
import { spawnInUserns, waitExit, type UsernsPlan } from '../userns/index.js';
import { commitImages, discardLayers, extractNewLayer } from './persist.js';
import { parseReference } from './reference.js';
import { readImageConfig, readImageManifest } from './store.js';
import { MediaType, ociArchitecture, type HistoryEntry, type ImageConfig, type ImageManifest, type ImageRuntimeConfig } from './types.js';

/** A new layer: an uncompressed tar stream, and a promise for its producer's success. */
export interface LayerSource {
  stream: Readable;
  /** Resolves when the producer finished successfully (rejects with its error). */
  done?: Promise<void>;
  /** Stops the producer when storing failed. */
  abort?: () => void;
}

export interface StoreImageOptions {
  /** The parent image; undefined for scratch. */
  parent?: ImageRecord;
  runtimeConfig: ImageRuntimeConfig;
  /** The new history entry; `empty_layer` is set when there is no layer. */
  history: HistoryEntry;
  layer?: LayerSource;
  /** REPOSITORY[:TAG] names for the new image. */
  references?: string[];
  author?: string;
  /** The config's `created` (default now). */
  created?: string;
  platform?: { os?: string; architecture?: string; variant?: string };
  reporter?: Reporter;
}

export interface StoredImage {
  /** 64 hex. */
  id: string;
  record: ImageRecord;
}

export async function storeImage(config: ToteConfig, plan: UsernsPlan, o: StoreImageOptions): Promise<StoredImage> {
  const reporter = o.reporter ?? silentReporter;
  const refs = (o.references ?? []).map((r) => {
    const ref = parseReference(r);
    if (ref.digest) throw new ToteError('E_TAG_DIGEST', `cannot name an image with a digest reference: ${r}`, { hint: 'use REPOSITORY[:TAG]' });
    return ref.full;
  });
  const parentConfig: ImageConfig | undefined = o.parent ? await readImageConfig(config, o.parent) : undefined;
  const parentManifest: ImageManifest | undefined = o.parent ? await readImageManifest(config, o.parent) : undefined;
  const created = o.created ?? new Date().toISOString();

  let layer: ExtractedLayerFiles | undefined;
  if (o.layer) {
    const source = o.layer;
    try {
      layer = await extractNewLayer(config, plan, openLayerSource(source.stream, { plain: true, helperDir: config.helperDir }), { purpose: 'layer', reporter, verified: () => source.done });
      reporter.debug(`layer: ${layer.meta.size} bytes`);
    } catch (e) {
      source.abort?.();
      await source.done?.catch(() => undefined);
      throw e;
    }
  }
  try {
    const history: HistoryEntry = { created, ...o.history, ...(layer ? {} : { empty_layer: true }) };
    if (!history.created) history.created = created;
    const diffIds = [...(o.parent?.layers ?? []), ...(layer ? [layer.meta.diffId] : [])];
    const imageConfig: ImageConfig = {
      created,
      ...(o.author ? { author: o.author } : {}),
      architecture: o.platform?.architecture ?? parentConfig?.architecture ?? ociArchitecture(),
      os: o.platform?.os ?? parentConfig?.os ?? 'linux',
      ...((o.platform?.variant ?? parentConfig?.variant) ? { variant: o.platform?.variant ?? parentConfig?.variant } : {}),
      config: o.runtimeConfig,
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: [...(parentConfig?.history ?? []), history],
    };
    const configBytes = Buffer.from(JSON.stringify(imageConfig));
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, digest: sha256Digest(configBytes), size: configBytes.length },
      layers: [...(parentManifest?.layers ?? []), ...(layer ? [{ mediaType: MediaType.ociLayer, digest: layer.meta.diffId, size: layer.meta.size }] : [])],
    };
    const [record] = await commitImages(config, plan, layer ? [layer] : [], [
      {
        configBytes,
        manifestBytes: Buffer.from(JSON.stringify(manifest)),
        record: {
          names: refs,
          layers: diffIds,
          ...(o.parent ? { parent: o.parent.id } : {}),
          size: (o.parent?.size ?? 0) + (layer?.meta.size ?? 0),
          created,
          stored: new Date().toISOString(),
        },
      },
    ]);
    return { id: record!.id, record: record! };
  } catch (e) {
    if (layer) await discardLayers(config, plan, [layer]);
    throw e;
  }
}

/**
 * A container's changes as a layer tar: its overlay upper dir read inside the
 * user namespace (cli/internal/fs-op.js layer-tar: whiteout devices →
 * `.wh.NAME`, opaque dirs → `.wh..wh..opq`).
 */
export async function containerLayer(config: ToteConfig, plan: UsernsPlan, record: ContainerRecord): Promise<LayerSource> {
  if (record.driver === 'vfs') {
    throw new ToteError('E_COMMIT_VFS', `cannot commit container ${record.name}: its storage driver (vfs) keeps no separate change layer`);
  }
  const upper = path.join(containerDir(config, record.id), 'diff');
  await fs.mkdir(upper, { recursive: true, mode: 0o755 });
  const script = path.join(config.distDir, 'cli', 'internal', 'fs-op.js');
  const producer = spawnInUserns(config, plan, [config.nodePath, script, JSON.stringify({ op: 'layer-tar', upper })], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  producer.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = waitExit(producer).then((code) => {
    if (code === 0) return;
    const line = stderr.split('\n').filter((l) => l.startsWith('{')).pop();
    let msg = stderr.trim() || `exit ${code}`;
    try {
      msg = (JSON.parse(line ?? '') as { error: { message: string } }).error.message;
    } catch {
      // keep the raw text
    }
    throw new SystemError('E_COMMIT_LAYER', `reading the container's changes: ${msg}`);
  });
  return { stream: producer.stdout! as Readable, done, abort: () => producer.kill('SIGKILL') };
}
