/**
 * `tote load`: a docker-archive or oci-archive (optionally gzip-compressed)
 * from a file or standard input. The archive is unpacked as plain files into
 * a staging dir (members may come in any order: manifest.json is often
 * last); then every config, manifest and layer is checked against its
 * digest while the new layers are extracted into temp dirs. Only when all
 * of it matched are layers renamed into place, blobs written and the index
 * updated (persist.ts): a corrupt archive stores nothing.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ToteConfig } from '../../config/index.js';
import { tarStream } from './tar.js';
import { SystemError, ToteError, errnoCode } from '../../errors/index.js';
import type { Reporter } from '../../errors/report.js';
import { silentReporter } from '../../errors/report.js';
import { maybeDecompress, openLayerSource, readLayerMeta, sha256Digest, storePaths, type ExtractedLayerFiles } from '../../storage/index.js';
import type { UsernsPlan } from '../../userns/index.js';
import { commitImages, discardLayers, extractNewLayer, type NewImage } from '../persist.js';
import { parsePlatform, selectPlatform, type IndexEntry } from '../platform.js';
import { parseReference } from '../reference.js';
import { ManifestType, MediaType, type Descriptor, type ImageConfig, type ImageManifest } from '../types.js';
import { ociBlobPath, parseDockerManifest, parseOciIndex, resolveLink, memberPath, type ArchiveFormat } from './format.js';

export interface LoadOptions {
  /** A file path; else `stdin`. */
  input?: string;
  stdin?: Readable;
  reporter?: Reporter;
}

export interface LoadedImage {
  /** `sha256:…` */
  id: string;
  /** Full names, `docker.io/library/busybox:latest`. */
  names: string[];
}

export interface LoadResult {
  format: ArchiveFormat;
  images: LoadedImage[];
}

function bad(message: string): SystemError {
  return new SystemError('E_ARCHIVE_INVALID', message, { hint: 'the archive is damaged or not made by docker save, podman save or tote save' });
}

/** The unpacked archive: regular files on disk, links resolved by name. */
class Staging {
  readonly files = new Set<string>();
  readonly links = new Map<string, string>();
  constructor(readonly dir: string) {}

  has(member: string): boolean {
    return this.resolve(member) !== null;
  }

  private resolve(member: string): string | null {
    let m: string | null = memberPath(member);
    for (let hops = 0; m !== null && hops < 16; hops++) {
      if (this.files.has(m)) return m;
      const next = this.links.get(m);
      if (next === undefined) return null;
      m = next;
    }
    return null;
  }

  path(member: string): string {
    const m = this.resolve(member);
    if (m === null) throw bad(`${member} is missing from the archive`);
    return path.join(this.dir, m);
  }

  async read(member: string): Promise<Buffer> {
    return fs.readFile(this.path(member));
  }
}

async function unpack(input: Readable, staging: Staging): Promise<void> {
  const extract = tarStream().extract();
  const dirs = new Set<string>();
  const mkdirp = async (d: string) => {
    if (dirs.has(d)) return;
    await fs.mkdir(path.join(staging.dir, d), { recursive: true, mode: 0o700 });
    dirs.add(d);
  };
  const plain = maybeDecompress(input);
  input.on('error', (e) => plain.destroy(e));
  const feeding = pipeline(plain, extract).catch((e: unknown) => {
    throw bad(`reading the archive: ${(e as Error).message}`);
  });
  const reading = (async () => {
    for await (const entry of extract) {
      const h = entry.header;
      const name = memberPath(h.name);
      if (name === null) {
        entry.resume();
        if (h.name.replace(/^(\.\/)+/, '') === '' || h.name === '.' || h.name === './') continue;
        throw bad(`archive member ${JSON.stringify(h.name)} points outside the archive`);
      }
      if (h.type === 'file' || h.type === 'contiguous-file') {
        await mkdirp(path.posix.dirname(name));
        staging.links.delete(name);
        await pipeline(entry, createWriteStream(path.join(staging.dir, name), { mode: 0o600 }));
        staging.files.add(name);
      } else if (h.type === 'symlink' && h.linkname) {
        entry.resume();
        const to = resolveLink(name, h.linkname);
        if (to !== null) staging.links.set(name, to);
      } else if (h.type === 'link' && h.linkname) {
        entry.resume();
        const to = memberPath(h.linkname);
        if (to !== null) staging.links.set(name, to);
      } else {
        entry.resume();
      }
    }
  })();
  const [f, r] = await Promise.allSettled([feeding, reading]);
  // A refusal while reading explains the feeder's "premature close".
  if (r.status === 'rejected' && r.reason instanceof ToteError) throw r.reason;
  if (f.status === 'rejected') throw f.reason;
  if (r.status === 'rejected') throw r.reason;
}

