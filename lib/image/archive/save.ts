/**
 * `tote save`: images as a tar archive, docker-archive (docker save's
 * manifest.json + repositories + `<id>.json` + one uncompressed tar per
 * layer, rebuilt from the layer's tar-split) or oci-archive (an OCI image
 * layout: oci-layout, index.json, blobs/sha256/…; layers as uncompressed
 * tars, so a pulled image's manifest digest changes, as with podman).
 * Every blob is hashed while it is written; a mismatch fails the save and a
 * file given with `-o` is only renamed into place when all of it worked.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable, Writable } from 'node:stream';
import type { ToteConfig } from '../../config/index.js';
import { tarStream } from './tar.js';
import { NoSuchImageError, SystemError, errnoCode } from '../../errors/index.js';
import type { Reporter } from '../../errors/report.js';
import { silentReporter } from '../../errors/report.js';
import { blobPath, DigestStream, hasBlob, loadImages, openLayerTar, readBlob, readLayerMeta, sha256Digest, type ImageRecord } from '../../storage/index.js';
import { planUserns, type UsernsPlan } from '../../userns/index.js';
import { parseReference } from '../reference.js';
import { findImage, readImageManifest } from '../store.js';
import { MediaType, type Descriptor, type ImageConfig, type ImageManifest } from '../types.js';
import {
  dockerManifestJson,
  ociBlobPath,
  ociIndexJson,
  OCI_LAYOUT,
  repositoriesJson,
  repoTag,
  type ArchiveFormat,
  type DockerManifestEntry,
  type OciIndexEntry,
} from './format.js';

export interface SaveOptions {
  /** Image names or ids, as the user typed them. */
  images: string[];
  format?: ArchiveFormat;
  /** Write to this file; else to `stdout`. */
  output?: string;
  stdout?: Writable;
  reporter?: Reporter;
}

interface Selected {
  record: ImageRecord;
  /** Full names to record in the archive (none when saved by id). */
  names: string[];
}

/** The images to save, each once, with the names they were asked for by (docker: by id → no names). */
export async function selectImages(config: ToteConfig, args: string[]): Promise<Selected[]> {
  const images = await loadImages(config);
  const out: Selected[] = [];
  for (const text of args) {
    const record = findImage(images, text);
    if (!record) throw new NoSuchImageError(text);
    let name: string | undefined;
    try {
      const full = parseReference(text).full;
      if (record.names.includes(full)) name = full;
    } catch {
      // an id
    }
    let sel = out.find((s) => s.record.id === record.id);
    if (!sel) out.push((sel = { record, names: [] }));
    if (name && !sel.names.includes(name)) sel.names.push(name);
  }
  return out;
}

const MTIME = new Date(0);

class Packer {
  readonly pack = tarStream().pack();

  file(name: string, data: string | Buffer): Promise<void> {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    return new Promise((resolve, reject) => {
      this.pack.entry({ name, size: buf.length, mode: 0o644, mtime: MTIME }, buf, (e) => (e ? reject(e) : resolve()));
    });
  }

  dir(name: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pack.entry({ name, type: 'directory', mode: 0o755, mtime: MTIME }, (e) => (e ? reject(e) : resolve()));
    });
  }

  /** Streams `source` (exactly `size` bytes) as `name`, checking it hashes to `digest`. */
  async stream(name: string, size: number, source: Readable, digest: string): Promise<void> {
    const hash = new DigestStream();
    let finished!: Promise<void>;
    const entry = (() => {
      let w: Writable;
      finished = new Promise<void>((resolve, reject) => {
        w = this.pack.entry({ name, size, mode: 0o644, mtime: MTIME }, (e) => (e ? reject(e) : resolve())) as unknown as Writable;
      });
      return w!;
    })();
    await Promise.all([pipeline(source, hash, entry), finished]);
    const got = hash.digest();
    if (got !== digest) {
      throw new SystemError('E_DIGEST_MISMATCH', `${name}: stored content hashes to ${got}, expected ${digest}`, {
        hint: 'the local store is damaged: remove the image and pull or import it again',
      });
    }
  }
}

async function fileSize(p: string): Promise<number> {
  return (await fs.stat(p)).size;
}

/** The user-namespace plan, worked out once and only when a layer tar must be rebuilt. */
type PlanOnce = () => Promise<UsernsPlan>;

