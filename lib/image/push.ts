/**
 * `tote push IMAGE [DEST]`: blobs first (HEAD to skip those the registry
 * has, cross-repository mount when the image came from another repository
 * of the same registry, else a monolithic or chunked upload), then the
 * config, then the manifest. The store keeps no layer blobs: a layer the
 * registry already has (the blob it was pulled as, or tote's earlier gzip of
 * it) is found by HEAD or mounted; otherwise its tar is rebuilt from the
 * tar-split and gzip-compressed — deterministically, so a second push finds
 * the same digest. As with podman, a pulled layer pushed to a registry
 * that lacks it gets a new compressed digest (and the manifest a new one).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import type { ToteConfig } from '../config/index.js';
import { SystemError, UsageError } from '../errors/index.js';
import type { Reporter } from '../errors/report.js';
import { RegistryClient, RegistryError, hostIsInsecure, loadRegistriesConf, registryMessage, resolveEndpoints, type Credentials } from '../registry/index.js';
import { withLock } from '../state/index.js';
import { planUserns } from '../userns/index.js';
import { blobPath, DigestStream, hasBlob, loadImages, openLayerTar, putBlobBytes, readBlob, readLayerMeta, saveImages, sha256Digest, storePaths, updateLayerMeta } from '../storage/index.js';
import { parseReference, type ImageReference } from './reference.js';
import { readImageManifest, resolveImage } from './store.js';
import { MediaType, ManifestType, type Descriptor, type ImageManifest } from './types.js';

export type PushEvent =
  | { type: 'start'; repository: string }
  /** `from`: the repository a mounted layer came from (docker's "Mounted from library/busybox"). */
  | { type: 'layer'; id: string; status: 'Preparing' | 'Waiting' | 'Pushing' | 'Pushed' | 'Layer already exists' | 'Mounted'; current?: number; total?: number; from?: string }
  | { type: 'done'; reference: ImageReference; tag: string; digest: string; size: number };

export interface PushProgress {
  event(e: PushEvent): void;
}

export interface PushOptions {
  tlsVerify?: boolean;
  creds?: Credentials;
  progress?: PushProgress;
  reporter?: Reporter;
  /** Write the pushed manifest's digest here (`--digestfile`). */
  digestFile?: string;
  /** Manifest format: `oci` or `v2s2` (default: the image's own). */
  format?: 'oci' | 'v2s2';
  /** Upload in chunks of this many bytes (default 32 MiB); smaller blobs go in one PUT. */
  chunkSize?: number;
}

const UNCOMPRESSED = new Set<string>([MediaType.ociLayer, 'application/vnd.docker.image.rootfs.diff.tar']);

/** A layer's blob as the manifest will name it, and where its bytes are (none: the registry has them). */
interface LayerUpload {
  desc: Descriptor;
  /** No file: the registry has the blob already, or it was just mounted there. */
  found?: 'exists' | 'mounted';
  file?: string;
  /** A temporary file to remove after the upload. */
  temp?: boolean;
}

function gzipType(docker: boolean): string {
  return docker ? ManifestType.dockerLayerGzip : MediaType.ociLayerGzip;
}

/** The media type spelled for the manifest format being pushed. */
function typeFor(mediaType: string, docker: boolean): string {
  if (docker && mediaType === MediaType.ociLayerGzip) return ManifestType.dockerLayerGzip;
  if (!docker && mediaType === ManifestType.dockerLayerGzip) return MediaType.ociLayerGzip;
  return mediaType;
}

