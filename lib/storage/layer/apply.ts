/**
 * Applies one uncompressed OCI/docker layer tar to a directory.
 *
 * Runs in tote's own process (lib/storage/layer/extract.ts): as root, or
 * rootless as the user — container root — with `fixups` collecting what only
 * namespace root may do (fixups.ts). It can also run inside the user
 * namespace (cli/internal/apply-layer.ts), where a plain chown(uid, gid)
 * lands in the user's subuid range. The tar is read by tar-reader.ts, which
 * also records the tar-split when asked. Produces the
 * overlayfs form of a layer: whiteouts become 0/0 character devices and opaque
 * directories get `user.overlay.opaque=y` (the kernel reads that with `userxattr`).
 *
 * Safety rules (a layer is untrusted input):
 *  - names are cleaned lexically; absolute names are relative to the layer
 *    root, and a `..` that climbs above the root is rejected (E_LAYER_UNSAFE);
 *  - every parent directory of an entry is checked with lstat, one component
 *    at a time, and a symlink anywhere in the chain is rejected — whether an
 *    earlier entry planted it or it was already in targetDir;
 *  - files are created with O_CREAT|O_EXCL|O_NOFOLLOW after removing whatever
 *    was there, so the final component is never followed either;
 *  - hardlink targets pass the same checks and must already exist in the layer;
 *  - metadata deferred to the end (directory modes/times, whiteouts) is
 *    re-validated then, because later entries may have replaced the path.
 */
import { spawn } from 'node:child_process';
import fsSync, { constants as fsConstants, promises as fs, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import { errnoCode, isToteError, SystemError, ToteError } from '../../errors/index.js';
import type { Fixups } from './fixups.js';
import type { RawPaxHeaders } from './pax.js';
import { TarFormatError, TarReader } from './tar-reader.js';
import { writePiece } from './write-piece.js';
import type { TarSplitRecorder } from './tarsplit.js';

export interface ApplyStats {
  entries: number;
  files: number;
  dirs: number;
  symlinks: number;
  hardlinks: number;
  whiteouts: number;
  opaques: number;
  /** Character/block devices and fifos: not created (counted, reported at debug). */
  devicesSkipped: number;
  /** Bytes of regular-file content written. */
  bytes: number;
}

export interface ApplyOptions {
  onDebug?(msg: string): void;
  /**
   * Running outside the user namespace (rootless, in tote's own process):
   * what only namespace root may do — owners other than container root,
   * non-`user.` xattrs, whiteout devices — is recorded here, for
   * applyFixups() to do inside the namespace afterwards.
   */
  fixups?: Fixups;
  /** Records the tar-split (what rebuilds the exact tar from the extracted files). */
  split?: TarSplitRecorder;
  /** Gets back input chunks the applier is done with (see TarReader). */
  release?: (chunk: Buffer) => void;
}

export const OPAQUE_XATTR = 'user.overlay.opaque';
export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';

type XattrModule = typeof import('@napi-rs/xattr');
let xattrModule: XattrModule | undefined;
/** @napi-rs/xattr is CommonJS with a native binding: load it lazily through require. */
export function xattrLib(): XattrModule {
  if (!xattrModule) xattrModule = createRequire(import.meta.url)('@napi-rs/xattr') as XattrModule;
  return xattrModule;
}

/** @napi-rs/xattr reports errno only in the message: "… (os error N)". */
export function xattrErrno(e: unknown): number | undefined {
  const m = /\(os error (\d+)\)/.exec(e instanceof Error ? e.message : String(e));
  return m ? Number(m[1]) : undefined;
}

/** EPERM, EACCES, E2BIG, EINVAL, ENOSPC, ERANGE, ENODATA, EOPNOTSUPP: "not permitted here". */
const IGNORABLE_XATTR_ERRNOS = new Set([1, 13, 7, 22, 28, 34, 61, 95]);

export const ID_HINT = 'as root: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 your user';
const MAX_ID = 0xfffffffe;
const OPEN_FLAGS = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW;

interface DirMeta {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  atime: number | Date;
  mtime: number | Date;
}

interface EntryMeta {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  atime: number | Date;
  mtime: number | Date;
  xattrs: Array<[string, Buffer]>;
}

export function layerUnsafe(name: string, why: string): ToteError {
  return new ToteError('E_LAYER_UNSAFE', `unsafe layer entry "${name}": ${why}`, {
    hint: 'the image layer tries to write outside its directory; do not use this image',
  });
}

export function layerCorrupt(why: string, cause?: unknown): ToteError {
  return new ToteError('E_LAYER_CORRUPT', `corrupt layer tar: ${why}`, {
    hint: 'the layer blob is truncated or not a tar archive; remove the image and pull it again',
    cause,
  });
}

/**
 * Cleans a tar entry name to a path relative to the layer root ('' = the root).
 * Absolute names are taken as relative; `..` may not climb above the root.
 */
export function cleanEntryName(name: string): string {
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) throw layerUnsafe(name, 'path escapes the layer root');
      out.pop();
    } else out.push(part);
  }
  return out.join('/');
}

