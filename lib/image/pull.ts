/**
 * `tote pull`: resolve the reference through registries.conf (mirrors
 * first), fetch and verify the manifest (selecting a platform from a list
 * or index), fetch and verify the config, then download the layers in
 * parallel. Each layer streams once: registry → sha256 of the compressed
 * bytes → decompression → sha256 of the tar (the diff id) → extraction
 * into a temp dir, in this process. No copy of the blob is kept: the layer's
 * tar-split rebuilds its tar for push and save (lib/storage/layers.ts), and
 * its compressed digest is remembered so push can skip or mount it. Only
 * when both digests match is the layer renamed into place; the image record
 * is written last, under the lock (persist.ts).
 */
import type { ToteConfig } from '../config/index.js';
import { NoSuchImageError, SystemError, ToteError } from '../errors/index.js';
import type { Reporter } from '../errors/report.js';
import { silentReporter } from '../errors/report.js';
import {
  giveBackRead,
  RegistryClient,
  RegistryError,
  hostIsInsecure,
  loadRegistriesConf,
  registryMessage,
  resolveEndpoints,
  type Credentials,
  type Endpoint,
} from '../registry/index.js';
import type { UsernsPlan } from '../userns/index.js';
import { hasLayer, loadImages, loadLayerCodec, openLayerSource, readLayerMeta, sha256Digest } from '../storage/index.js';
import { commitImages, commitLayers, discardLayers, extractNewLayer } from './persist.js';
import { parsePlatform, selectPlatform, formatPlatform, type IndexEntry, type Platform } from './platform.js';
import { parseReference, type ImageReference } from './reference.js';
import { findLocalImage } from './local-platform.js';
import { MANIFEST_ACCEPT, ManifestType, type Descriptor, type ImageConfig, type ImageManifest } from './types.js';

export type LayerStatus = 'Pulling fs layer' | 'Waiting' | 'Downloading' | 'Verifying Checksum' | 'Download complete' | 'Extracting' | 'Pull complete' | 'Already exists';

export type PullEvent =
  /** The local image is missing (run/create): docker's "Unable to find image" line. */
  | { type: 'missing'; reference: ImageReference }
  /** `latest: Pulling from library/busybox` */
  | { type: 'start'; reference: ImageReference; endpoint: string }
  | { type: 'layer'; id: string; status: LayerStatus; current?: number; total?: number }
  | { type: 'done'; reference: ImageReference; digest: string; upToDate: boolean; id: string };

/** Per-layer progress for the CLI; lib never prints. */
export interface PullProgress {
  event(e: PullEvent): void;
}

export const silentProgress: PullProgress = { event() {} };

export interface PullOptions {
  platform?: string;
  tlsVerify?: boolean;
  creds?: Credentials;
  progress?: PullProgress;
  reporter?: Reporter;
  /** Concurrent layer downloads (default 6, podman's). */
  parallel?: number;
}

export interface PullResult {
  /** Image id, `sha256:…` (config digest). */
  id: string;
  reference: ImageReference;
  /** The digest the reference resolved to (a list's digest for multi-platform images). */
  digest: string;
  upToDate: boolean;
}

interface FetchedManifest {
  bytes: Buffer;
  digest: string;
  mediaType: string;
  json: Record<string, unknown>;
}

function manifestError(ref: string, endpoint: string, status: number, body: Buffer): ToteError {
  const msg = registryMessage(status, body);
  if (status === 404) return new RegistryError('E_MANIFEST_UNKNOWN', `${endpoint}: reading manifest ${ref}: ${/manifest unknown/i.test(msg) ? 'manifest unknown' : msg}`, 404, 'check the tag or digest');
  return new RegistryError(status === 401 || status === 403 ? 'E_UNAUTHORIZED' : 'E_REGISTRY', `${endpoint}: reading manifest ${ref}: ${msg}`, status);
}