/** HEAD, then a cross-repository mount when there is a source repository: is the blob in `repo` now? */
async function registryHas(client: RegistryClient, repo: string, digest: string, mountFrom: string | undefined): Promise<'exists' | 'mounted' | undefined> {
  const scope = `repository:${repo}:pull,push`;
  const head = await client.request('HEAD', `/v2/${repo}/blobs/${digest}`, { scope });
  head.body.resume();
  if (head.status === 200) return 'exists';
  if (!mountFrom || mountFrom === repo) return undefined;
  const m = await client.request('POST', `/v2/${repo}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(mountFrom)}`, {
    scope: `${scope} repository:${mountFrom}:pull`,
    body: Buffer.alloc(0),
  });
  await m.bytes();
  if (m.status === 201) return 'mounted';
  // 202: the registry opened an upload instead; it is not needed (it expires on its own).
  const loc = m.headers.location;
  if (m.status === 202 && typeof loc === 'string') await client.request('DELETE', new URL(loc, client.base).toString(), { scope }).then((r) => r.body.resume(), () => undefined);
  return undefined;
}

/**
 * gzip of the layer's tar (rebuilt from its tar-split, checked against the
 * diff id) into a temporary file: its digest and size must be known before
 * the upload. Deterministic (same zlib, same level), so the digest is
 * remembered and a later push finds the blob by HEAD without compressing.
 */
async function compressLayer(config: ToteConfig, diffId: string, compressedDigest: string | undefined, docker: boolean): Promise<LayerUpload> {
  const plan = await planUserns(config);
  const dir = storePaths(config).tmp;
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, `push-${randomBytes(8).toString('hex')}.gz`);
  const digest = new DigestStream();
  try {
    await pipeline(await openLayerTar(config, plan, diffId, compressedDigest), zlib.createGzip({ level: 6 }), digest, createWriteStream(file, { mode: 0o600 }));
  } catch (e) {
    await fs.rm(file, { force: true });
    throw e;
  }
  const gz = digest.digest();
  await withLock(storePaths(config).lock, () => updateLayerMeta(config, diffId, { gzipDigest: gz, gzipSize: digest.size }));
  return { desc: { mediaType: gzipType(docker), digest: gz, size: digest.size }, file, temp: true };
}

/**
 * Where one layer's blob comes from: a blob still in the store (stores from
 * before tar-splits), the blob the layer was pulled as or tote's own gzip of
 * it when the registry has it already (or can mount it), else a fresh gzip.
 */
async function layerUpload(config: ToteConfig, client: RegistryClient, repo: string, d: Descriptor, diffId: string, docker: boolean, mountFrom: string | undefined): Promise<LayerUpload> {
  if (!UNCOMPRESSED.has(d.mediaType) && (await hasBlob(config, d.digest))) return { desc: { ...d, mediaType: typeFor(d.mediaType, docker) }, file: blobPath(config, d.digest) };
  const meta = await readLayerMeta(config, diffId);
  const known: Descriptor[] = [];
  if (!UNCOMPRESSED.has(d.mediaType) && d.digest === meta?.compressedDigest) known.push({ ...d, mediaType: typeFor(d.mediaType, docker) });
  if (meta?.gzipDigest && typeof meta.gzipSize === 'number') known.push({ mediaType: gzipType(docker), digest: meta.gzipDigest, size: meta.gzipSize });
  for (const k of known) {
    const found = await registryHas(client, repo, k.digest, mountFrom);
    if (found) return { desc: k, found };
  }
  return compressLayer(config, diffId, meta?.compressedDigest, docker);
}

