/**
 * `tote push IMAGE [DEST]`: blobs first (HEAD to skip those the registry
 * has, cross-repository mount when the image came from another repository
 * of the same registry, else a monolithic or chunked upload), then the
 * config, then the manifest. Uncompressed local layers (what import and
 * commit store) are gzip-compressed on push; the compressed blob is kept in
 * the store and remembered in the layer's metadata, so a second push sends
 * the same digest without compressing again.
 */
import { createReadStream, promises as fs } from 'node:fs';
import zlib from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import type { ToteConfig } from '../config/index.js';
import { SystemError, UsageError } from '../errors/index.js';
import type { Reporter } from '../errors/report.js';
import { RegistryClient, RegistryError, hostIsInsecure, loadRegistriesConf, registryMessage, resolveEndpoints, type Credentials } from '../registry/index.js';
import { writeFileAtomicText, withLock } from '../state/index.js';
import { beginBlobWrite, blobPath, DigestStream, hasBlob, layerDir, loadImages, putBlobBytes, readBlob, saveImages, sha256Digest, storePaths } from '../storage/index.js';
import { parseReference, type ImageReference } from './reference.js';
import { readImageManifest, resolveImage } from './store.js';
import { MediaType, ManifestType, type Descriptor, type ImageManifest } from './types.js';

export type PushEvent =
  | { type: 'start'; repository: string }
  | { type: 'layer'; id: string; status: 'Preparing' | 'Waiting' | 'Pushing' | 'Pushed' | 'Layer already exists' | 'Mounted'; current?: number; total?: number }
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

/** The blob to send for one layer: as stored, or gzip-compressed once and remembered. */
async function layerBlob(config: ToteConfig, d: Descriptor, diffId: string, docker: boolean): Promise<Descriptor | undefined> {
  const gzipType = docker ? ManifestType.dockerLayerGzip : MediaType.ociLayerGzip;
  if (!UNCOMPRESSED.has(d.mediaType)) {
    const type = docker && d.mediaType === MediaType.ociLayerGzip ? ManifestType.dockerLayerGzip : !docker && d.mediaType === ManifestType.dockerLayerGzip ? MediaType.ociLayerGzip : d.mediaType;
    return (await hasBlob(config, d.digest)) ? { ...d, mediaType: type } : undefined;
  }
  const metaFile = layerDir(config, diffId) + '.json';
  let meta: Record<string, unknown> = {};
  try {
    meta = JSON.parse(await fs.readFile(metaFile, 'utf8')) as Record<string, unknown>;
  } catch {
    // no metadata: compress below
  }
  const known = typeof meta.gzipDigest === 'string' ? meta.gzipDigest : undefined;
  if (known && typeof meta.gzipSize === 'number' && (await hasBlob(config, known))) return { mediaType: gzipType, digest: known, size: meta.gzipSize };
  if (!(await hasBlob(config, d.digest))) return undefined;
  const blob = await beginBlobWrite(config);
  const digest = new DigestStream();
  try {
    const done = pipeline(createReadStream(blobPath(config, d.digest)), zlib.createGzip({ level: 6 }), digest, blob.stream as NodeJS.WritableStream);
    await done;
    const gz = digest.digest();
    await blob.commit(gz);
    await withLock(storePaths(config).lock, async () => {
      try {
        await fs.access(layerDir(config, diffId));
        await writeFileAtomicText(metaFile, JSON.stringify({ ...meta, gzipDigest: gz, gzipSize: digest.size }) + '\n');
      } catch {
        // the layer is gone (rmi raced us): nothing to remember
      }
    });
    return { mediaType: gzipType, digest: gz, size: digest.size };
  } catch (e) {
    await blob.abort();
    throw e;
  }
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
    for (const [i, l] of manifest.layers.entries()) {
      const found = await layerBlob(config, l, image.layers[i]!, docker);
      layers.push(found ?? l);
      progress?.event({ type: 'layer', id: (found ?? l).digest.slice(7, 19), status: 'Preparing' });
    }
    const chunkSize = options.chunkSize ?? 32 * 1024 * 1024;
    for (const d of layers) {
      const id = d.digest.slice(7, 19);
      const local = await hasBlob(config, d.digest);
      let sent = 0;
      const r = await uploadBlob(client, repo, d, local ? blobPath(config, d.digest) : undefined, {
        mountFrom,
        chunkSize,
        onBytes: (n) => {
          sent += n;
          progress?.event({ type: 'layer', id, status: 'Pushing', current: sent, total: d.size });
        },
      });
      progress?.event({ type: 'layer', id, status: r === 'exists' ? 'Layer already exists' : r === 'mounted' ? 'Mounted' : 'Pushed' });
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
