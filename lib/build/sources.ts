/**
 * Where COPY/ADD read from: the build context (a directory, filtered by
 * .dockerignore, never left through `..` or a symlink) or an image's layers
 * (`--from=stage|image`, a merged read-only view: the topmost layer that has
 * a path wins, whiteouts hide it, opaque directories stop the lookup).
 */
import { createReadStream, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import * as dockerignore from '@balena/dockerignore';
import { ToteError } from '../errors/index.js';
import { OPAQUE_MARKER, OPAQUE_XATTR, WHITEOUT_PREFIX, xattrLib } from '../storage/index.js';

export interface SourceFs {
  /** For messages: "build context" or "image busybox". */
  readonly label: string;
  /** `..`/absolute symlinks leaving the root: refused (context) or clamped to the root (images, as docker). */
  readonly refuseEscape: boolean;
  lstat(rel: string): Promise<Stats | undefined>;
  readdir(rel: string): Promise<string[]>;
  readlink(rel: string): Promise<string>;
  open(rel: string): Promise<Readable>;
  readFile(rel: string): Promise<Buffer>;
  /** .dockerignore: excluded paths do not exist for COPY. */
  ignored(rel: string): boolean;
}

export class OutsideContextError extends ToteError {
  constructor(src: string) {
    super('E_BUILD_OUTSIDE_CONTEXT', `forbidden path outside the build context: ${src}`, {
      hint: 'COPY and ADD can only read files inside the context directory (no "..", no symlinks pointing out of it)',
    });
  }
}

/** docker's .dockerignore lines: comments and blank lines dropped, paths cleaned. */
export function parseDockerignore(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

export function makeIgnore(patterns: string[]): (rel: string) => boolean {
  if (patterns.length === 0) return () => false;
  // CommonJS: the factory is the module itself, or its `default`.
  const mod = dockerignore as unknown as { default: ((o?: object) => { add(p: string[]): { ignores(p: string): boolean } }) & { default?: unknown } };
  const factory = (typeof mod.default.default === 'function' ? mod.default.default : mod.default) as typeof mod.default;
  const ig = factory().add(patterns);
  return (rel) => rel !== '' && ig.ignores(rel);
}

async function lstatOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(p);
  } catch {
    return undefined;
  }
}

export async function contextFs(dir: string): Promise<SourceFs> {
  const root = path.resolve(dir);
  let patterns: string[] = [];
  try {
    patterns = parseDockerignore(await fs.readFile(path.join(root, '.dockerignore'), 'utf8'));
  } catch {
    // No .dockerignore.
  }
  const ignored = makeIgnore(patterns);
  const abs = (rel: string) => path.join(root, rel);
  return {
    label: 'build context',
    refuseEscape: true,
    lstat: (rel) => lstatOrUndefined(abs(rel)),
    readdir: async (rel) => (await fs.readdir(abs(rel))).sort(),
    readlink: (rel) => fs.readlink(abs(rel)),
    open: async (rel) => createReadStream(abs(rel)),
    readFile: (rel) => fs.readFile(abs(rel)),
    ignored,
  };
}

/** A merged view of an image's layers (bottom first), read from the host side. */
export function layersFs(label: string, layerDirsBottomFirst: string[]): SourceFs {
  const top = [...layerDirsBottomFirst].reverse();
  const isWhiteout = (st: Stats) => st.isCharacterDevice() && st.rdev === 0;
  const opaque = async (p: string) => {
    if (await lstatOrUndefined(path.join(p, OPAQUE_MARKER))) return true;
    try {
      const v = xattrLib().getAttributeSync(p, OPAQUE_XATTR);
      if (v && v.toString() === 'y') return true;
    } catch {
      // No such attribute, or no xattr support: the marker file is enough.
    }
    return false;
  };
  const find = async (rel: string): Promise<{ p: string; st: Stats } | undefined> => {
    const parts = rel.split('/').filter(Boolean);
    for (const dir of top) {
      const p = path.join(dir, ...parts);
      const st = await lstatOrUndefined(p);
      if (st) return isWhiteout(st) ? undefined : { p, st };
      // A whiteout of the name, or an opaque parent, hides the lower layers.
      const wh = await lstatOrUndefined(path.join(dir, ...parts.slice(0, -1), WHITEOUT_PREFIX + (parts.at(-1) ?? '')));
      if (wh) return undefined;
      if (parts.length > 1 && (await lstatOrUndefined(path.join(dir, ...parts.slice(0, -1)))) && (await opaque(path.join(dir, ...parts.slice(0, -1))))) return undefined;
    }
    return undefined;
  };
  const must = async (rel: string) => {
    const f = await find(rel);
    if (!f) throw new ToteError('E_BUILD_SOURCE', `${rel}: no such file or directory in ${label}`);
    return f;
  };
  return {
    label,
    refuseEscape: false,
    lstat: async (rel) => (await find(rel))?.st,
    readdir: async (rel) => {
      const names = new Set<string>();
      const hidden = new Set<string>();
      for (const dir of top) {
        const p = path.join(dir, rel);
        const st = await lstatOrUndefined(p);
        if (!st) continue;
        if (!st.isDirectory()) break;
        for (const n of await fs.readdir(p).catch(() => [] as string[])) {
          if (n === OPAQUE_MARKER) continue;
          if (n.startsWith(WHITEOUT_PREFIX)) {
            hidden.add(n.slice(WHITEOUT_PREFIX.length));
            continue;
          }
          const cst = await lstatOrUndefined(path.join(p, n));
          if (cst && isWhiteout(cst)) hidden.add(n);
          else if (!hidden.has(n)) names.add(n);
        }
        if (await opaque(p)) break;
      }
      return [...names].sort();
    },
    readlink: async (rel) => fs.readlink((await must(rel)).p),
    open: async (rel) => createReadStream((await must(rel)).p),
    readFile: async (rel) => fs.readFile((await must(rel)).p),
    ignored: () => false,
  };
}