async function uploadBlob(
  client: RegistryClient,
  repo: string,
  d: Descriptor,
  source: (() => Promise<Buffer>) | string | undefined,
  opts: { mountFrom?: string; chunkSize: number; onBytes: (n: number) => void },
): Promise<'exists' | 'mounted' | 'pushed'> {
  const scope = `repository:${repo}:pull,push`;
  const head = await client.request('HEAD', `/v2/${repo}/blobs/${d.digest}`, { scope });
  head.body.resume();
  if (head.status === 200) return 'exists';
  let start: string;
  if (opts.mountFrom && opts.mountFrom !== repo) {
    const m = await client.request('POST', `/v2/${repo}/blobs/uploads/?mount=${encodeURIComponent(d.digest)}&from=${encodeURIComponent(opts.mountFrom)}`, {
      scope: `${scope} repository:${opts.mountFrom}:pull`,
      body: Buffer.alloc(0),
    });
    await m.bytes();
    if (m.status === 201) return 'mounted';
    if (m.status !== 202) throw new RegistryError('E_REGISTRY', `starting upload of ${d.digest}: ${m.status}`, m.status);
    start = String(m.headers.location ?? '');
  } else {
    const s = await client.request('POST', `/v2/${repo}/blobs/uploads/`, { scope, body: Buffer.alloc(0) });
    const body = await s.bytes();
    if (s.status !== 202) throw new RegistryError(s.status === 401 || s.status === 403 ? 'E_UNAUTHORIZED' : 'E_REGISTRY', `starting upload of ${d.digest}: ${registryMessage(s.status, body)}`, s.status);
    start = String(s.headers.location ?? '');
  }
  if (!start) throw new RegistryError('E_REGISTRY', `starting upload of ${d.digest}: no Location in the answer`, 202);
  if (source === undefined) throw new SystemError('E_BLOB_MISSING', `blob ${d.digest} is not in the local store and not in the registry`);
  let location = new URL(start, client.base).toString();
  const withDigest = (loc: string) => {
    const u = new URL(loc);
    u.searchParams.set('digest', d.digest);
    return u.toString();
  };
  let put;
  if (typeof source !== 'string') {
    const bytes = await source();
    put = await client.request('PUT', withDigest(location), { scope, body: bytes, headers: { 'content-type': 'application/octet-stream' } });
    opts.onBytes(bytes.length);
  } else if (d.size <= opts.chunkSize) {
    put = await client.request('PUT', withDigest(location), {
      scope,
      body: () => createReadStream(source).on('data', (c) => opts.onBytes(c.length)),
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(d.size) },
    });
  } else {
    for (let off = 0; off < d.size; off += opts.chunkSize) {
      const end = Math.min(d.size, off + opts.chunkSize) - 1;
      const patch = await client.request('PATCH', location, {
        scope,
        body: () => createReadStream(source, { start: off, end }),
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(end - off + 1), 'content-range': `${off}-${end}` },
      });
      const body = await patch.bytes();
      if (patch.status !== 202) throw new RegistryError('E_REGISTRY', `uploading ${d.digest} (bytes ${off}-${end}): ${registryMessage(patch.status, body)}`, patch.status);
      location = new URL(String(patch.headers.location ?? location), client.base).toString();
      opts.onBytes(end - off + 1);
    }
    put = await client.request('PUT', withDigest(location), { scope, body: Buffer.alloc(0) });
  }
  const body = await put.bytes();
  if (put.status !== 201 && put.status !== 204) throw new RegistryError('E_REGISTRY', `uploading ${d.digest}: ${registryMessage(put.status, body)}`, put.status);
  return 'pushed';
}

