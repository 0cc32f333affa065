/**
 * The one way a new image enters the store (pull, import, load, commit and
 * build all end here): extracted layers are made visible, then the config
 * and manifest blobs are written, then the image index is updated — all
 * under the store lock, in that order, so a crash at any point leaves either
 * nothing visible or a complete image (at worst an unreferenced layer).
 */
import { promises as fs } from 'node:fs';
import type { ToteConfig } from '../config/index.js';
import { SystemError, ToteError } from '../errors/index.js';
import { silentReporter, type Reporter } from '../errors/report.js';
import { withLock } from '../state/index.js';
import {
  commitLayer,
  extractLayer,
  loadImages,
  makeLayerTemp,
  putBlobBytes,
  removeTree,
  saveImages,
  storePaths,
  sweepLayerTemps,
  upsertImage,
  type ExtractedLayerFiles,
  type ImageRecord,
  type LayerMeta,
  type LayerSource,
} from '../storage/index.js';
import { subIdHint, type UsernsPlan } from '../userns/index.js';

export interface NewImage {
  /** The config exactly as stored; its digest is the image id. */
  configBytes: Buffer;
  /** The manifest exactly as stored (as received, for pull and oci-archive). */
  manifestBytes: Buffer;
  /** Other blobs to keep: the index or list a pull resolved the manifest through. */
  extraBlobs?: Buffer[];
  record: Omit<ImageRecord, 'id' | 'manifestDigest'>;
}

/** Makes extracted layers visible (each one skipped if it is already there). */
export async function commitLayers(config: ToteConfig, plan: UsernsPlan, layers: ExtractedLayerFiles[]): Promise<void> {
  if (layers.length === 0) return;
  await withLock(storePaths(config).lock, async () => {
    for (const l of layers) await commitLayer(config, plan, l);
  });
}

/**
 * Layers, then blobs, then the index entries. Returns the records as stored
 * (merged with an existing image of the same id).
 */
export async function commitImages(config: ToteConfig, plan: UsernsPlan, layers: ExtractedLayerFiles[], images: NewImage[]): Promise<ImageRecord[]> {
  const records = await withLock(storePaths(config).lock, async () => {
    for (const l of layers) await commitLayer(config, plan, l);
    let index = await loadImages(config);
    const ids: string[] = [];
    for (const img of images) {
      const configBlob = await putBlobBytes(config, img.configBytes);
      const manifestBlob = await putBlobBytes(config, img.manifestBytes);
      for (const b of img.extraBlobs ?? []) await putBlobBytes(config, b);
      const id = configBlob.digest.slice('sha256:'.length);
      index = upsertImage(index, { ...img.record, id, manifestDigest: manifestBlob.digest });
      ids.push(id);
    }
    await saveImages(config, index);
    return ids.map((id) => index.find((i) => i.id === id)!);
  });
  // What a killed pull, load or import left in tmp/ (never visible) goes now.
  await sweepLayerTemps(config, plan);
  return records;
}

export interface ExtractOptions {
  /** The diff id the tar must hash to (pull, load); unset: whatever it hashes to (import, commit). */
  diffId?: string;
  /** More metadata for the layer (the compressed digest it came as). */
  meta?: Partial<LayerMeta>;
  /** Resolves once the input's producer finished well (e.g. the compressed digest matched); its rejection fails the layer. */
  verified?: () => Promise<void> | void;
  /** For the temporary directory's name. */
  purpose: string;
  reporter?: Reporter;
}

/**
 * One layer (as openLayerSource reads it) → a verified layer in a temporary
 * directory, hashed as it is extracted (one pass, no copy on disk). On any
 * failure the temporary directory is removed and the error thrown.
 */
export async function extractNewLayer(config: ToteConfig, plan: UsernsPlan, source: LayerSource, o: ExtractOptions): Promise<ExtractedLayerFiles> {
  await fs.mkdir(storePaths(config).layers, { recursive: true });
  const tmpDir = await makeLayerTemp(config, o.purpose);
  const reporter = o.reporter ?? silentReporter;
  try {
    const extracted = await extractLayer(config, plan, source.tar, tmpDir, reporter, source.release);
    reporter.debug(`layer digests computed by the ${source.engine() === 'native' ? 'layer codec (thread pool)' : 'JS thread'}`);
    await o.verified?.();
    const { digest: diffId, size } = source.diff();
    if (o.diffId && diffId !== o.diffId) {
      throw new SystemError('E_DIGEST_MISMATCH', `layer: uncompressed digest ${diffId} does not match the config's diff id ${o.diffId}`, {
        hint: 'the image is damaged at its source; nothing was stored',
      });
    }
    return { tmpDir, tarSplit: extracted.tarSplit, meta: { ...o.meta, diffId, size } };
  } catch (e) {
    source.tar.destroy();
    await removeTree(config, plan, tmpDir).catch(() => undefined);
    if (e instanceof ToteError && e.code === 'E_ID_NOT_MAPPED') throw new ToteError(e.code, e.message, { hint: subIdHint(config.userName), cause: e });
    throw e;
  }
}

/** Removes layers extracted but not committed (a failed pull, load, import…). */
export async function discardLayers(config: ToteConfig, plan: UsernsPlan, layers: ExtractedLayerFiles[]): Promise<void> {
  for (const l of layers) await removeTree(config, plan, l.tmpDir).catch(() => undefined);
}
