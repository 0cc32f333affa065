/**
 * `tote import`: a rootfs tarball becomes a one-layer image with a real OCI
 * config and manifest. The layer is extracted into a temp dir and the blob
 * written to a temp file while the digests are computed in the same pass;
 * only when everything succeeded are they renamed into place and the index
 * updated, so a truncated or hostile tar leaves nothing behind.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import type { ToteConfig } from '../config/index.js';
import { SystemError, ToteError, errnoCode } from '../errors/index.js';
import type { Reporter } from '../errors/report.js';
import { silentReporter } from '../errors/report.js';
import { withLock } from '../state/index.js';
import { subIdHint, type UsernsPlan } from '../userns/index.js';
import {
  beginBlobWrite,
  DigestStream,
  extractLayer,
  layerDir,
  loadImages,
  maybeDecompress,
  putBlobBytes,
  removeTree,
  saveImages,
  storePaths,
  upsertImage,
} from '../storage/index.js';
import { applyChange } from './changes.js';
import { parseReference } from './reference.js';
import { MediaType, ociArchitecture, type ImageConfig, type ImageManifest, type ImageRuntimeConfig } from './types.js';

export interface ImportOptions {
  /** A file path, `-` for `stdin`, or an http(s) URL. */
  source: string;
  stdin?: Readable;
  reference?: string;
  changes?: string[];
  message?: string;
  platform?: { os?: string; architecture?: string; variant?: string };
  reporter?: Reporter;
}

async function openSource(options: ImportOptions): Promise<Readable> {
  const src = options.source;
  if (src === '-') {
    if (!options.stdin) throw new ToteError('E_NO_STDIN', 'import from "-" needs data on standard input');
    return options.stdin;
  }
  if (/^https?:\/\//i.test(src)) {
    const { default: got } = await import('got');
    return got.stream(src, { retry: { limit: 2 } }) as unknown as Readable;
  }
  try {
    const st = await fs.stat(src);
    if (st.isDirectory()) throw new ToteError('E_IMPORT_DIR', `${src} is a directory`, { hint: 'import takes a tarball: tar -C DIR -c . | tote import - NAME' });
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') throw new SystemError('E_IMPORT_MISSING', `${src}: no such file or directory`);
    throw e;
  }
  return createReadStream(src);
}

export async function importImage(config: ToteConfig, plan: UsernsPlan, options: ImportOptions): Promise<string> {
  const reporter = options.reporter ?? silentReporter;
  const ref = options.reference ? parseReference(options.reference) : undefined;
  if (ref?.digest) throw new ToteError('E_TAG_DIGEST', `cannot import as a digest reference: ${options.reference}`);
  let runtimeConfig: ImageRuntimeConfig = {};
  for (const change of options.changes ?? []) runtimeConfig = applyChange(runtimeConfig, change);

  const paths = storePaths(config);
  await fs.mkdir(paths.tmp, { recursive: true });
  await fs.mkdir(paths.layers, { recursive: true });
  const tmpLayer = path.join(paths.tmp, `import-${randomBytes(8).toString('hex')}`);
  await fs.mkdir(tmpLayer, { mode: 0o755 });
  const blob = await beginBlobWrite(config);
  let committed = false;
  let source: Readable | undefined;
  try {
    source = await openSource(options);
    const plain = maybeDecompress(source);
    const digest = new DigestStream();
    const toExtract = new PassThrough({ highWaterMark: 1 << 20 });
    // One pass: the uncompressed bytes are hashed (the diff id), stored as the
    // layer blob and extracted at the same time.
    plain.on('error', (e) => digest.destroy(e));
    plain.pipe(digest);
    digest.pipe(blob.stream);
    digest.pipe(toExtract);
    digest.on('error', (e) => toExtract.destroy(e));
    const [stats] = await Promise.all([extractLayer(config, plan, toExtract, tmpLayer, reporter), blob.done]);
    const diffId = digest.digest();
    reporter.debug(`import: ${stats.entries} entries, ${stats.devicesSkipped} device nodes skipped`);

    const created = new Date().toISOString();
    const imageConfig: ImageConfig = {
      created,
      architecture: options.platform?.architecture ?? ociArchitecture(),
      os: options.platform?.os ?? 'linux',
      ...(options.platform?.variant ? { variant: options.platform.variant } : {}),
      config: runtimeConfig,
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created, created_by: 'tote import', ...(options.message ? { comment: options.message } : {}) }],
    };

    return await withLock(paths.lock, async () => {
      const finalLayer = layerDir(config, diffId);
      if (await exists(finalLayer)) {
        await removeTree(config, plan, tmpLayer);
      } else {
        await fs.rename(tmpLayer, finalLayer);
      }
      await fs.writeFile(finalLayer + '.json', JSON.stringify({ diffId, size: digest.size }) + '\n');
      await blob.commit(diffId);
      committed = true;
      const configBlob = await putBlobBytes(config, JSON.stringify(imageConfig));
      const manifest: ImageManifest = {
        schemaVersion: 2,
        mediaType: MediaType.ociManifest,
        config: { mediaType: MediaType.ociConfig, digest: configBlob.digest, size: configBlob.size },
        layers: [{ mediaType: MediaType.ociLayer, digest: diffId, size: digest.size }],
      };
      const manifestBlob = await putBlobBytes(config, JSON.stringify(manifest));
      const id = configBlob.digest.slice('sha256:'.length);
      const images = upsertImage(await loadImages(config), {
        id,
        manifestDigest: manifestBlob.digest,
        names: ref ? [ref.full] : [],
        layers: [diffId],
        size: digest.size,
        created,
        stored: created,
      });
      await saveImages(config, images);
      return configBlob.digest;
    });
  } catch (e) {
    source?.destroy();
    if (!committed) await blob.abort();
    await removeTree(config, plan, tmpLayer).catch(() => undefined);
    if (e instanceof ToteError && e.code === 'E_ID_NOT_MAPPED') {
      throw new ToteError(e.code, e.message, { hint: subIdHint(config.userName), cause: e });
    }
    throw e;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}