/** One layer to bring in: where it is in the archive and what it must hash to. */
interface LayerPlan {
  file: string;
  diffId: string;
  /** The blob's digest: the file's own (oci-archive), or the diff id (docker-archive: an uncompressed tar). */
  blobDigest: string;
  /** oci-archive: the file itself must hash to blobDigest. */
  raw: boolean;
}

interface ImagePlan {
  configBytes: Buffer;
  configDigest: string;
  imageConfig: ImageConfig;
  /** Stored as is (oci-archive), or built after the layers are known (docker-archive). */
  manifest?: { bytes: Buffer; digest: string };
  layers: LayerPlan[];
  names: string[];
}

function verifyBytes(what: string, bytes: Buffer, digest: string): void {
  const got = sha256Digest(bytes);
  if (got !== digest) throw new SystemError('E_DIGEST_MISMATCH', `${what}: content digest ${got} does not match ${digest}`, { hint: 'the archive is damaged; nothing was loaded' });
}

function parseConfig(bytes: Buffer, what: string): ImageConfig {
  let c: ImageConfig;
  try {
    c = JSON.parse(bytes.toString('utf8')) as ImageConfig;
  } catch (e) {
    throw bad(`${what} is not valid JSON: ${(e as Error).message}`);
  }
  if (!c || typeof c !== 'object' || !Array.isArray(c.rootfs?.diff_ids)) throw bad(`${what} has no rootfs.diff_ids`);
  for (const d of c.rootfs.diff_ids) if (typeof d !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(d)) throw bad(`${what}: unsupported diff id ${JSON.stringify(d)}`);
  return c;
}

function fullNames(names: string[], reporter: Reporter): string[] {
  const out: string[] = [];
  for (const n of names) {
    try {
      const ref = parseReference(n);
      if (ref.digest) continue;
      if (!out.includes(ref.full)) out.push(ref.full);
    } catch {
      reporter.warn(`ignoring invalid image name ${JSON.stringify(n)} in the archive`);
    }
  }
  return out;
}

async function planDocker(staging: Staging, reporter: Reporter): Promise<ImagePlan[]> {
  const entries = parseDockerManifest((await staging.read('manifest.json')).toString('utf8'));
  return Promise.all(
    entries.map(async (e) => {
      const configBytes = await staging.read(e.Config);
      const configDigest = sha256Digest(configBytes);
      // docker names the config after its digest: check it when it does.
      const named = /^(?:blobs\/sha256\/)?([0-9a-f]{64})(?:\.json)?$/.exec(e.Config);
      if (named && `sha256:${named[1]}` !== configDigest) verifyBytes(e.Config, configBytes, `sha256:${named[1]}`);
      const imageConfig = parseConfig(configBytes, e.Config);
      const diffIds = imageConfig.rootfs.diff_ids;
      if (diffIds.length !== e.Layers.length) throw bad(`${e.Config}: ${diffIds.length} diff ids but manifest.json lists ${e.Layers.length} layers`);
      const layers = e.Layers.map((file, i) => ({ file, diffId: diffIds[i]!, blobDigest: diffIds[i]!, raw: false }));
      return { configBytes, configDigest, imageConfig, layers, names: fullNames(e.RepoTags ?? [], reporter) };
    }),
  );
}

