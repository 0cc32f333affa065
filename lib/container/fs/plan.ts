/**
 * docker cp's rules, as pure functions: which side is the container, and
 * where a copy lands (DEST exists or not, is a directory or a file, SRC ends
 * in `/.`), so both directions share one implementation.
 */
import path from 'node:path';
import { ToteError, UsageError } from '../../errors/index.js';

export interface CpArg {
  /** Container name or id; undefined for a host path (or `-`). */
  container?: string;
  path: string;
}

/** docker's splitCpArg: `CTR:PATH`, but an absolute path or one starting with `.` is local. */
export function parseCpArg(arg: string): CpArg {
  if (arg.startsWith('/')) return { path: arg };
  const i = arg.indexOf(':');
  if (i < 0 || arg.startsWith('.')) return { path: arg };
  return { container: arg.slice(0, i), path: arg.slice(i + 1) };
}

export function parseCpArgs(src: string, dest: string): { src: CpArg; dest: CpArg } {
  const s = parseCpArg(src);
  const d = parseCpArg(dest);
  if (s.container !== undefined && d.container !== undefined) throw new UsageError('copying between containers is not supported');
  if (s.container === undefined && d.container === undefined) {
    throw new UsageError('must specify at least one container source', 'use CONTAINER:SRC_PATH DEST_PATH or SRC_PATH CONTAINER:DEST_PATH');
  }
  for (const a of [s, d]) {
    if (a.container !== undefined && a.container === '') throw new UsageError('container name or id must not be empty');
    if (a.container !== undefined && a.path === '') throw new UsageError(`no path given for container ${a.container}`);
  }
  return { src: s, dest: d };
}

export interface CopySource {
  isDir: boolean;
  /** Name of the top entry in the archive (the source's base name; '' for a root, whose archive has no top entry). */
  base: string;
  /** SRC ended in `/.`: copy what is in the directory. */
  contentsOnly: boolean;
}

export interface CopyDest {
  /** As given (host path, or container path). */
  path: string;
  exists: boolean;
  isDir: boolean;
}

export interface CopyPlan {
  /** Existing directory to extract into. */
  dir: string;
  /** Rename of the archive's top entry: `to` '' strips it (its contents land in `dir`). */
  rename: { from: string; to: string };
}

export function copyError(message: string): ToteError {
  return new ToteError('E_CP', message, { exitCode: 1 });
}

/** Where a copy of `src` to `dst` lands (docker's PrepareArchiveCopy). */
export function planCopy(src: CopySource, dst: CopyDest): CopyPlan {
  const trailing = dst.path.endsWith('/') || dst.path.endsWith('/.');
  if (dst.exists && dst.isDir) {
    return { dir: dst.path, rename: { from: src.base, to: src.isDir && src.contentsOnly ? '' : src.base } };
  }
  if (dst.exists) {
    if (src.isDir) throw copyError(`cannot copy a directory to a file: ${dst.path} is not a directory`);
    if (trailing) throw copyError(`${dst.path}: not a directory`);
    return { dir: parentDir(dst.path), rename: { from: src.base, to: baseName(dst.path) } };
  }
  if (trailing && !src.isDir) throw copyError(`destination directory ${dst.path} must exist: no such directory`);
  return { dir: parentDir(dst.path), rename: { from: src.base, to: baseName(dst.path) } };
}

/** Base name ignoring trailing separators and `/.` (`/` for the root). */
export function baseName(p: string): string {
  const stripped = p.replace(/(\/\.?)+$/, '');
  if (stripped === '' || stripped === '.') return p.startsWith('/') ? '/' : '.';
  return path.posix.basename(stripped);
}

export function parentDir(p: string): string {
  const stripped = p.replace(/(\/\.?)+$/, '');
  if (stripped === '') return '/';
  return path.posix.dirname(stripped);
}

/** Applies a plan's rename to a cleaned archive name; undefined = skip the entry. */
export function renameEntry(name: string, rename: { from: string; to: string } | undefined): string | undefined {
  if (!rename || rename.from === rename.to) return name;
  // A source that is the root itself: its archive has no top entry.
  if (rename.from === '') return rename.to === '' ? name : `${rename.to}/${name}`;
  if (name === rename.from) return rename.to === '' ? undefined : rename.to;
  if (name.startsWith(`${rename.from}/`)) {
    const rest = name.slice(rename.from.length + 1);
    return rename.to === '' ? rest : `${rename.to}/${rest}`;
  }
  return name;
}
