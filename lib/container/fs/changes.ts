/**
 * `tote diff`: the changes recorded in a container's overlay upper dir, in
 * docker's form and order (archive.OverlayChanges: a depth-first walk in
 * name order; a whiteout is D, a path no lower layer has is A, anything else
 * C; a directory that only exists because something below it changed is
 * left out unless it differs, but the parent of an A or D is always listed).
 *
 * computeChanges runs inside the user namespace (the upper dir belongs to
 * subordinate ids); formatChanges is for the CLI.
 */
import { promises as fs, type Stats } from 'node:fs';
import { OPAQUE_XATTR, xattrLib } from '../../storage/index.js';
import { joinRoot } from './resolve.js';
import { lstatOrUndefined } from './lstat.js';

export type ChangeKind = 'A' | 'C' | 'D';

export interface Change {
  kind: ChangeKind;
  path: string;
}


async function isOpaque(abs: string): Promise<boolean> {
  try {
    const v = await xattrLib().getAttribute(abs, OPAQUE_XATTR);
    return v !== null && v.toString() === 'y';
  } catch {
    return false;
  }
}

/**
 * What the lower layers (top first) have at `rel`: undefined when no layer
 * has it, or a whiteout / opaque directory above hides it.
 */
export async function lowerStat(lowers: string[], rel: string): Promise<Stats | undefined> {
  const parts = rel.split('/');
  for (const layer of lowers) {
    // A whiteout or an opaque dir on the way down in this layer hides older layers.
    let hidden = false;
    for (let i = 1; i < parts.length; i++) {
      const st = await lstatOrUndefined(joinRoot(layer, parts.slice(0, i).join('/')));
      if (!st) break;
      if (st.isCharacterDevice() && st.rdev === 0) return undefined;
      if (!st.isDirectory()) break;
      if (await isOpaque(joinRoot(layer, parts.slice(0, i).join('/')))) hidden = true;
    }
    const st = await lstatOrUndefined(joinRoot(layer, rel));
    if (st) return st.isCharacterDevice() && st.rdev === 0 ? undefined : st;
    if (hidden) return undefined;
  }
  return undefined;
}

function sameDir(a: Stats, b: Stats, ignoreTimes = false): boolean {
  if (ignoreTimes) return a.mode === b.mode && a.uid === b.uid && a.gid === b.gid;
  return a.mode === b.mode && a.size === b.size && Math.floor(a.mtimeMs) === Math.floor(b.mtimeMs);
}

/** Changes in `upper` relative to `lowers` (top layer first). */
export async function computeChanges(upper: string, lowers: string[], exclude: ReadonlySet<string> = new Set()): Promise<Change[]> {
  const changes: Change[] = [];
  const changedDirs = new Set<string>();
  // Directories whose only news may be an excluded mount point: their mtime says nothing.
  const relaxed = new Set<string>();
  for (const x of exclude) {
    const st = await lstatOrUndefined(joinRoot(upper, x));
    if (st?.isFile() && st.size === 0 && !(await lowerStat(lowers, x))) relaxed.add(x.includes('/') ? x.slice(0, x.lastIndexOf('/')) : '');
  }
  const walk = async (rel: string): Promise<void> => {
    const names = (await fs.readdir(joinRoot(upper, rel))).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const name of names) {
      const childRel = rel === '' ? name : `${rel}/${name}`;
      const abs = joinRoot(upper, childRel);
      const st = await lstatOrUndefined(abs);
      if (!st) continue;
      if (exclude.has(childRel) && st.isFile() && st.size === 0) continue;
      const p = `/${childRel}`;
      let kind: ChangeKind | undefined;
      if (st.isCharacterDevice() && st.rdev === 0) kind = 'D';
      else {
        const lower = await lowerStat(lowers, childRel);
        if (!lower) kind = 'A';
        else if (st.isDirectory() && lower.isDirectory() && sameDir(st, lower, relaxed.has(childRel)) && !(await isOpaque(abs))) kind = undefined;
        else kind = 'C';
      }
      // docker returns early for an unchanged directory: it is not marked changed.
      if (st.isDirectory() && kind) changedDirs.add(p);
      if (kind === 'A' || kind === 'D') {
        const parent = rel === '' ? '/' : `/${rel}`;
        if (parent !== '/' && !changedDirs.has(parent)) {
          changes.push({ kind: 'C', path: parent });
          changedDirs.add(parent);
        }
      }
      if (kind) changes.push({ kind, path: p });
      if (st.isDirectory()) await walk(childRel);
    }
  };
  await walk('');
  return changes;
}

export function formatChanges(changes: Change[]): string[] {
  return changes.map((c) => `${c.kind} ${c.path}`);
}
