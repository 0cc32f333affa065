/**
 * The metadata files of image archives, as pure functions:
 * docker-archive (`docker save`: manifest.json, repositories, `<id>.json`,
 * layer tars) and oci-archive (an OCI image layout: oci-layout, index.json,
 * blobs/sha256/…). Generation for `save`, validated parsing for `load`.
 */
import path from 'node:path';
import { SystemError } from '../../errors/index.js';
import type { Descriptor } from '../types.js';
import { familiarRepository, splitName } from '../reference.js';

export type ArchiveFormat = 'docker-archive' | 'oci-archive';
export const ARCHIVE_FORMATS: ArchiveFormat[] = ['docker-archive', 'oci-archive'];

/** One entry of docker-archive's manifest.json. */
export interface DockerManifestEntry {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
}

/** Annotation docker (containerd) writes with the full image name. */
export const ANNOTATION_IMAGE_NAME = 'io.containerd.image.name';
/** The OCI annotation: docker writes the tag, other tools the full name. */
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';
export const OCI_LAYOUT = { imageLayoutVersion: '1.0.0' } as const;
export const OCI_INDEX_MEDIA_TYPE = 'application/vnd.oci.image.index.v1+json';

function bad(message: string): SystemError {
  return new SystemError('E_ARCHIVE_INVALID', message, { hint: 'the archive is damaged or not made by docker save, podman save or tote save' });
}

/**
 * An archive member's path, normalised; null for one that would leave the
 * archive (absolute, `..`) or is empty.
 */
export function memberPath(name: string): string | null {
  const stripped = name.replace(/^(\.\/)+/, '');
  if (stripped === '' || stripped.startsWith('/')) return null;
  const norm = path.posix.normalize(stripped).replace(/\/+$/, '');
  if (norm === '.' || norm === '..' || norm.startsWith('../')) return null;
  return norm;
}

/** Where a symlink member `link` pointing at `target` leads, inside the archive; null when it leaves it. */
export function resolveLink(link: string, target: string): string | null {
  if (target.startsWith('/')) return memberPath(target);
  return memberPath(path.posix.join(path.posix.dirname(link), target));
}

/** Docker's RepoTags form of a stored name: `docker.io/library/busybox:latest` → `busybox:latest`. */
export function repoTag(name: string): string {
  const { repository, tag } = splitName(name);
  return `${familiarRepository(repository)}:${tag}`;
}

export function dockerManifestJson(entries: DockerManifestEntry[]): string {
  return JSON.stringify(entries);
}

/** The legacy `repositories` file: familiar repository → tag → top layer id. */
export function repositoriesJson(entries: Array<{ repoTags: string[]; topLayer?: string }>): string {
  const repos: Record<string, Record<string, string>> = {};
  for (const e of entries) {
    if (!e.topLayer) continue;
    for (const t of e.repoTags) {
      const colon = t.lastIndexOf(':');
      const repo = colon > t.lastIndexOf('/') ? t.slice(0, colon) : t;
      const tag = colon > t.lastIndexOf('/') ? t.slice(colon + 1) : 'latest';
      (repos[repo] ??= {})[tag] = e.topLayer;
    }
  }
  return JSON.stringify(repos);
}

export function parseDockerManifest(text: string): DockerManifestEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw bad(`manifest.json is not valid JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw bad('manifest.json is not a list of images');
  return parsed.map((raw, i) => {
    const e = raw as Partial<Record<keyof DockerManifestEntry, unknown>>;
    if (!e || typeof e !== 'object' || typeof e.Config !== 'string') throw bad(`manifest.json entry ${i}: no Config`);
    if (!Array.isArray(e.Layers) || !e.Layers.every((l) => typeof l === 'string')) throw bad(`manifest.json entry ${i}: Layers is not a list of paths`);
    if (e.RepoTags != null && (!Array.isArray(e.RepoTags) || !e.RepoTags.every((t) => typeof t === 'string'))) {
      throw bad(`manifest.json entry ${i}: RepoTags is not a list of names`);
    }
    const config = memberPath(e.Config);
    if (!config) throw bad(`manifest.json entry ${i}: config path ${JSON.stringify(e.Config)} leaves the archive`);
    const layers = (e.Layers as string[]).map((l) => {
      const p = memberPath(l);
      if (!p) throw bad(`manifest.json entry ${i}: layer path ${JSON.stringify(l)} leaves the archive`);
      return p;
    });
    return { Config: config, RepoTags: (e.RepoTags as string[] | null | undefined) ?? null, Layers: layers };
  });
}

/** An image in an OCI index: its manifest and the full name it was saved as (if any). */
export interface OciIndexEntry {
  manifest: Descriptor;
  /** Full name, `docker.io/library/busybox:latest`. */
  name?: string;
}

export function ociIndexJson(entries: OciIndexEntry[]): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX_MEDIA_TYPE,
    manifests: entries.map((e) => {
      const annotations: Record<string, string> = {};
      if (e.name) {
        annotations[ANNOTATION_IMAGE_NAME] = e.name;
        annotations[ANNOTATION_REF_NAME] = splitName(e.name).tag;
      }
      return {
        mediaType: e.manifest.mediaType,
        digest: e.manifest.digest,
        size: e.manifest.size,
        ...(Object.keys(annotations).length ? { annotations } : {}),
      };
    }),
  });
}

export interface ParsedIndexEntry extends Descriptor {
  platform?: { os: string; architecture: string; variant?: string };
  /** A name usable as an image reference (full or familiar), if the entry carries one. */
  name?: string;
}

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

/**
 * The entries of an index.json. The name comes from docker's
 * `io.containerd.image.name`, else `org.opencontainers.image.ref.name` when
 * it is a whole reference (podman, skopeo); a bare tag alone names nothing.
 */
export function parseOciIndex(text: string, what = 'index.json'): ParsedIndexEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw bad(`${what} is not valid JSON: ${(e as Error).message}`);
  }
  const manifests = (parsed as { manifests?: unknown })?.manifests;
  if (!parsed || typeof parsed !== 'object' || !Array.isArray(manifests)) throw bad(`${what} has no manifests list`);
  return manifests.map((raw, i) => {
    const d = raw as Partial<ParsedIndexEntry>;
    if (!d || typeof d.digest !== 'string' || !DIGEST_RE.test(d.digest)) throw bad(`${what} entry ${i}: missing or unsupported digest`);
    if (typeof d.size !== 'number') throw bad(`${what} entry ${i}: no size`);
    const a = d.annotations ?? {};
    const refName = a[ANNOTATION_REF_NAME];
    const name = a[ANNOTATION_IMAGE_NAME] ?? (refName && /[/:]/.test(refName) ? refName : undefined);
    return { ...d, mediaType: d.mediaType ?? '', digest: d.digest, size: d.size, ...(name ? { name } : {}) } as ParsedIndexEntry;
  });
}

/** Path of a blob in an OCI layout. */
export function ociBlobPath(digest: string): string {
  if (!DIGEST_RE.test(digest)) throw bad(`unsupported digest ${JSON.stringify(digest)}`);
  return `blobs/sha256/${digest.slice(7)}`;
}
