/**
 * Image references, normalised as docker does: `busybox` is
 * `docker.io/library/busybox:latest`; short names never prompt.
 */
import { parseFamiliarName } from '@swimlane/docker-reference';
import { UsageError } from '../errors/index.js';

export interface ImageReference {
  /** `docker.io/library/busybox` */
  repository: string;
  tag?: string;
  digest?: string;
  /** Fully qualified form used as the stored name: `repo:tag` or `repo@digest`. */
  full: string;
}

export function parseReference(text: string): ImageReference {
  let ref;
  try {
    ref = parseFamiliarName(text);
  } catch (e) {
    throw new UsageError(`invalid reference format "${text}": ${(e as Error).message.replace(/^invalid reference format:?\s*/, '')}`);
  }
  const repository = `${ref.domain}/${ref.repository}`;
  const digest = ref.digest;
  const tag = ref.tag ?? (digest ? undefined : 'latest');
  const full = digest && !ref.tag ? `${repository}@${digest}` : `${repository}:${tag}${digest ? '@' + digest : ''}`;
  return { repository, tag, digest, full };
}

/** docker's familiar form: `docker.io/library/busybox` → `busybox`. */
export function familiarRepository(repository: string): string {
  if (repository.startsWith('docker.io/library/')) return repository.slice('docker.io/library/'.length);
  if (repository.startsWith('docker.io/')) return repository.slice('docker.io/'.length);
  return repository;
}

/** Splits a stored `repo:tag` name (the repo may contain a host:port). */
export function splitName(name: string): { repository: string; tag: string } {
  const at = name.indexOf('@');
  const base = at >= 0 ? name.slice(0, at) : name;
  const colon = base.lastIndexOf(':');
  if (colon > base.lastIndexOf('/')) return { repository: base.slice(0, colon), tag: base.slice(colon + 1) };
  return { repository: base, tag: '<none>' };
}

export function familiarName(name: string): string {
  const { repository, tag } = splitName(name);
  return `${familiarRepository(repository)}:${tag}`;
}
