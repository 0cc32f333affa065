/**
 * Stored layers: `layers/<hex>/` (the extracted tree), `<hex>.tar-split`
 * (what rebuilds its tar) and `<hex>.json` (its metadata, written last: a
 * layer without it is not there). No copy of the layer tar or blob is kept;
 * push and save rebuild the tar with openLayerTar().
 */
import { createReadStream, promises as fs } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import type { ToteConfig } from '../config/index.js';
import { errnoCode, SystemError } from '../errors/index.js';
import { writeFileAtomicText, writeJsonAtomic } from '../state/index.js';
import type { UsernsPlan } from '../userns/index.js';
import { blobPath, DigestStream, hasBlob } from './blobs.js';
import { assembleLayerTar, removeTree, runInUserns } from './layer/extract.js';
import { maybeDecompress } from './layer/decompress.js';
import { layerDir } from './paths.js';

export interface LayerMeta {
  diffId: string;
  /** Bytes of the uncompressed tar. */
  size: number;
  /** The blob the layer came as (pull, oci-archive): push can HEAD or mount it instead of uploading. */
  compressedDigest?: string;
  compressedSize?: number;
  compressedMediaType?: string;
  /** The gzip tote made of it on push (deterministic, so a second push finds it by HEAD). */
  gzipDigest?: string;
  gzipSize?: number;
}

export function layerMetaPath(config: ToteConfig, diffId: string): string {
  return layerDir(config, diffId) + '.json';
}

export function tarSplitPath(config: ToteConfig, diffId: string): string {
  return layerDir(config, diffId) + '.tar-split';
}

export async function readLayerMeta(config: ToteConfig, diffId: string): Promise<LayerMeta | undefined> {
  try {
    return JSON.parse(await fs.readFile(layerMetaPath(config, diffId), 'utf8')) as LayerMeta;
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || e instanceof SyntaxError) return undefined;
    throw e;
  }
}

export async function hasLayer(config: ToteConfig, diffId: string): Promise<boolean> {
  try {
    await fs.access(layerMetaPath(config, diffId));
    return true;
  } catch {
    return false;
  }
}

/** Merges fields into a stored layer's metadata (e.g. the gzip digest after a push). Under the store lock. */
export async function updateLayerMeta(config: ToteConfig, diffId: string, fields: Partial<LayerMeta>): Promise<void> {
  const meta = await readLayerMeta(config, diffId);
  if (!meta) return; // removed meanwhile: nothing to remember
  await writeJsonAtomic(layerMetaPath(config, diffId), { ...meta, ...fields });
}

/** A layer extracted into a temporary directory and verified, not yet visible. */
export interface ExtractedLayerFiles {
  meta: LayerMeta;
  tmpDir: string;
  tarSplit: Buffer;
}

/**
 * Makes an extracted layer visible: the tree renamed into place, then the
 * tar-split, then the metadata (the commit point). If the layer is already
 * there, the temporary tree is removed instead. Call under the store lock.
 */
export async function commitLayer(config: ToteConfig, plan: UsernsPlan, layer: ExtractedLayerFiles): Promise<void> {
  const final = layerDir(config, layer.meta.diffId);
  if (await hasLayer(config, layer.meta.diffId)) {
    await removeTree(config, plan, layer.tmpDir);
    return;
  }
  // A tree without metadata is what a crash left: never visible, replaced.
  await removeTree(config, plan, final);
  await renameTree(config, plan, layer.tmpDir, final);
  await writeFileAtomicText(tarSplitPath(config, layer.meta.diffId), layer.tarSplit);
  await writeJsonAtomic(layerMetaPath(config, layer.meta.diffId), layer.meta);
}

/**
 * Moving a directory to another parent updates its `..`, which needs write
 * permission on the directory itself. Rootless, a layer whose root entry
 * belongs to another container user (a tarball made by a normal user and
 * imported: `./` owned by 1000) or has no owner write bit (`./` 0555) is not
 * writable by us outside the namespace: the rename is then done inside it,
 * as namespace root.
 */
async function renameTree(config: ToteConfig, plan: UsernsPlan, from: string, to: string): Promise<void> {
  try {
    await fs.rename(from, to);
  } catch (e) {
    if (plan.rootful || (errnoCode(e) !== 'EACCES' && errnoCode(e) !== 'EPERM')) throw e;
    const r = await runInUserns(config, plan, ['mv', '-T', '--', from, to]);
    if (r.code !== 0) throw new SystemError('E_LAYER_COMMIT', `moving layer ${from} into place failed (exit ${r.code}): ${r.stderr.trim()}`, { cause: e });
  }
}

/** Removes a stored layer, metadata first (so a crash leaves an invisible tree, not a broken layer). */
export async function removeLayer(config: ToteConfig, plan: UsernsPlan, diffId: string): Promise<void> {
  await fs.rm(layerMetaPath(config, diffId), { force: true });
  await fs.rm(tarSplitPath(config, diffId), { force: true });
  await removeTree(config, plan, layerDir(config, diffId));
}

/**
 * The layer's uncompressed tar, checked against its diff id as it streams
 * (the stream fails at the end on a mismatch). From the tar-split and the
 * tree; for layers stored before tar-splits existed, from a blob kept then.
 */
export async function openLayerTar(config: ToteConfig, plan: UsernsPlan, diffId: string, compressedDigest?: string): Promise<Readable> {
  let source: Readable;
  try {
    await fs.access(tarSplitPath(config, diffId));
    source = assembleLayerTar(config, plan, layerDir(config, diffId), tarSplitPath(config, diffId));
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT') throw e;
    const legacy = [diffId, compressedDigest, (await readLayerMeta(config, diffId))?.compressedDigest].filter((d): d is string => Boolean(d));
    let found: string | undefined;
    for (const d of legacy) if (await hasBlob(config, d)) found ??= d;
    if (!found) {
      throw new SystemError('E_LAYER_MISSING', `layer ${diffId} cannot be read back: it has no tar-split and no blob in the store`, {
        hint: 'remove the image and pull or import it again',
      });
    }
    source = found === diffId ? createReadStream(blobPath(config, found)) : maybeDecompress(createReadStream(blobPath(config, found)), { config });
  }
  const hash = new DigestStream();
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  source.on('error', (e) => out.destroy(e));
  hash.on('error', (e) => out.destroy(e));
  source.pipe(hash).pipe(out, { end: false });
  hash.on('end', () => {
    const got = hash.digest();
    if (got === diffId) out.end();
    else {
      out.destroy(
        new SystemError('E_DIGEST_MISMATCH', `layer ${diffId}: the rebuilt tar hashes to ${got}`, {
          hint: 'the stored layer was modified: remove the image and pull or import it again',
        }),
      );
    }
  });
  out.once('close', () => source.destroy());
  return out;
}
