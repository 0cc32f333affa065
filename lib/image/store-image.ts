/**
 * Writing a new image on top of a parent (or of nothing, `FROM scratch`):
 * a new config, a history entry and at most one new layer. The layer stream
 * (an uncompressed tar) is hashed (the diff id), stored as a blob and
 * extracted into the layer store in one pass; only when all of it worked are
 * the layer, blobs and index entry made visible. Shared by commit and build.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import type { ToteConfig } from '../config/index.js';
import { SystemError, ToteError } from '../errors/index.js';
import type { Reporter } from '../errors/report.js';
import { silentReporter } from '../errors/report.js';
import { withLock } from '../state/index.js';
import {
  beginBlobWrite,
  containerDir,
  DigestStream,
  extractLayer,
  layerDir,
  loadImages,
  putBlobBytes,
  removeTree,
  saveImages,
  storePaths,
  upsertImage,
  type ContainerRecord,
  type ImageRecord,
} from '../storage/index.js';
import { spawnInUserns, subIdHint, waitExit, type UsernsPlan } from '../userns/index.js';
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

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
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
  const paths = storePaths(config);
  const created = o.created ?? new Date().toISOString();

  let layer: { diffId: string; size: number; tmpLayer: string; blob: Awaited<ReturnType<typeof beginBlobWrite>> } | undefined;
  let committed = false;
  try {
    if (o.layer) {
      await fs.mkdir(paths.tmp, { recursive: true });
      await fs.mkdir(paths.layers, { recursive: true });
      const tmpLayer = path.join(paths.tmp, `layer-${randomBytes(8).toString('hex')}`);
      await fs.mkdir(tmpLayer, { mode: 0o755 });
      const blob = await beginBlobWrite(config);
      layer = { diffId: '', size: 0, tmpLayer, blob };
      const digest = new DigestStream();
      const toExtract = new PassThrough({ highWaterMark: 1 << 20 });
      o.layer.stream.on('error', (e) => digest.destroy(e));
      digest.on('error', (e) => toExtract.destroy(e));
      o.layer.stream.pipe(digest);
      digest.pipe(blob.stream);
      digest.pipe(toExtract);
      try {
        const [stats] = await Promise.all([extractLayer(config, plan, toExtract, tmpLayer, reporter), blob.done, o.layer.done]);
        reporter.debug(`layer: ${stats.entries} entries, ${digest.size} bytes`);
      } catch (e) {
        o.layer.abort?.();
        await o.layer.done?.catch(() => undefined);
        throw e;
      }
      layer.diffId = digest.digest();
      layer.size = digest.size;
    }
    const history: HistoryEntry = { created, ...o.history, ...(layer ? {} : { empty_layer: true }) };
    if (!history.created) history.created = created;
    const diffIds = [...(o.parent?.layers ?? []), ...(layer ? [layer.diffId] : [])];
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
    return await withLock(paths.lock, async () => {
      if (layer) {
        const finalLayer = layerDir(config, layer.diffId);
        if (await exists(finalLayer)) await removeTree(config, plan, layer.tmpLayer);
        else await fs.rename(layer.tmpLayer, finalLayer);
        await fs.writeFile(finalLayer + '.json', JSON.stringify({ diffId: layer.diffId, size: layer.size }) + '\n');
        await layer.blob.commit(layer.diffId);
        committed = true;
      }
      const configBlob = await putBlobBytes(config, JSON.stringify(imageConfig));
      const manifest: ImageManifest = {
        schemaVersion: 2,
        mediaType: MediaType.ociManifest,
        config: { mediaType: MediaType.ociConfig, digest: configBlob.digest, size: configBlob.size },
        layers: [...(parentManifest?.layers ?? []), ...(layer ? [{ mediaType: MediaType.ociLayer, digest: layer.diffId, size: layer.size }] : [])],
      };
      const manifestBlob = await putBlobBytes(config, JSON.stringify(manifest));
      const id = configBlob.digest.slice('sha256:'.length);
      const record: ImageRecord = {
        id,
        manifestDigest: manifestBlob.digest,
        names: refs,
        layers: diffIds,
        ...(o.parent ? { parent: o.parent.id } : {}),
        size: (o.parent?.size ?? 0) + (layer?.size ?? 0),
        created,
        stored: new Date().toISOString(),
      };
      const images = upsertImage(await loadImages(config), record);
      await saveImages(config, images);
      return { id, record: images.find((i) => i.id === id) ?? record };
    });
  } catch (e) {
    if (layer && !committed) {
      await layer.blob.abort();
      await removeTree(config, plan, layer.tmpLayer).catch(() => undefined);
    }
    if (e instanceof ToteError && e.code === 'E_ID_NOT_MAPPED') {
      throw new ToteError(e.code, e.message, { hint: subIdHint(config.userName), cause: e });
    }
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