function parentOf(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}

function baseOf(rel: string): string {
  return rel.slice(rel.lastIndexOf('/') + 1);
}

function emptyStats(): ApplyStats {
  return { entries: 0, files: 0, dirs: 0, symlinks: 0, hardlinks: 0, whiteouts: 0, opaques: 0, devicesSkipped: 0, bytes: 0 };
}

export async function applyLayer(input: NodeJS.ReadableStream, targetDir: string, options: ApplyOptions = {}): Promise<ApplyStats> {
  const st = await fs.lstat(targetDir).catch(() => undefined);
  if (!st?.isDirectory()) throw new SystemError('E_LAYER_TARGET', `layer target is not a directory: ${targetDir}`);
  return new Applier(targetDir.replace(/\/+$/, '') || '/', options).run(input);
}

class Applier {
  private readonly stats = emptyStats();
  /** Relative paths known to be real directories (not symlinks). '' = root. */
  private readonly verified = new Set<string>(['']);
  private readonly dirMeta = new Map<string, DirMeta>();
  private readonly whiteouts: string[] = [];
  private xattrsIgnored = 0;
  private readonly debug: (msg: string) => void;
  private readonly fixups?: Fixups;
  private readonly split?: TarSplitRecorder;
  private readonly release?: (chunk: Buffer) => void;
  private reader!: TarReader;

  constructor(
    private readonly root: string,
    options: ApplyOptions,
  ) {
    this.debug = options.onDebug ?? (() => {});
    this.fixups = options.fixups;
    this.split = options.split;
    this.release = options.release;
  }

  private abs(rel: string): string {
    return rel === '' ? this.root : this.root === '/' ? `/${rel}` : `${this.root}/${rel}`;
  }