export async function pushImage(config: ToteConfig, source: string, dest: string | undefined, options: PushOptions = {}): Promise<{ digest: string; reference: ImageReference }> {
  const image = await resolveImage(config, source);
  const target = dest ?? source;
  if (!dest && /^(sha256:)?[0-9a-f]{6,64}$/.test(source) && !image.names.some((n) => n.startsWith(source))) {
    throw new UsageError(`cannot push an image by id without a destination: ${source}`, 'use `tote push ID NAME[:TAG]`, or tag it first');
  }
  const ref = parseReference(target);
  if (ref.digest) throw new UsageError(`cannot push to a digest reference: ${target}`, 'push to NAME[:TAG]');
  const tag = ref.tag ?? 'latest';
  const conf = await loadRegistriesConf(config);
  const ep = resolveEndpoints(conf, ref.repository, { push: true }).pop()!;
  const repo = ep.repository;
  const client = new RegistryClient(config, ep.host, { tlsVerify: options.tlsVerify, insecure: ep.insecure || hostIsInsecure(conf, ep.host), creds: options.creds, reporter: options.reporter });
  const progress = options.progress;
  try {
    progress?.event({ type: 'start', repository: ref.repository });
    const manifest = await readImageManifest(config, image);
    const configBytes = await readBlob(config, 'sha256:' + image.id);
    const docker = options.format ? options.format === 'v2s2' : manifest.mediaType === ManifestType.dockerV2;
    // A repository of the same registry the image was pulled from: a mount source.
    const sameRegistry = (image.digests ?? []).map((d) => d.split('@')[0]!).find((r) => r.split('/')[0] === ref.repository.split('/')[0] && r !== ref.repository);
    const mountFrom = sameRegistry ? sameRegistry.slice(sameRegistry.indexOf('/') + 1) : undefined;
    const layers: Descriptor[] = [];
    for (const l of manifest.layers) progress?.event({ type: 'layer', id: l.digest.slice(7, 19), status: 'Preparing' });
    const chunkSize = options.chunkSize ?? 32 * 1024 * 1024;
    for (const [i, l] of manifest.layers.entries()) {
      const id = l.digest.slice(7, 19);
      const up = await layerUpload(config, client, repo, l, image.layers[i]!, docker, mountFrom);
      try {
        let sent = 0;
        const r = up.file
          ? await uploadBlob(client, repo, up.desc, up.file, {
              mountFrom,
              chunkSize,
              onBytes: (n) => {
                sent += n;
                progress?.event({ type: 'layer', id, status: 'Pushing', current: sent, total: up.desc.size });
              },
            })
          : (up.found ?? 'exists');
        if (r === 'mounted') progress?.event({ type: 'layer', id, status: 'Mounted', from: mountFrom });
        else progress?.event({ type: 'layer', id, status: r === 'exists' ? 'Layer already exists' : 'Pushed' });
      } finally {
        if (up.temp && up.file) await fs.rm(up.file, { force: true });
      }
      layers.push(up.desc);
    }
    const configDesc: Descriptor = { mediaType: docker ? ManifestType.dockerConfig : MediaType.ociConfig, digest: 'sha256:' + image.id, size: configBytes.length };
    await uploadBlob(client, repo, configDesc, async () => configBytes, { chunkSize, onBytes: () => undefined });
    const out: ImageManifest = {
      schemaVersion: 2,
      mediaType: docker ? ManifestType.dockerV2 : MediaType.ociManifest,
      config: configDesc,
      layers,
      ...(manifest.annotations && !docker ? { annotations: manifest.annotations } : {}),
    };
    // Unchanged manifests keep their exact bytes (and digest).
    const same = JSON.stringify(out) === JSON.stringify({ ...manifest, config: { ...manifest.config, mediaType: configDesc.mediaType } }) && manifest.mediaType === out.mediaType;
    const bytes = same ? await readBlob(config, image.manifestDigest) : Buffer.from(JSON.stringify(out));
    const digest = sha256Digest(bytes);
    const put = await client.request('PUT', `/v2/${repo}/manifests/${tag}`, {
      scope: `repository:${repo}:pull,push`,
      body: bytes,
      headers: { 'content-type': out.mediaType },
    });
    const body = await put.bytes();
    if (put.status !== 201 && put.status !== 200) {
      throw new RegistryError(put.status === 401 || put.status === 403 ? 'E_UNAUTHORIZED' : 'E_REGISTRY', `${ep.host}/${repo}: writing manifest ${tag}: ${registryMessage(put.status, body)}`, put.status);
    }
    const header = put.headers['docker-content-digest'];
    if (typeof header === 'string' && header !== digest) throw new SystemError('E_DIGEST_MISMATCH', `registry computed manifest digest ${header}, expected ${digest}`);
    await withLock(storePaths(config).lock, async () => {
      await putBlobBytes(config, bytes, digest);
      const images = await loadImages(config);
      const rec = images.find((i) => i.id === image.id);
      if (rec) {
        rec.digests = [...new Set([...(rec.digests ?? []), `${ref.repository}@${digest}`])];
        await saveImages(config, images);
      }
    });
    if (options.digestFile) await fs.writeFile(options.digestFile, digest);
    progress?.event({ type: 'done', reference: ref, tag, digest, size: bytes.length });
    return { digest, reference: ref };
  } finally {
    client.close();
  }
}
