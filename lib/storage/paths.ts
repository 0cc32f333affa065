/** Where each kind of object lives under the data directory. */
import path from 'node:path';
import type { ToteConfig } from '../config/index.js';

export interface StorePaths {
  root: string;
  blobs: string;
  layers: string;
  tmp: string;
  images: string;
  containers: string;
  lock: string;
}

export function storePaths(config: ToteConfig): StorePaths {
  const root = config.dataDir;
  return {
    root,
    blobs: path.join(root, 'blobs', 'sha256'),
    layers: path.join(root, 'layers'),
    tmp: path.join(root, 'tmp'),
    images: path.join(root, 'images.json'),
    containers: path.join(root, 'containers'),
    lock: path.join(root, 'store.lock'),
  };
}

export function layerDir(config: ToteConfig, diffId: string): string {
  return path.join(storePaths(config).layers, hexOf(diffId));
}

/** `sha256:abc…` → `abc…`, after checking it is a well-formed digest. */
export function hexOf(digest: string): string {
  const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!m) throw new Error(`malformed digest: ${digest}`);
  return m[1];
}
