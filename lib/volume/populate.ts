/**
 * docker's copy-up: a new (empty) volume mounted on a path the image has
 * content at gets that content, with ownership, modes and xattrs.
 *
 * The path is resolved in the image's layers from the host, symlinks
 * followed inside the image only (a layer cannot point tote at a host file);
 * the copy itself applies, bottom layer first, each layer's directory at
 * that path onto the volume, inside the user namespace (the files belong to
 * subordinate ids) with the vfs driver's layer-apply code, so whiteouts and
 * opaque directories are honoured as overlay would.
 */
import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import type { ToteConfig } from '../config/index.js';
import { ToteError, errnoCode } from '../errors/index.js';
import { OPAQUE_XATTR, populateVfsRootfs, xattrLib } from '../storage/index.js';
import type { UsernsPlan } from '../userns/index.js';

const MAX_SYMLINKS = 40;

async function lstatIn(p: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(p);
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new ToteError('E_VOLUME_POPULATE', `reading the image at ${p}: ${(e as Error).message}`);
  }
}

async function isOpaque(dir: string): Promise<boolean> {
  try {
    const v = await xattrLib().getAttribute(dir, OPAQUE_XATTR);
    return v !== null && v.toString() === 'y';
  } catch {
    return false;
  }
}

const isWhiteout = (st: Stats) => st.isCharacterDevice() && st.rdev === 0;

/**
 * Where `target` is a directory in the image: its path with symlinks
 * resolved inside the image, and the layers (top first) that contribute to
 * it. undefined when the image has no directory there.
 */
export async function findImageDirectory(
  layersTopFirst: string[],
  target: string,
): Promise<{ path: string; layers: string[] } | undefined> {
  let pending = path.posix.normalize('/' + target).split('/').filter(Boolean);
  let hops = 0;
  restart: for (;;) {
    let visible = [...layersTopFirst];
    const done: string[] = [];
    while (pending.length > 0) {
      const name = pending[0];
      if (name === '..') {
        // Go back up from the root: re-resolve the parent from scratch.
        pending = [...done.slice(0, -1), ...pending.slice(1)];
        continue restart;
      }
      const rel = [...done, name].join('/');
      const next: string[] = [];
      let link: string | undefined;
      let other = false;
      for (const layer of visible) {
        const st = await lstatIn(path.join(layer, rel));
        if (!st) continue;
        if (isWhiteout(st)) break;
        if (st.isDirectory()) {
          next.push(layer);
          if (await isOpaque(path.join(layer, rel))) break;
          continue;
        }
        // A non-directory hides everything below it; under a directory it is itself hidden.
        if (next.length === 0) {
          if (st.isSymbolicLink()) link = await fs.readlink(path.join(layer, rel));
          else other = true;
        }
        break;
      }
      if (link !== undefined) {
        if (++hops > MAX_SYMLINKS) return undefined;
        const base = link.startsWith('/') ? [] : done;
        pending = [...base, ...link.split('/').filter((p) => p && p !== '.'), ...pending.slice(1)];
        continue restart;
      }
      if (other || next.length === 0) return undefined;
      visible = next;
      done.push(name);
      pending = pending.slice(1);
    }
    if (done.length === 0) return { path: '/', layers: visible };
    return { path: '/' + done.join('/'), layers: visible };
  }
}

async function isEmptyDir(dir: string): Promise<boolean> {
  try {
    return (await fs.readdir(dir)).length === 0;
  } catch {
    return false; // unreadable: not ours to fill
  }
}

/**
 * Copies the image's content at `target` into the volume directory `dest`
 * if `dest` is empty and the image has a directory there. Returns whether
 * anything was copied.
 */
export async function populateFromImage(
  config: ToteConfig,
  plan: UsernsPlan,
  layersTopFirst: string[],
  target: string,
  dest: string,
): Promise<boolean> {
  if (!(await isEmptyDir(dest))) return false;
  const found = await findImageDirectory(layersTopFirst, target);
  if (!found) return false;
  const rel = found.path.replace(/^\/+/, '');
  await populateVfsRootfs(
    config,
    plan,
    found.layers.map((l) => path.join(l, rel)),
    dest,
  );
  return true;
}