const INDEX_TYPES = new Set<string>([ManifestType.ociIndex, ManifestType.dockerList]);

async function planOci(staging: Staging, reporter: Reporter): Promise<ImagePlan[]> {
  const entries = parseOciIndex((await staging.read('index.json')).toString('utf8'));
  const plans: ImagePlan[] = [];
  for (const entry of entries) {
    let desc: Descriptor = entry;
    if (INDEX_TYPES.has(entry.mediaType)) {
      const bytes = await staging.read(ociBlobPath(entry.digest));
      verifyBytes(`index ${entry.digest}`, bytes, entry.digest);
      const nested = parseOciIndex(bytes.toString('utf8'), `index ${entry.digest}`) as unknown as IndexEntry[];
      desc = selectPlatform(nested, parsePlatform()) as unknown as Descriptor;
    }
    const manifestBytes = await staging.read(ociBlobPath(desc.digest));
    verifyBytes(`manifest ${desc.digest}`, manifestBytes, desc.digest);
    let manifest: ImageManifest;
    try {
      manifest = JSON.parse(manifestBytes.toString('utf8')) as ImageManifest;
    } catch (e) {
      throw bad(`manifest ${desc.digest} is not valid JSON: ${(e as Error).message}`);
    }
    if (!manifest?.config?.digest || !Array.isArray(manifest.layers)) throw bad(`manifest ${desc.digest} has no config or layers`);
    const configBytes = await staging.read(ociBlobPath(manifest.config.digest));
    verifyBytes(`config ${manifest.config.digest}`, configBytes, manifest.config.digest);
    const imageConfig = parseConfig(configBytes, `config ${manifest.config.digest}`);
    const diffIds = imageConfig.rootfs.diff_ids;
    if (diffIds.length !== manifest.layers.length) throw bad(`manifest ${desc.digest}: ${manifest.layers.length} layers but the config lists ${diffIds.length} diff ids`);
    const layers = manifest.layers.map((l, i) => ({ file: ociBlobPath(l.digest), diffId: diffIds[i]!, blobDigest: l.digest, raw: true }));
    const names = fullNames(entry.name ? [entry.name] : [], reporter);
    const same = plans.find((p) => p.configDigest === manifest.config.digest && p.manifest?.digest === desc.digest);
    if (same) {
      for (const n of names) if (!same.names.includes(n)) same.names.push(n);
      continue;
    }
    plans.push({ configBytes, configDigest: manifest.config.digest, imageConfig, manifest: { bytes: manifestBytes, digest: desc.digest }, layers, names });
  }
  return plans;
}

/** A layer of the archive: extracted and verified (new), or already in the store. */
interface BroughtLayer {
  diffId: string;
  /** Uncompressed size. */
  size: number;
  extracted?: ExtractedLayerFiles;
}

async function bringLayer(config: ToteConfig, plan: UsernsPlan, staging: Staging, l: LayerPlan, reporter: Reporter): Promise<BroughtLayer> {
  const meta = await readLayerMeta(config, l.diffId);
  if (meta) return { diffId: l.diffId, size: meta.size ?? 0 };
  const source = createReadStream(staging.path(l.file));
  const layer = openLayerSource(source, { config, helperDir: config.helperDir });
  try {
    const extracted = await extractNewLayer(config, plan, layer, {
      purpose: 'load-layer',
      diffId: l.diffId,
      reporter,
      // The blob the layer came as: push can find it again by digest.
      ...(l.raw && l.blobDigest !== l.diffId ? { meta: { compressedDigest: l.blobDigest } } : {}),
      verified: () => {
        const raw = layer.raw().digest;
        if (l.raw && raw !== l.blobDigest) {
          throw new SystemError('E_DIGEST_MISMATCH', `layer ${l.blobDigest}: content digest ${raw} does not match`, { hint: 'the archive is damaged; nothing was loaded' });
        }
      },
    });
    if (extracted.meta.compressedDigest) extracted.meta.compressedSize = layer.raw().size;
    return { diffId: l.diffId, size: extracted.meta.size, extracted };
  } catch (e) {
    source.destroy();
    if (e instanceof ToteError) {
      if (e.code === 'E_DIGEST_MISMATCH' && !e.hint) throw new SystemError(e.code, `${l.file}: ${e.message}`, { hint: 'the archive is damaged; nothing was loaded' });
      throw e;
    }
    throw bad(`layer ${l.file}: ${(e as Error).message}`);
  }
}