async function fetchManifest(client: RegistryClient, repository: string, reference: string, label: string): Promise<FetchedManifest> {
  const res = await client.request('GET', `/v2/${repository}/manifests/${reference}`, {
    headers: { accept: MANIFEST_ACCEPT },
    scope: `repository:${repository}:pull`,
  });
  const bytes = await res.bytes();
  if (res.status !== 200) throw manifestError(label, `${client.host}/${repository}`, res.status, bytes);
  if (bytes.length > 4 * 1024 * 1024) throw new SystemError('E_MANIFEST_TOO_BIG', `${label}: manifest larger than 4 MiB`);
  const digest = sha256Digest(bytes);
  if (reference.startsWith('sha256:') && reference !== digest) {
    throw new SystemError('E_DIGEST_MISMATCH', `manifest ${label}: content digest ${digest} does not match the requested ${reference}`);
  }
  const header = res.headers['docker-content-digest'];
  if (typeof header === 'string' && header.startsWith('sha256:') && header !== digest) {
    throw new SystemError('E_DIGEST_MISMATCH', `manifest ${label}: content digest ${digest} does not match Docker-Content-Digest ${header}`);
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new SystemError('E_BAD_MANIFEST', `manifest ${label}: not valid JSON`);
  }
  const ct = String(res.headers['content-type'] ?? '').split(';')[0]!.trim();
  const mediaType = typeof json.mediaType === 'string' ? json.mediaType : ct || (Array.isArray(json.manifests) ? ManifestType.ociIndex : ManifestType.ociManifest);
  if (json.schemaVersion === 1 || mediaType === ManifestType.dockerV1 || mediaType === ManifestType.dockerV1Signed) {
    throw new ToteError('E_SCHEMA1', `${label}: the image uses the Docker image manifest schema 1, which is deprecated and not supported`, {
      hint: 'push the image again with a current client (it will be converted to schema 2)',
    });
  }
  return { bytes, digest, mediaType, json };
}

function isIndex(m: FetchedManifest): boolean {
  return m.mediaType === ManifestType.ociIndex || m.mediaType === ManifestType.dockerList || (Array.isArray(m.json.manifests) && !m.json.config);
}

/** Fetches and verifies a small blob (the config). */
async function fetchSmallBlob(client: RegistryClient, repository: string, d: Descriptor): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of client.blobStream(repository, d.digest, d.size)) chunks.push(c as Buffer);
  const bytes = Buffer.concat(chunks);
  const digest = sha256Digest(bytes);
  if (digest !== d.digest) throw new SystemError('E_DIGEST_MISMATCH', `config blob: content digest ${digest} does not match expected ${d.digest}`);
  return bytes;
}

/** Runs tasks with at most `limit` at a time; every task runs to completion, the first error is thrown. */
async function pool<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let firstError: unknown;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        await fn(items[i]!, i);
      } catch (e) {
        firstError ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (firstError !== undefined) throw firstError;
}