function planOnce(config: ToteConfig): PlanOnce {
  let p: Promise<UsernsPlan> | undefined;
  return () => (p ??= planUserns(config));
}

/** A stored layer's uncompressed tar (rebuilt, or a legacy blob) and its size, for a tar entry header. */
async function layerTar(config: ToteConfig, plan: PlanOnce, diffId: string, compressedDigest?: string): Promise<{ stream: Readable; size: number }> {
  const meta = await readLayerMeta(config, diffId);
  let size = meta?.size;
  if (size === undefined) {
    try {
      size = (await fs.stat(blobPath(config, diffId))).size;
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') throw new SystemError('E_BLOB_MISSING', `layer ${diffId} is missing from the store`, { hint: 'remove the image and pull or import it again' });
      throw e;
    }
  }
  return { stream: await openLayerTar(config, await plan(), diffId, compressedDigest), size };
}

async function writeDockerArchive(config: ToteConfig, plan: PlanOnce, packer: Packer, selected: Selected[]): Promise<void> {
  const entries: DockerManifestEntry[] = [];
  const repos: Array<{ repoTags: string[]; topLayer?: string }> = [];
  const written = new Set<string>();
  for (const { record, names } of selected) {
    const configBytes = await readBlob(config, 'sha256:' + record.id);
    const imageConfig = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
    const diffIds = imageConfig.rootfs?.diff_ids ?? record.layers;
    const manifest = await readImageManifest(config, record).catch(() => undefined);
    const layerFiles: string[] = [];
    for (const [i, diffId] of diffIds.entries()) {
      const file = `${diffId.replace(/^sha256:/, '')}.tar`;
      layerFiles.push(file);
      if (written.has(file)) continue;
      const layer = await layerTar(config, plan, diffId, manifest?.layers[i]?.digest);
      await packer.stream(file, layer.size, layer.stream, diffId);
      written.add(file);
    }
    const configFile = `${record.id}.json`;
    if (!written.has(configFile)) {
      await packer.file(configFile, configBytes);
      written.add(configFile);
    }
    const repoTags = names.map(repoTag);
    entries.push({ Config: configFile, RepoTags: repoTags.length ? repoTags : null, Layers: layerFiles });
    repos.push({ repoTags, topLayer: layerFiles.length ? layerFiles[layerFiles.length - 1]!.replace(/\.tar$/, '') : undefined });
  }
  await packer.file('manifest.json', dockerManifestJson(entries));
  await packer.file('repositories', repositoriesJson(repos));
}

/**
 * Layers go in as the blobs the manifest names when the store still has
 * them; otherwise as their uncompressed tars, and the manifest is rewritten
 * to name those (the config, and so the image id, stays the same).
 */
