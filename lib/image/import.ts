/**
 * `tote import`: a rootfs tarball becomes a one-layer image with a real OCI
 * config and manifest. The layer is extracted into a temp dir while its
 * digest is computed in the same pass; only when everything succeeded is it
 * renamed into place and the index updated (persist.ts), so a truncated or
 * hostile tar leaves nothing behind.
 */
import { createReadStream, promises as fs } from 'node:fs';
import type { Readable } from 'node:stream';
import type { ToteConfig } from '../config/index.js';
import { SystemError, ToteError, errnoCode } from '../errors/index.js';
import { silentReporter } from '../errors/report.js';
import type { Reporter } from '../errors/report.js';
import type { UsernsPlan } from '../userns/index.js';
import { openLayerSource, sha256Digest } from '../storage/index.js';
import { applyChange } from './changes.js';
import { commitImages, discardLayers, extractNewLayer } from './persist.js';
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

  let source: Readable | undefined;
  try {
    source = await openSource(options);
    // One pass: the uncompressed bytes are hashed (the diff id) and
    // extracted at the same time; the tar-split keeps what rebuilds the tar.
    const layer = await extractNewLayer(config, plan, openLayerSource(source, { config, helperDir: config.helperDir }), { purpose: 'import', reporter });
    const diffId = layer.meta.diffId;
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
    const configBytes = Buffer.from(JSON.stringify(imageConfig));
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, digest: sha256Digest(configBytes), size: configBytes.length },
      layers: [{ mediaType: MediaType.ociLayer, digest: diffId, size: layer.meta.size }],
    };
    try {
      const [record] = await commitImages(config, plan, [layer], [
        {
          configBytes,
          manifestBytes: Buffer.from(JSON.stringify(manifest)),
          record: { names: ref ? [ref.full] : [], layers: [diffId], size: layer.meta.size, created, stored: created },
        },
      ]);
      return `sha256:${record!.id}`;
    } catch (e) {
      await discardLayers(config, plan, [layer]);
      throw e;
    }
  } catch (e) {
    source?.destroy();
    throw e;
  }
}