export function shortId(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/** Connects to the endpoints in order; the first that answers the manifest wins. */
async function resolveManifest(
  config: ToteConfig,
  ref: ImageReference,
  options: PullOptions,
): Promise<{ client: RegistryClient; endpoint: Endpoint; top: FetchedManifest }> {
  const conf = await loadRegistriesConf(config);
  const endpoints = resolveEndpoints(conf, ref.repository, { byDigest: Boolean(ref.digest) });
  let lastError: unknown;
  for (const ep of endpoints) {
    const client = new RegistryClient(config, ep.host, {
      tlsVerify: options.tlsVerify,
      insecure: ep.insecure || hostIsInsecure(conf, ep.host),
      creds: ep.mirror ? undefined : options.creds,
      reporter: options.reporter,
      ...(ep.mirror ? { attempts: 2 } : {}),
    });
    try {
      const label = ref.digest ?? ref.tag ?? 'latest';
      const top = await fetchManifest(client, ep.repository, label, `${ep.host}/${ep.repository}:${label}`.replace(/:sha256:/, '@sha256:'));
      return { client, endpoint: ep, top };
    } catch (e) {
      client.close();
      lastError = e;
      if (ep.mirror) options.reporter?.debug(`mirror ${ep.host}: ${(e as Error).message}; trying the next source`);
    }
  }
  throw lastError;
}

export async function pullImage(config: ToteConfig, plan: UsernsPlan, text: string, options: PullOptions = {}): Promise<PullResult> {
  const ref = parseReference(text);
  const progress = options.progress ?? silentProgress;
  const reporter = options.reporter ?? silentReporter;
  const want: Platform = parsePlatform(options.platform);
  const { client, endpoint, top } = await resolveManifest(config, ref, options);
  const repo = endpoint.repository;
  try {
    progress.event({ type: 'start', reference: ref, endpoint: `${endpoint.host}/${repo}` });
    let manifest = top;
    if (isIndex(top)) {
      const entry = selectPlatform((top.json.manifests ?? []) as IndexEntry[], want);
      manifest = await fetchManifest(client, repo, entry.digest, `${ref.repository}@${entry.digest}`);
      if (isIndex(manifest)) throw new SystemError('E_BAD_MANIFEST', `${formatPlatform(want)} entry of ${ref.full} is itself an index`);
    }
    const m = manifest.json as unknown as ImageManifest;
    if (!m.config?.digest || !Array.isArray(m.layers)) throw new SystemError('E_BAD_MANIFEST', `manifest ${manifest.digest}: no config or layers`);
    const configBytes = await fetchSmallBlob(client, repo, m.config);
    const imageConfig = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
    const diffIds = imageConfig.rootfs?.diff_ids ?? [];
    if (diffIds.length !== m.layers.length) {
      throw new SystemError('E_BAD_MANIFEST', `image ${ref.full}: the manifest lists ${m.layers.length} layers but the config ${diffIds.length} diff ids`);
    }
    if (!isIndex(top) && options.platform && (imageConfig.os !== want.os || imageConfig.architecture !== want.architecture)) {
      reporter.warn(`image platform (${imageConfig.os}/${imageConfig.architecture}) does not match the requested ${formatPlatform(want)}`);
    }
    const id = m.config.digest.replace(/^sha256:/, '');
    const existing = (await loadImages(config)).find((i) => i.id === id);
    const layersPresent = (await Promise.all(diffIds.map((d) => hasLayer(config, d)))).every(Boolean);
    const upToDate = Boolean(existing && layersPresent && existing.names.includes(ref.full));

    const sizes: number[] = new Array(m.layers.length).fill(0);
    for (const l of m.layers) progress.event({ type: 'layer', id: shortId(l.digest), status: 'Pulling fs layer' });
    await pool(m.layers, options.parallel ?? 6, async (layer, i) => {
      const diffId = diffIds[i]!;
      const lid = shortId(layer.digest);
      const meta = await readLayerMeta(config, diffId);
      if (meta) {
        sizes[i] = meta.size ?? 0;
        progress.event({ type: 'layer', id: lid, status: 'Already exists' });
        return;
      }
      if (layer.mediaType === ManifestType.dockerForeignLayer) throw new ToteError('E_FOREIGN_LAYER', `layer ${layer.digest} is a foreign (Windows) layer`);
      sizes[i] = await pullLayer(config, plan, client, repo, layer, diffId, lid, progress, reporter);
    });

    const created = new Date().toISOString();
    const [stored] = await commitImages(config, plan, [], [
      {
        configBytes,
        manifestBytes: manifest.bytes,
        extraBlobs: top !== manifest ? [top.bytes] : [],
        record: {
          names: ref.tag ? [ref.full.replace(/@sha256:.*$/, '')] : [],
          digests: [`${ref.repository}@${top.digest}`],
          layers: diffIds,
          size: sizes.reduce((a, b) => a + b, 0),
          created: imageConfig.created ?? created,
          stored: created,
        },
      },
    ]);
    const imageId = `sha256:${stored!.id}`;
    progress.event({ type: 'done', reference: ref, digest: top.digest, upToDate, id: imageId });
    return { id: imageId, reference: ref, digest: top.digest, upToDate };
  } finally {
    client.close();
  }
}

/**
 * One layer: download → sha256 of the compressed bytes → decompression →
 * sha256 of the tar → extraction, all in one pass with nothing written but
 * the extracted files. Visible only when both digests matched.
 */
async function pullLayer(
  config: ToteConfig,
  plan: UsernsPlan,
  client: RegistryClient,
  repo: string,
  layer: Descriptor,
  diffId: string,
  lid: string,
  progress: PullProgress,
  reporter: Reporter,
): Promise<number> {
  let current = 0;
  let lastReport = 0;
  // The layer codec batches reads itself: no need to join them first.
  const native = loadLayerCodec(config.helperDir).module !== undefined;
  const source = client.blobStream(repo, layer.digest, layer.size, (n) => {
    current += n;
    const now = Date.now();
    if (now - lastReport > 100 || current === layer.size) {
      lastReport = now;
      progress.event({ type: 'layer', id: lid, status: 'Downloading', current, total: layer.size });
    }
  }, !native);
  const blob = openLayerSource(source, { config, helperDir: config.helperDir, giveBack: giveBackRead });
  const extracted = await extractNewLayer(config, plan, blob, {
    purpose: 'pull',
    diffId,
    reporter,
    meta: { compressedDigest: layer.digest, compressedSize: layer.size, compressedMediaType: layer.mediaType },
    // The compressed digest is checked before the diff id: a corrupt download is named as such.
    verified: () => {
      const got = blob.raw();
      if (got.digest !== layer.digest) {
        throw new SystemError('E_DIGEST_MISMATCH', `layer ${layer.digest}: content digest ${got.digest} does not match the manifest (${got.size} bytes received)`, {
          hint: 'the registry or a proxy served corrupt data; nothing was stored',
        });
      }
      progress.event({ type: 'layer', id: lid, status: 'Verifying Checksum' });
      progress.event({ type: 'layer', id: lid, status: 'Download complete' });
    },
  });
  try {
    progress.event({ type: 'layer', id: lid, status: 'Extracting', current: layer.size, total: layer.size });
    // Committed at once, so a pull that is killed later keeps its finished layers.
    await commitLayers(config, plan, [extracted]);
  } catch (e) {
    await discardLayers(config, plan, [extracted]);
    throw e;
  }
  progress.event({ type: 'layer', id: lid, status: 'Pull complete' });
  return extracted.meta.size;
}

export type PullPolicy = 'missing' | 'always' | 'never' | 'newer';

export function parsePullPolicy(text: string | undefined): PullPolicy {
  const p = (text ?? 'missing').toLowerCase();
  if (p === 'missing' || p === 'always' || p === 'never' || p === 'newer') return p;
  if (p === 'true') return 'always';
  if (p === 'false') return 'never';
  throw new ToteError('E_USAGE', `invalid pull policy "${text}"`, { hint: 'use --pull=missing, always, never or newer' });
}

/**
 * Makes sure `text` names a local image, pulling it as `policy` says
 * (run/create). Returns the image id (64 hex).
 */
export async function ensureImage(
  config: ToteConfig,
  plan: UsernsPlan,
  text: string,
  policy: PullPolicy,
  options: PullOptions = {},
): Promise<string> {
  // With --platform, a local image of another platform counts as missing.
  const { image: local, mismatch } = await findLocalImage(config, text, options.platform);
  if (local && policy === 'missing') return local.id;
  if (policy === 'never') {
    if (local) return local.id;
    throw mismatch ?? new NoSuchImageError(text);
  }
  let ref: ImageReference;
  try {
    ref = parseReference(text);
  } catch (e) {
    if (local) return local.id;
    throw e;
  }
  if (!local) options.progress?.event({ type: 'missing', reference: ref });
  try {
    return (await pullImage(config, plan, text, options)).id.replace(/^sha256:/, '');
  } catch (e) {
    // --pull=newer: a registry that cannot be reached is not an error when the image is here.
    if (local && policy === 'newer') {
      options.reporter?.warn(`could not check ${ref.full} for a newer image: ${(e as Error).message}`);
      return local.id;
    }
    // Not here and not pullable: say both, so `run nosuchimage` still reads
    // "no such image" (with the registry's reason) rather than a network error.
    if (!local && e instanceof ToteError) {
      const missing = mismatch ? `no ${options.platform} image locally` : 'no such image locally';
      throw new ToteError('E_NO_SUCH_IMAGE', `${text}: ${missing}, and pulling ${ref.full} failed: ${e.message}`, {
        hint: e.hint ?? 'check the name, or import/pull the image first',
        cause: e,
      });
    }
    throw e;
  }
}