async function openInput(options: LoadOptions): Promise<Readable> {
  if (options.input === undefined) {
    if (!options.stdin) throw new ToteError('E_NO_STDIN', 'requested load from stdin, but stdin is empty');
    return options.stdin;
  }
  try {
    const st = await fs.stat(options.input);
    if (st.isDirectory()) throw new ToteError('E_LOAD_DIR', `${options.input} is a directory`, { hint: 'load takes an archive made by save' });
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') throw new SystemError('E_LOAD_MISSING', `open ${options.input}: no such file or directory`);
    throw e;
  }
  return createReadStream(options.input);
}

export async function loadArchive(config: ToteConfig, plan: UsernsPlan, options: LoadOptions = {}): Promise<LoadResult> {
  const reporter = options.reporter ?? silentReporter;
  const paths = storePaths(config);
  await fs.mkdir(paths.tmp, { recursive: true });
  await fs.mkdir(paths.layers, { recursive: true });
  const input = await openInput(options);
  const staging = new Staging(path.join(paths.tmp, `load-${randomBytes(8).toString('hex')}`));
  await fs.mkdir(staging.dir, { mode: 0o700 });
  const pending: ExtractedLayerFiles[] = [];
  let committed = false;
  try {
    await unpack(input, staging);
    let format: ArchiveFormat;
    let images: ImagePlan[];
    if (staging.has('manifest.json')) {
      format = 'docker-archive';
      images = await planDocker(staging, reporter);
    } else if (staging.has('index.json')) {
      format = 'oci-archive';
      images = await planOci(staging, reporter);
    } else {
      throw bad('no manifest.json or index.json: not a docker-archive or oci-archive');
    }
    if (images.length === 0) throw bad('the archive holds no image');

    const done = new Map<string, BroughtLayer>();
    const layersOf = new Map<ImagePlan, BroughtLayer[]>();
    for (const img of images) {
      const list: BroughtLayer[] = [];
      for (const l of img.layers) {
        const key = `${l.blobDigest} ${l.diffId}`;
        let p = done.get(key);
        if (!p) {
          p = await bringLayer(config, plan, staging, l, reporter);
          if (p.extracted) pending.push(p.extracted);
          done.set(key, p);
        }
        list.push(p);
      }
      layersOf.set(img, list);
    }

    // Everything verified: make it visible.
    const now = new Date().toISOString();
    const newImages: NewImage[] = images.map((img) => {
      const layers = layersOf.get(img)!;
      // docker-archive carries no manifest: one is made for the uncompressed layers.
      const manifestBytes =
        img.manifest?.bytes ??
        Buffer.from(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: MediaType.ociManifest,
            config: { mediaType: MediaType.ociConfig, digest: img.configDigest, size: img.configBytes.length },
            layers: layers.map((l) => ({ mediaType: MediaType.ociLayer, digest: l.diffId, size: l.size })),
          } satisfies ImageManifest),
        );
      return {
        configBytes: img.configBytes,
        manifestBytes,
        record: {
          names: img.names,
          layers: img.imageConfig.rootfs.diff_ids,
          size: layers.reduce((a, l) => a + l.size, 0),
          created: img.imageConfig.created ?? now,
          stored: now,
        },
      };
    });
    await commitImages(config, plan, pending, newImages);
    committed = true;
    const loaded: LoadedImage[] = images.map((img) => ({ id: img.configDigest, names: img.names }));
    return { format, images: loaded };
  } catch (e) {
    input.destroy();
    if (!committed) await discardLayers(config, plan, pending);
    throw e;
  } finally {
    await fs.rm(staging.dir, { recursive: true, force: true }).catch(() => undefined);
  }
}