/**
 * Follows symlinks in `rel` inside the source's root. The last component is
 * followed too when `followLast`. Returns the resolved relative path.
 */
export async function resolveScoped(sfs: SourceFs, rel: string, followLast: boolean, original = rel): Promise<string> {
  let parts = rel.split('/').filter(Boolean);
  const done: string[] = [];
  let hops = 0;
  while (parts.length > 0) {
    const p = parts.shift()!;
    if (p === '.') continue;
    if (p === '..') {
      if (done.length === 0) {
        if (sfs.refuseEscape) throw new OutsideContextError(original);
        continue;
      }
      done.pop();
      continue;
    }
    const cand = [...done, p].join('/');
    const st = await sfs.lstat(cand);
    if (st?.isSymbolicLink() && (parts.length > 0 || followLast)) {
      if (++hops > 40) throw new ToteError('E_BUILD_SYMLINK_LOOP', `too many levels of symbolic links: ${original}`);
      const target = await sfs.readlink(cand);
      if (target.startsWith('/')) {
        if (sfs.refuseEscape) throw new OutsideContextError(original);
        done.length = 0;
      }
      parts = [...target.split('/').filter(Boolean), ...parts];
      continue;
    }
    done.push(p);
  }
  return done.join('/');
}

/** Cleans a source argument; `..` leaving the root is refused in the context. */
export function cleanSource(sfs: SourceFs, src: string): string {
  const norm = path.posix.normalize('/' + src.replace(/^\/+/, '')).slice(1);
  const lexical = path.posix.normalize(src.replace(/^\/+/, '') || '.');
  if (sfs.refuseEscape && (lexical === '..' || lexical.startsWith('../'))) throw new OutsideContextError(src);
  return norm.replace(/\/+$/, '');
}

export function hasGlob(s: string): boolean {
  return /[*?[]/.test(s);
}

/** Go's filepath.Match for one path (segments must match one to one). */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('^') || cls.startsWith('!')) cls = '^' + cls.slice(1);
      re += '[' + cls.replace(/\\/g, '\\\\') + ']';
      i = end;
    } else if (c === '\\' && i + 1 < pattern.length) re += '\\' + pattern[++i];
    else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp('^' + re + '$');
}

/** Paths (relative) matching a glob, walking only as deep as the pattern. */
export async function expandGlob(sfs: SourceFs, pattern: string): Promise<string[]> {
  const segs = pattern.split('/').filter(Boolean);
  let current = [''];
  for (let n = 0; n < segs.length; n++) {
    const seg = segs[n];
    const next: string[] = [];
    for (const base of current) {
      if (!hasGlob(seg)) {
        const cand = base ? `${base}/${seg}` : seg;
        if (await sfs.lstat(cand)) next.push(cand);
        continue;
      }
      const st = await sfs.lstat(base);
      if (base !== '' && !st?.isDirectory()) continue;
      const re = globToRegExp(seg);
      for (const name of await sfs.readdir(base).catch(() => [] as string[])) {
        if (re.test(name)) next.push(base ? `${base}/${name}` : name);
      }
    }
    current = next;
  }
  return current.filter((p) => !sfs.ignored(p));
}