  async run(input: NodeJS.ReadableStream): Promise<ApplyStats> {
    this.reader = new TarReader(input as unknown as AsyncIterable<Buffer>, this.split, this.release);
    let current = '';
    try {
      for (;;) {
        let h: RawPaxHeaders | null;
        try {
          h = await this.reader.next();
        } catch (e) {
          throw this.readError(e);
        }
        if (!h) break;
        current = h.name;
        await this.entry(h);
      }
      current = '';
      await this.finish();
    } catch (e) {
      // Stop the producer: nobody reads the rest.
      (input as NodeJS.ReadableStream & { destroy?(): void }).destroy?.();
      if (isToteError(e)) throw e;
      const where = current ? `layer entry "${current}"` : 'finishing layer';
      throw new SystemError('E_LAYER_APPLY', `${where}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    if (this.xattrsIgnored) this.debug(`${this.xattrsIgnored} xattr(s) not permitted here and ignored`);
    return this.stats;
  }

  /**
   * A corrupt tar, and an error of the input stream (a truncated gzip,
   * say), are E_LAYER_CORRUPT; tote's own errors pass unchanged.
   */
  private readError(e: unknown): unknown {
    if (isToteError(e)) return e;
    if (e instanceof TarFormatError) return layerCorrupt(e.message, e);
    return layerCorrupt(e instanceof Error ? e.message : String(e), e);
  }

  /** Bodies of entries that are not stored are skipped by the reader's next(). */
  private async entry(h: RawPaxHeaders): Promise<void> {
    this.stats.entries++;
    const name = h.name;
    const rel = cleanEntryName(name);
    if (baseOf(rel).startsWith(WHITEOUT_PREFIX)) return this.whiteout(rel, name);
    switch (h.type) {
      case 'file':
      case 'contiguous-file':
        return this.file(h, rel, this.meta(h, 0o644));
      case 'directory':
        return this.directory(rel, this.meta(h, 0o755));
      case 'symlink':
        return this.symlink(rel, h.linkname ?? '', this.meta(h, 0o777));
      case 'link':
        return this.hardlink(rel, h.linkname ?? '', name);
      case 'character-device':
      case 'block-device':
      case 'fifo':
        this.stats.devicesSkipped++;
        this.debug(`skipped ${h.type} "${name}" (cannot be created in a rootless layer)`);
        return;
      default:
        this.debug(`skipped "${name}" of unsupported tar type ${String(h.type)}`);
    }
  }

  /** Header fields with PAX overrides (uid/gid/mtime/atime and raw xattrs). */
  private meta(h: RawPaxHeaders, defaultMode: number): EntryMeta {
    let uid = h.uid ?? 0;
    let gid = h.gid ?? 0;
    let mtime: number | Date = h.mtime ?? new Date(0);
    let atime: number | Date | undefined;
    const xattrs: Array<[string, Buffer]> = [];
    const addXattr = (key: string, value: Buffer) => {
      // Overlay's own attributes must come from whiteout markers, never from
      // the image; SELinux labels belong to the host's policy.
      if (/^(user|trusted)\.overlay\./.test(key) || key === 'security.selinux') {
        this.debug(`ignored xattr ${key} on "${h.name}"`);
        return;
      }
      xattrs.push([key, value]);
    };
    const records = h.paxRaw ?? Object.entries(h.pax ?? {}).map(([key, v]) => ({ key, value: Buffer.from(v, 'utf8') }));
    for (const { key, value } of records) {
      if (key.startsWith('SCHILY.xattr.')) addXattr(key.slice(13), value);
      else if (key.startsWith('LIBARCHIVE.xattr.')) {
        addXattr(decodeURIComponent(key.slice(17)), Buffer.from(value.toString('latin1'), 'base64'));
      } else if (key === 'uid') uid = Number(value.toString('latin1'));
      else if (key === 'gid') gid = Number(value.toString('latin1'));
      else if (key === 'mtime') mtime = parseFloat(value.toString('latin1'));
      else if (key === 'atime') atime = parseFloat(value.toString('latin1'));
    }
    if (!Number.isInteger(uid) || uid < 0 || uid > MAX_ID || !Number.isInteger(gid) || gid < 0 || gid > MAX_ID) {
      throw layerCorrupt(`entry "${h.name}" has an invalid owner ${uid}:${gid}`);
    }
    if (typeof mtime === 'number' && !Number.isFinite(mtime)) mtime = 0;
    if (typeof atime === 'number' && !Number.isFinite(atime)) atime = undefined;
    return { name: h.name, mode: (h.mode ?? defaultMode) & 0o7777, uid, gid, mtime, atime: atime ?? mtime, xattrs };
  }

  /**
   * Makes sure `relDir` is a real directory reached without symlinks,
   * creating missing ones (mode 0755, owned by the namespace root) if `create`.
   * Returns false when it is missing and `create` is false.
   */
  private async ensureDir(relDir: string, create: boolean, entryName: string): Promise<boolean> {
    if (this.verified.has(relDir)) return true;
    if (!(await this.ensureDir(parentOf(relDir), create, entryName))) return false;
    const abs = this.abs(relDir);
    let st: Stats | undefined = await lstatOrUndefined(abs);
    if (!st) {
      if (!create) return false;
      try {
        await fs.mkdir(abs, 0o755);
        this.verified.add(relDir);
        return true;
      } catch (e) {
        if (errnoCode(e) !== 'EEXIST') throw e;
        st = await fs.lstat(abs);
      }
    }
    if (st.isSymbolicLink()) throw layerUnsafe(entryName, `parent directory "${relDir}" is a symlink`);
    if (!st.isDirectory()) throw layerCorrupt(`entry "${entryName}": parent "${relDir}" is not a directory`);
    this.verified.add(relDir);
    return true;
  }

  /** Removes what is at `rel` (a whole tree for a directory) and forgets cached facts under it. */
  private async remove(rel: string, st: Stats): Promise<void> {
    this.split?.beforeRemove(rel, st.isDirectory());
    const abs = this.abs(rel);
    if (st.isDirectory()) {
      // fs.rm never follows symlinks inside the tree (it lstat()s).
      await fs.rm(abs, { recursive: true, force: true });
      this.forget(rel);
    } else {
      await fs.unlink(abs);
      this.forget(rel);
    }
  }

  private forget(rel: string): void {
    const prefix = `${rel}/`;
    // Deferred namespace-root work for what is gone (a later entry or a
    // whiteout replaced it) must not run: lchown would fail, or hit the new entry.
    if (this.fixups) {
      const gone = (p: string) => p === rel || p.startsWith(prefix);
      this.fixups.owners = this.fixups.owners.filter(([p]) => !gone(p));
      this.fixups.xattrs = this.fixups.xattrs.filter(([p]) => !gone(p));
    }
    this.verified.delete(rel);
    this.dirMeta.delete(rel);
    for (const k of this.verified) if (k.startsWith(prefix)) this.verified.delete(k);
    for (const k of this.dirMeta.keys()) if (k.startsWith(prefix)) this.dirMeta.delete(k);
  }

  /**
   * Sets the owner. Deferred (rootless, outside the namespace): container
   * root is who we already are, anything else is left to applyFixups, with
   * the mode (chown clears setuid/setgid) to set again after it.
   */
  private async chown(fn: () => Promise<void>, m: { name: string; uid: number; gid: number }, rel?: string, mode?: number | null): Promise<void> {
    if (this.fixups && rel !== undefined) {
      if (m.uid !== 0 || m.gid !== 0) this.fixups.owners.push([rel, m.uid, m.gid, mode ?? null]);
      return;
    }
    try {
      await fn();
    } catch (e) {
      if (errnoCode(e) === 'EINVAL') {
        throw new ToteError(
          'E_ID_NOT_MAPPED',
          `layer entry "${m.name}" is owned by uid ${m.uid} / gid ${m.gid}, which is not mapped in the user namespace`,
          { hint: ID_HINT, cause: e },
        );
      }
      throw e;
    }
  }

  private async setXattrs(abs: string, m: EntryMeta, rel?: string): Promise<void> {
    if (m.xattrs.length === 0) return;
    const x = xattrLib();
    for (const [key, value] of m.xattrs) {
      // Only `user.` attributes may be set by the owner outside the namespace
      // (security.capability needs namespace root, and chown would clear it).
      if (this.fixups && rel !== undefined && !key.startsWith('user.')) {
        this.fixups.xattrs.push([rel, key, value.toString('base64')]);
        continue;
      }
      try {
        await x.setAttribute(abs, key, value);
      } catch (e) {
        const errno = xattrErrno(e);
        if (errno === undefined || !IGNORABLE_XATTR_ERRNOS.has(errno)) throw e;
        this.xattrsIgnored++;
        this.debug(`xattr ${key} on "${m.name}" not set: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  private async file(h: RawPaxHeaders, rel: string, m: EntryMeta): Promise<void> {
    if (rel === '') throw layerCorrupt(`entry "${m.name}": a file cannot replace the layer root`);
    await this.ensureDir(parentOf(rel), true, m.name);
    const abs = this.abs(rel);
    // Synchronous fd calls on purpose: each of these syscalls takes ~1-2 µs
    // while a thread-pool round trip costs 20-50 µs — for small files the
    // async form was 2x slower. Large body pieces are the exception (write-piece.ts).
    let fd: number;
    try {
      fd = fsSync.openSync(abs, OPEN_FLAGS, 0o600);
    } catch (e) {
      if (errnoCode(e) !== 'EEXIST') throw e;
      await this.remove(rel, await fs.lstat(abs));
      fd = fsSync.openSync(abs, OPEN_FLAGS, 0o600);
    }
    try {
      const size = h.size ?? 0;
      let written = 0;
      this.reader.claim(rel);
      const it = this.reader.body();
      for (;;) {
        let r: IteratorResult<Buffer>;
        try {
          r = await it.next();
        } catch (e) {
          throw this.readError(e);
        }
        if (r.done) break;
        const buf = r.value;
        const pending = writePiece(fd, buf);
        if (pending) await pending;
        written += buf.length;
      }
      if (written !== size) throw layerCorrupt(`entry "${m.name}": ${written} of ${size} bytes`);
      this.stats.bytes += written;
      await this.chown(async () => fsSync.fchownSync(fd, m.uid, m.gid), m, rel, m.mode);
      // After chown: chown clears setuid/setgid.
      fsSync.fchmodSync(fd, m.mode);
      await this.setXattrs(abs, m, rel);
      fsSync.futimesSync(fd, m.atime, m.mtime);
    } finally {
      fsSync.closeSync(fd);
    }
    this.stats.files++;
  }

  private async directory(rel: string, m: EntryMeta): Promise<void> {
    if (rel !== '') {
      await this.ensureDir(parentOf(rel), true, m.name);
      const abs = this.abs(rel);
      let st = await lstatOrUndefined(abs);
      if (st && !st.isDirectory()) {
        await this.remove(rel, st);
        st = undefined;
      }
      // Owner-writable until the end: the final mode is applied after the children.
      if (!st) fsSync.mkdirSync(abs, 0o700);
      this.verified.add(rel);
    }
    await this.setXattrs(this.abs(rel), m, rel);
    this.dirMeta.set(rel, { name: m.name, mode: m.mode, uid: m.uid, gid: m.gid, atime: m.atime, mtime: m.mtime });
    this.stats.dirs++;
  }

  private async symlink(rel: string, target: string, m: EntryMeta): Promise<void> {
    if (rel === '') throw layerUnsafe(m.name, 'a symlink cannot replace the layer root');
    if (target === '') throw layerCorrupt(`symlink "${m.name}" has no target`);
    await this.ensureDir(parentOf(rel), true, m.name);
    const abs = this.abs(rel);
    // Synchronous, as for files: images hold hundreds of symlinks (busybox
    // applets), and two thread-pool round trips each dominated extraction.
    try {
      fsSync.symlinkSync(target, abs);
    } catch (e) {
      if (errnoCode(e) !== 'EEXIST') throw e;
      await this.remove(rel, fsSync.lstatSync(abs));
      fsSync.symlinkSync(target, abs);
    }
    await this.chown(async () => fsSync.lchownSync(abs, m.uid, m.gid), m, rel, null);
    // xattrs on symlinks: only trusted/security ones are possible; lsetxattr is used, never followed.
    await this.setXattrs(abs, m, rel);
    fsSync.lutimesSync(abs, m.atime, m.mtime);
    this.stats.symlinks++;
  }

  private async hardlink(rel: string, linkname: string, name: string): Promise<void> {
    if (rel === '') throw layerUnsafe(name, 'a hardlink cannot replace the layer root');
    if (linkname === '') throw layerCorrupt(`hardlink "${name}" has no target`);
    let target: string;
    try {
      target = cleanEntryName(linkname);
    } catch {
      throw layerUnsafe(name, `hardlink target "${linkname}" escapes the layer root`);
    }
    if (target === '') throw layerUnsafe(name, 'hardlink to the layer root');
    if (!(await this.ensureDir(parentOf(target), false, name))) {
      throw layerCorrupt(`hardlink "${name}": target "${linkname}" does not exist in the layer`);
    }
    const targetAbs = this.abs(target);
    const tst = await lstatOrUndefined(targetAbs);
    if (!tst) throw layerCorrupt(`hardlink "${name}": target "${linkname}" does not exist in the layer`);
    if (tst.isDirectory()) throw layerUnsafe(name, `hardlink target "${linkname}" is a directory`);
    if (target === rel) return;
    await this.ensureDir(parentOf(rel), true, name);
    const abs = this.abs(rel);
    try {
      // link(2) does not follow a symlink target: linking to a symlink links the symlink.
      await fs.link(targetAbs, abs);
    } catch (e) {
      if (errnoCode(e) !== 'EEXIST') throw e;
      const st = await fs.lstat(abs);
      if (st.ino === tst.ino && st.dev === tst.dev) return;
      await this.remove(rel, st);
      await fs.link(targetAbs, abs);
    }
    this.stats.hardlinks++;
  }

  private async whiteout(rel: string, name: string): Promise<void> {
    const dir = parentOf(rel);
    const base = baseOf(rel);
    await this.ensureDir(dir, true, name);
    if (base === OPAQUE_MARKER) {
      try {
        await xattrLib().setAttribute(this.abs(dir), OPAQUE_XATTR, Buffer.from('y'));
      } catch (e) {
        throw new SystemError('E_LAYER_XATTR', `cannot mark "${dir || '/'}" opaque (${OPAQUE_XATTR}): ${e instanceof Error ? e.message : String(e)}`, {
          hint: 'the storage filesystem must support user extended attributes (ext4, xfs, btrfs, tmpfs ≥ 6.6)',
          cause: e,
        });
      }
      this.stats.opaques++;
      return;
    }
    if (base.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) {
      this.debug(`ignored whiteout meta entry "${name}"`);
      return;
    }
    const victim = base.slice(WHITEOUT_PREFIX.length);
    if (victim === '' || victim === '.' || victim === '..') throw layerCorrupt(`invalid whiteout "${name}"`);
    const vrel = dir === '' ? victim : `${dir}/${victim}`;
    const st = await lstatOrUndefined(this.abs(vrel));
    if (st) await this.remove(vrel, st);
    this.whiteouts.push(vrel);
    this.stats.whiteouts++;
  }

  private async finish(): Promise<void> {
    // Whiteout devices: re-validate, since later entries may have changed the tree.
    const paths: string[] = [];
    for (const vrel of this.whiteouts) {
      if (!(await this.ensureDir(parentOf(vrel), false, vrel))) continue;
      const abs = this.abs(vrel);
      if (await lstatOrUndefined(abs)) continue; // recreated by a later entry: that entry wins
      paths.push(abs);
    }
    const whiteoutParents = new Set<string>();
    if (paths.length && this.fixups) {
      for (const p of paths) {
        const rel = p.slice(this.root.length + 1);
        this.fixups.whiteouts.push(rel);
        whiteoutParents.add(parentOf(rel));
      }
    } else if (paths.length) {
      await mknodWhiteouts(paths);
      // As (namespace) root they become root's; any other user already owns them.
      if (process.getuid?.() === 0) for (const p of paths) await fs.lchown(p, 0, 0);
    }
    // Directory metadata last (children changed their mtimes), deepest first
    // so a read-only parent is not made read-only before its children are done.
    const dirs = [...this.dirMeta.entries()].sort((a, b) => depth(b[0]) - depth(a[0]));
    for (const [rel, m] of dirs) {
      const abs = this.abs(rel);
      const st = await lstatOrUndefined(abs);
      if (!st?.isDirectory()) continue;
      await this.chown(() => fs.lchown(abs, m.uid, m.gid), m, rel, m.mode);
      await fs.chmod(abs, m.mode);
      await fs.utimes(abs, m.atime, m.mtime);
      // mknod of a whiteout inside changes the directory's times: set them again afterwards.
      if (this.fixups && whiteoutParents.has(rel)) this.fixups.times.push([rel, timeOf(m.atime), timeOf(m.mtime)]);
    }
  }
}

function depth(rel: string): number {
  if (rel === '') return 0;
  let n = 1;
  for (let i = 0; i < rel.length; i++) if (rel.charCodeAt(i) === 47) n++;
  return n;
}

/** Synchronous, like the file writes: a metadata syscall is far cheaper than a thread-pool round trip. */
async function lstatOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return fsSync.lstatSync(p);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return undefined;
    throw e;
  }
}

function timeOf(t: number | Date): number {
  return typeof t === 'number' ? t : t.getTime() / 1000;
}

/** Argument bytes per mknod batch: well under ARG_MAX (and MAX_ARG_STRLEN per path). */
const MKNOD_BATCH_BYTES = 96 * 1024;

/**
 * Node has no mknod(2). Overlay whiteouts are 0/0 character devices, which the
 * kernel (≥ 5.8) lets container root create in a user namespace; so batch
 * them through one shell per ~96 KiB of paths instead of one process per file.
 */
export async function mknodWhiteouts(paths: string[]): Promise<void> {
  let batch: string[] = [];
  let bytes = 0;
  for (const p of paths) {
    if (batch.length && bytes + p.length + 1 > MKNOD_BATCH_BYTES) {
      await mknodBatch(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(p);
    bytes += p.length + 1;
  }
  if (batch.length) await mknodBatch(batch);
}

function mknodBatch(paths: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', 'for p; do mknod -- "$p" c 0 0 || exit 1; done', 'sh', ...paths], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 4096) stderr += d;
    });
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) return resolve();
      reject(
        new SystemError('E_LAYER_WHITEOUT', `cannot create overlay whiteout devices: ${stderr.trim() || `mknod exited ${code}`}`, {
          hint: 'whiteouts are 0/0 character devices; creating them needs root or a user namespace (Linux ≥ 5.8)',
        }),
      );
    });
  });
}
