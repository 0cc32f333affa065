/**
 * Path resolution inside a container root, as if the process were chrooted
 * there: every component is looked at with lstat, symlinks are expanded by
 * hand, an absolute link target starts again at the container root and `..`
 * never climbs above it. Nothing here ever follows a link through the host's
 * view of the filesystem.
 *
 * Runs wherever the root's files are readable: inside the user namespace for
 * a container, or on the host for tests.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { errnoCode, ToteError } from '../../errors/index.js';

/** The kernel's own limit for symlinks in one lookup. */
export const MAX_SYMLINKS = 40;

/** `root` + a relative path ('' is the root itself, as `root/`). */
export function joinRoot(root: string, rel: string): string {
  // The root itself keeps a trailing slash: /proc/PID/root is a magic link,
  // and lstat must see the directory it leads to.
  if (rel === '') return root.endsWith('/') ? root : `${root}/`;
  return root === '/' ? `/${rel}` : `${root.replace(/\/+$/, '')}/${rel}`;
}

/**
 * Resolves `p` (absolute or relative: both start at the root) inside `root`
 * and returns the path relative to the root ('' = the root). Symlinks in
 * intermediate components are always followed within the root; the final
 * component only when `followFinal` (a trailing `/` or `/.` makes the last
 * name non-final, so a link to a directory is followed, as docker does).
 * Components that do not exist are kept lexically.
 */
export async function resolveInRoot(root: string, p: string, followFinal: boolean): Promise<string> {
  const queue = p.split('/');
  let cur: string[] = [];
  let links = 0;
  while (queue.length > 0) {
    const c = queue.shift()!;
    if (c === '' || c === '.') continue;
    if (c === '..') {
      cur.pop();
      continue;
    }
    const next = [...cur, c];
    if (queue.length === 0 && !followFinal) {
      cur = next;
      continue;
    }
    const abs = joinRoot(root, next.join('/'));
    let isLink = false;
    try {
      isLink = (await fs.lstat(abs)).isSymbolicLink();
    } catch (e) {
      const code = errnoCode(e);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
    }
    if (!isLink) {
      cur = next;
      continue;
    }
    if (++links > MAX_SYMLINKS) {
      throw new ToteError('E_CP_LOOP', `too many levels of symbolic links resolving ${p}`);
    }
    const target = await fs.readlink(abs);
    if (target.startsWith('/')) cur = [];
    queue.unshift(...target.split('/'));
  }
  return cur.join('/');
}

/** Lexically cleaned absolute container path (`a/../b/` → `/b`). */
export function cleanContainerPath(p: string): string {
  return path.posix.resolve('/', p);
}

/** docker: a trailing `/` or `/.` on a source asks for a directory (and follows a final link). */
export function hasTrailingSeparator(p: string): boolean {
  return p.endsWith('/') || p.endsWith('/.') || p === '.';
}

/** docker: SRC ending in `/.` copies the directory's contents, not the directory. */
export function isContentsOnly(p: string): boolean {
  return p === '.' || p.endsWith('/.');
}