async function writeOciArchive(config: ToteConfig, plan: PlanOnce, packer: Packer, selected: Selected[]): Promise<void> {
  await packer.file('oci-layout', JSON.stringify(OCI_LAYOUT));
  await packer.dir('blobs/');
  await packer.dir('blobs/sha256/');
  const written = new Set<string>();
  const index: OciIndexEntry[] = [];
  for (const { record, names } of selected) {
    let manifestBytes = await readBlob(config, record.manifestDigest);
    if (sha256Digest(manifestBytes) !== record.manifestDigest) {
      throw new SystemError('E_DIGEST_MISMATCH', `manifest ${record.manifestDigest} of image ${record.id.slice(0, 12)} is damaged in the store`);
    }
    const manifest = JSON.parse(manifestBytes.toString('utf8')) as ImageManifest;
    const layers: Descriptor[] = [];
    for (const [i, layer] of manifest.layers.entries()) {
      const diffId = record.layers[i]!;
      const asStored = await hasBlob(config, layer.digest);
      const desc: Descriptor = asStored ? layer : { mediaType: MediaType.ociLayer, digest: diffId, size: 0 };
      if (!asStored) desc.size = (await readLayerMeta(config, diffId))?.size ?? 0;
      layers.push(desc);
      if (written.has(desc.digest)) continue;
      if (asStored) {
        const p = blobPath(config, layer.digest);
        await packer.stream(ociBlobPath(layer.digest), await fileSize(p), createReadStream(p), layer.digest);
      } else {
        const tar = await layerTar(config, plan, diffId, layer.digest);
        desc.size = tar.size;
        await packer.stream(ociBlobPath(diffId), tar.size, tar.stream, diffId);
      }
      written.add(desc.digest);
    }
    if (layers.some((l, i) => l.digest !== manifest.layers[i]!.digest)) {
      manifestBytes = Buffer.from(JSON.stringify({ ...manifest, mediaType: MediaType.ociManifest, config: { ...manifest.config, mediaType: MediaType.ociConfig }, layers }));
    }
    const manifestDigest = sha256Digest(manifestBytes);
    const configBytes = await readBlob(config, manifest.config.digest);
    if (!written.has(manifest.config.digest)) {
      if (sha256Digest(configBytes) !== manifest.config.digest) throw new SystemError('E_DIGEST_MISMATCH', `config ${manifest.config.digest} is damaged in the store`);
      await packer.file(ociBlobPath(manifest.config.digest), configBytes);
      written.add(manifest.config.digest);
    }
    if (!written.has(manifestDigest)) {
      await packer.file(ociBlobPath(manifestDigest), manifestBytes);
      written.add(manifestDigest);
    }
    const mediaType = (JSON.parse(manifestBytes.toString('utf8')) as ImageManifest).mediaType ?? MediaType.ociManifest;
    const descriptor: Descriptor = { mediaType, digest: manifestDigest, size: manifestBytes.length };
    if (names.length === 0) index.push({ manifest: descriptor });
    for (const name of names) index.push({ manifest: descriptor, name });
  }
  await packer.file('index.json', ociIndexJson(index));
}

/** Where the archive goes: a temp file renamed onto `-o FILE` on success (a regular file or a new one), or the stream itself. */
async function openOutput(options: SaveOptions): Promise<{ stream: Writable; commit(): Promise<void>; abort(): Promise<void>; end: boolean }> {
  if (!options.output) {
    const stream = options.stdout ?? process.stdout;
    return { stream, end: false, commit: async () => undefined, abort: async () => undefined };
  }
  const target = options.output;
  let regular = true;
  try {
    regular = (await fs.stat(target)).isFile();
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT') throw e;
  }
  const file = regular ? path.join(path.dirname(target), `.${path.basename(target)}.tote-${randomBytes(6).toString('hex')}`) : target;
  const stream = createWriteStream(file, { mode: 0o644 });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (e) => reject(new SystemError('E_SAVE_OUTPUT', `cannot write ${target}: ${e.message}`, { cause: e })));
  });
  return {
    stream,
    end: true,
    commit: async () => {
      if (regular) await fs.rename(file, target);
    },
    abort: async () => {
      stream.destroy();
      if (regular) await fs.rm(file, { force: true });
    },
  };
}

export async function saveArchive(config: ToteConfig, options: SaveOptions): Promise<void> {
  const reporter = options.reporter ?? silentReporter;
  const format = options.format ?? 'docker-archive';
  if (options.images.length === 0) throw new SystemError('E_SAVE_NOTHING', 'no image to save');
  const selected = await selectImages(config, options.images);
  const output = await openOutput(options);
  const packer = new Packer();
  try {
    const produce = (async () => {
      const plan = planOnce(config);
      if (format === 'oci-archive') await writeOciArchive(config, plan, packer, selected);
      else await writeDockerArchive(config, plan, packer, selected);
      packer.pack.finalize();
    })().catch((e: unknown) => {
      packer.pack.destroy(e as Error);
      throw e;
    });
    const consume = output.end
      ? pipeline(packer.pack, output.stream)
      : new Promise<void>((resolve, reject) => {
          packer.pack.once('end', resolve);
          packer.pack.once('error', reject);
          output.stream.once('error', (e) => {
            packer.pack.destroy(e);
            reject(e);
          });
          (packer.pack as unknown as Readable).pipe(output.stream, { end: false });
        });
    // The producer's error is the one worth reporting.
    const [p, c] = await Promise.allSettled([produce, consume]);
    if (p.status === 'rejected') throw p.reason;
    if (c.status === 'rejected') throw c.reason;
    await output.commit();
    reporter.debug(`saved ${selected.length} image(s) as ${format}`);
  } catch (e) {
    await output.abort();
    throw e;
  }
}
