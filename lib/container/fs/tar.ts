/**
 * Tar streams out of and into directory trees, for cp, export and commit.
 *
 * packTree walks with lstat and never follows a symlink: links are archived
 * as links, and a directory on another filesystem (proc, sysfs in a running
 * container) is archived but not entered when asked. In layer mode (commit)
 * it turns an overlay upper dir back into an OCI layer: 0/0 character
 * devices become `.wh.NAME` entries and opaque directories get a
 * `.wh..wh..opq` entry.
 *
 * unpackTar extracts below a directory without ever writing outside it:
 *  - 'strict' (the host side of `cp` out): every parent component is checked
 *    with lstat and a symlink anywhere below the base is refused;
 *  - 'scoped' (inside a container root, `cp` in): parents are resolved as in
 *    a chroot (resolveInRoot), so the container's own links are honoured but
 *    cannot lead out of the root.
 * In both, the final component is never followed: what is there is removed
 * and the entry created with O_EXCL|O_NOFOLLOW.
 */
import fsSync, { constants as fsConstants, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type tar from 'tar-stream';
import { errnoCode, ToteError } from '../../errors/index.js';
import { cleanEntryName, OPAQUE_MARKER, OPAQUE_XATTR, WHITEOUT_PREFIX, xattrLib } from '../../storage/index.js';
import { copyError, renameEntry } from './plan.js';
import { joinRoot, resolveInRoot } from './resolve.js';
import { lstatOrUndefined } from './lstat.js';
// Loaded on first use: lib/container is loaded by run, exec, stop and rm, which never make a tar.
import { tarStream } from '../../image/archive/tar.js';

export interface PackOptions {
  /** Absolute path of the top item (already resolved). */
  source: string;
  /** Archive name of the top item; '' = no top entry, only what is inside it. */
  name: string;
  /** Overlay upper dir → OCI layer (whiteouts, opaque dirs, xattrs). */
  layer?: boolean;
  /** Do not enter directories on another device than the source. */
  oneFileSystem?: boolean;
  /** Do not enter directories on these devices (proc, sysfs). */
  skipDevices?: Set<number>;
  /** Archive names left out when they are empty regular files (runtime mount points). */
  exclude?: ReadonlySet<string>;
}

export interface PackStats {
  entries: number;
  bytes: number;
  skipped: number;
}

type Header = Partial<tar.Header> & { name: string };

const CHUNK = 256 * 1024;

function devMajor(rdev: number): number {
  return Number((BigInt(rdev) >> 8n) & 0xfffn) | Number((BigInt(rdev) >> 32n) & ~0xfffn);
}

function devMinor(rdev: number): number {
  return Number(BigInt(rdev) & 0xffn) | Number((BigInt(rdev) >> 12n) & ~0xffn);
}

function isWhiteout(st: Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

async function isOpaqueDir(abs: string): Promise<boolean> {
  for (const key of [OPAQUE_XATTR, 'trusted.overlay.opaque']) {
    try {
      const v = await xattrLib().getAttribute(abs, key);
      if (v !== null && v.toString() === 'y') return true;
    } catch {
      // not supported / not permitted: not opaque
    }
  }
  return false;
}

/** Text xattrs as PAX records; overlay's own ones and binary values are left out. */
async function xattrPax(abs: string): Promise<Record<string, string> | undefined> {
  const x = xattrLib();
  let names: string[];
  try {
    names = await x.listAttributes(abs);
  } catch {
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const n of names) {
    if (/^(user|trusted)\.overlay\./.test(n) || n === 'security.selinux') continue;
    try {
      const v = await x.getAttribute(abs, n);
      if (v === null) continue;
      const text = v.toString('utf8');
      if (!Buffer.from(text, 'utf8').equals(v)) continue;
      out[`SCHILY.xattr.${n}`] = text;
    } catch {
      // unreadable: skipped
    }
  }
  return Object.keys(out).length ? out : undefined;
}

function addEntry(pack: tar.Pack, header: Header, body?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const cb = (err?: Error | null) => (err ? reject(err) : resolve());
    if (body !== undefined) pack.entry(header, body, cb);
    else pack.entry(header, cb);
  });
}

/** Streams exactly `size` bytes of a regular file (zero-padded if it shrank meanwhile). */
async function addFile(pack: tar.Pack, header: Header, abs: string, size: number): Promise<void> {
  const fd = fsSync.openSync(abs, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  try {
    if (size <= CHUNK) {
      const buf = Buffer.alloc(size);
      let off = 0;
      while (off < size) {
        const n = fsSync.readSync(fd, buf, off, size - off, off);
        if (n === 0) break;
        off += n;
      }
      return await addEntry(pack, header, buf);
    }
    await new Promise<void>((resolve, reject) => {
      const entry = pack.entry(header, (err?: Error | null) => (err ? reject(err) : resolve()));
      let pos = 0;
      const pump = (): void => {
        try {
          while (pos < size) {
            const buf = Buffer.alloc(Math.min(CHUNK, size - pos));
            let n = fsSync.readSync(fd, buf, 0, buf.length, pos);
            if (n === 0) {
              buf.fill(0);
              n = buf.length;
            }
            pos += n;
            if (!entry.write(n === buf.length ? buf : buf.subarray(0, n))) {
              entry.once('drain', pump);
              return;
            }
          }
          (entry as unknown as { end(): void }).end();
        } catch (e) {
          entry.destroy(e as Error);
          reject(e);
        }
      };
      pump();
    });
  } finally {
    fsSync.closeSync(fd);
  }
}

/**
 * Writes a tar of `options.source` to `out` and ends it. Returns counts.
 * Directory children are archived in name order (byte order, like Go).
 */
export async function packTree(options: PackOptions, out: Writable): Promise<PackStats> {
  const pack = tarStream().pack();
  const stats: PackStats = { entries: 0, bytes: 0, skipped: 0 };
  const piped = new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.once('finish', resolve);
    out.once('close', resolve);
    pack.once('error', reject);
  });
  (pack as unknown as NodeJS.ReadableStream).pipe(out);
  const links = new Map<string, string>();
  const rootSt = await fs.lstat(options.source);

  const visit = async (abs: string, name: string, st: Stats): Promise<void> => {
    if (options.exclude?.has(name) && st.isFile() && st.size === 0) {
      stats.skipped++;
      return;
    }
    const base = {
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      mtime: st.mtime,
    };
    const dirName = name === '' ? '' : `${name}/`;
    if (options.layer && isWhiteout(st)) {
      const i = name.lastIndexOf('/');
      const wh = i < 0 ? `${WHITEOUT_PREFIX}${name}` : `${name.slice(0, i + 1)}${WHITEOUT_PREFIX}${name.slice(i + 1)}`;
      await addEntry(pack, { ...base, name: wh, type: 'file', size: 0 }, Buffer.alloc(0));
      stats.entries++;
      return;
    }
    if (st.isDirectory()) {
      if (name !== '') {
        const pax = options.layer ? await xattrPax(abs) : undefined;
        await addEntry(pack, { ...base, name: dirName, type: 'directory', ...(pax ? { pax } : {}) });
        stats.entries++;
      }
      if (options.layer && (await isOpaqueDir(abs))) {
        await addEntry(pack, { ...base, mode: 0o644, name: `${dirName}${OPAQUE_MARKER}`, type: 'file', size: 0 }, Buffer.alloc(0));
        stats.entries++;
      }
      if (name !== '' && options.oneFileSystem && st.dev !== rootSt.dev) return;
      if (name !== '' && options.skipDevices?.has(st.dev)) return;
      const children = (await fs.readdir(abs)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      for (const child of children) {
        const childAbs = abs === '/' ? `/${child}` : `${abs}/${child}`;
        let cst: Stats;
        try {
          cst = await fs.lstat(childAbs);
        } catch (e) {
          if (errnoCode(e) === 'ENOENT') continue; // removed meanwhile (running container)
          throw e;
        }
        await visit(childAbs, `${dirName}${child}`, cst);
      }
      return;
    }
    if (name === '') throw copyError(`${abs}: not a directory`);
    if (st.isSymbolicLink()) {
      await addEntry(pack, { ...base, name, type: 'symlink', linkname: await fs.readlink(abs) });
    } else if (st.isFile()) {
      const key = `${st.dev}:${st.ino}`;
      const first = st.nlink > 1 ? links.get(key) : undefined;
      if (first !== undefined) {
        await addEntry(pack, { ...base, name, type: 'link', linkname: first });
      } else {
        const pax = options.layer ? await xattrPax(abs) : undefined;
        await addFile(pack, { ...base, name, type: 'file', size: st.size, ...(pax ? { pax } : {}) }, abs, st.size);
        stats.bytes += st.size;
        if (st.nlink > 1) links.set(key, name);
      }
    } else if (st.isFIFO()) {
      await addEntry(pack, { ...base, name, type: 'fifo' });
    } else if (st.isCharacterDevice() || st.isBlockDevice()) {
      await addEntry(pack, {
        ...base,
        name,
        type: st.isCharacterDevice() ? 'character-device' : 'block-device',
        devmajor: devMajor(st.rdev),
        devminor: devMinor(st.rdev),
      });
    } else {
      stats.skipped++; // sockets
      return;
    }
    stats.entries++;
  };

  try {
    await visit(options.source, options.name, rootSt);
    pack.finalize();
  } catch (e) {
    pack.destroy(e as Error);
    throw e;
  }
  await piped;
  return stats;
}

/** Size of the archive `packTree` would write is not known in advance; this is just the stat of the top. */
export async function statSource(abs: string): Promise<Stats> {
  return fs.lstat(abs);
}

// ---------------------------------------------------------------- unpack

export interface UnpackOptions {
  /** Absolute directory the archive is extracted into (must exist). */
  dest: string;
  /**
   * 'strict': no symlink is followed below `dest` (host side).
   * 'scoped': `dest` lies inside `root`, and parents resolve as in a chroot at `root`.
   */
  mode: 'strict' | 'scoped';
  /** For 'scoped': the container root `dest` is inside. */
  root?: string;
  rename?: { from: string; to: string };
  /** 'tar': owners from the archive; 'root': 0:0; 'none': whoever extracts. */
  owner: 'tar' | 'root' | 'none';
  onDebug?(msg: string): void;
}

export interface UnpackStats {
  entries: number;
  files: number;
  dirs: number;
  symlinks: number;
  hardlinks: number;
  skipped: number;
  bytes: number;
}

interface TarEntry extends AsyncIterable<Buffer> {
  header: Header;
}

function unsafe(name: string, why: string): ToteError {
  return new ToteError('E_CP_UNSAFE', `refusing to extract "${name}": ${why}`, { exitCode: 1 });
}


function parentOf(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}

function baseOf(rel: string): string {
  return rel.slice(rel.lastIndexOf('/') + 1);
}

const OPEN_FLAGS = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW;

/** Extracts a tar stream below `options.dest`. */
export async function unpackTar(input: NodeJS.ReadableStream, options: UnpackOptions): Promise<UnpackStats> {
  const dest = options.dest.replace(/\/+$/, '') || '/';
  const root = options.mode === 'scoped' ? (options.root ?? '/').replace(/\/+$/, '') || '/' : dest;
  const destRel = options.mode === 'scoped' ? path.posix.relative(root, dest) : '';
  if (destRel.startsWith('..')) throw unsafe(dest, 'the destination is outside the container root');
  const debug = options.onDebug ?? (() => {});
  const stats: UnpackStats = { entries: 0, files: 0, dirs: 0, symlinks: 0, hardlinks: 0, skipped: 0, bytes: 0 };
  const dirMeta: Array<{ abs: string; mode: number; mtime: Date }> = [];
  const verified = new Map<string, string>([['', dest]]);

  /** Absolute path of the directory `relDir` (relative to dest), created if missing. */
  const ensureDir = async (relDir: string, entryName: string): Promise<string> => {
    const known = verified.get(relDir);
    if (known !== undefined) return known;
    let abs: string;
    if (options.mode === 'scoped') {
      const resolved = await resolveInRoot(root, destRel === '' ? relDir : `${destRel}/${relDir}`, true);
      abs = joinRoot(root, resolved);
      // Create what is missing one level at a time, from the root down.
      const parts = resolved === '' ? [] : resolved.split('/');
      let cur = root;
      for (const part of parts) {
        cur = cur === '/' ? `/${part}` : `${cur}/${part}`;
        const st = await lstatOrUndefined(cur);
        if (!st) await mkdirOwned(cur);
        else if (st.isSymbolicLink()) throw unsafe(entryName, `"${cur}" changed into a symlink`);
        else if (!st.isDirectory()) throw copyError(`cannot extract "${entryName}": "/${resolved}" is not a directory`);
      }
    } else {
      const parentAbs = await ensureDir(parentOf(relDir), entryName);
      abs = parentAbs === '/' ? `/${baseOf(relDir)}` : `${parentAbs}/${baseOf(relDir)}`;
      const st = await lstatOrUndefined(abs);
      if (!st) await mkdirOwned(abs);
      else if (st.isSymbolicLink()) throw unsafe(entryName, `"${abs}" is a symbolic link`);
      else if (!st.isDirectory()) throw copyError(`cannot extract "${entryName}": "${abs}" is not a directory`);
    }
    verified.set(relDir, abs);
    return abs;
  };

  const mkdirOwned = async (abs: string): Promise<void> => {
    await fs.mkdir(abs, 0o755);
    if (options.owner !== 'none') await fs.lchown(abs, 0, 0).catch(() => undefined);
  };

  const chown = async (abs: string, h: Header): Promise<void> => {
    if (options.owner === 'none') return;
    const uid = options.owner === 'tar' ? (h.uid ?? 0) : 0;
    const gid = options.owner === 'tar' ? (h.gid ?? 0) : 0;
    try {
      await fs.lchown(abs, uid, gid);
    } catch (e) {
      debug(`chown ${abs} ${uid}:${gid}: ${(e as Error).message}`);
    }
  };

  /** Removes whatever is at abs (never following it); forgets cached dirs below. */
  const clear = async (abs: string, rel: string): Promise<Stats | undefined> => {
    const st = await lstatOrUndefined(abs);
    if (!st) return undefined;
    if (st.isDirectory()) {
      await fs.rm(abs, { recursive: true, force: true });
      for (const k of [...verified.keys()]) if (k === rel || k.startsWith(`${rel}/`)) verified.delete(k);
    } else await fs.unlink(abs);
    return st;
  };

  const ex = tarStream().extract();
  const onInputError = (e: Error) => ex.destroy(e);
  input.on('error', onInputError);
  input.pipe(ex as unknown as NodeJS.WritableStream);
  try {
    for await (const entry of ex as unknown as AsyncIterable<TarEntry>) {
      const h = entry.header;
      stats.entries++;
      let rel: string | undefined;
      try {
        rel = renameEntry(cleanEntryName(h.name), options.rename);
      } catch {
        throw unsafe(h.name, 'the name climbs out of the destination');
      }
      if (rel === undefined || rel === '') {
        await drain(entry);
        continue;
      }
      const parentAbs = await ensureDir(parentOf(rel), h.name);
      const abs = parentAbs === '/' ? `/${baseOf(rel)}` : `${parentAbs}/${baseOf(rel)}`;
      const mtime = h.mtime ?? new Date();
      switch (h.type) {
        case 'directory': {
          await drain(entry);
          const st = await lstatOrUndefined(abs);
          if (st && !st.isDirectory()) await clear(abs, rel);
          if (!st || !st.isDirectory()) await fs.mkdir(abs, 0o700);
          verified.set(rel, abs);
          await chown(abs, h);
          dirMeta.push({ abs, mode: (h.mode ?? 0o755) & 0o7777, mtime });
          stats.dirs++;
          break;
        }
        case 'file':
        case 'contiguous-file': {
          await clear(abs, rel);
          const fd = fsSync.openSync(abs, OPEN_FLAGS, 0o600);
          try {
            for await (const chunk of entry) {
              for (let off = 0; off < chunk.length; ) off += fsSync.writeSync(fd, chunk, off, chunk.length - off);
              stats.bytes += chunk.length;
            }
            if (options.owner !== 'none') {
              const uid = options.owner === 'tar' ? (h.uid ?? 0) : 0;
              const gid = options.owner === 'tar' ? (h.gid ?? 0) : 0;
              try {
                fsSync.fchownSync(fd, uid, gid);
              } catch (e) {
                debug(`chown ${abs}: ${(e as Error).message}`);
              }
            }
            fsSync.fchmodSync(fd, (h.mode ?? 0o644) & 0o7777);
            fsSync.futimesSync(fd, mtime, mtime);
          } finally {
            fsSync.closeSync(fd);
          }
          stats.files++;
          break;
        }
        case 'symlink': {
          await drain(entry);
          await clear(abs, rel);
          await fs.symlink(h.linkname ?? '', abs);
          await chown(abs, h);
          await fs.lutimes(abs, mtime, mtime).catch(() => undefined);
          stats.symlinks++;
          break;
        }
        case 'link': {
          await drain(entry);
          let targetRel: string | undefined;
          try {
            targetRel = renameEntry(cleanEntryName(h.linkname ?? ''), options.rename);
          } catch {
            throw unsafe(h.name, `hardlink target "${h.linkname}" climbs out of the destination`);
          }
          if (!targetRel) throw unsafe(h.name, 'hardlink to the destination itself');
          const tParent = await ensureDir(parentOf(targetRel), h.name);
          const tAbs = tParent === '/' ? `/${baseOf(targetRel)}` : `${tParent}/${baseOf(targetRel)}`;
          const tst = await lstatOrUndefined(tAbs);
          if (!tst || tst.isDirectory()) throw copyError(`hardlink "${h.name}": target "${h.linkname}" is not in the archive`);
          if (tAbs === abs) break;
          await clear(abs, rel);
          await fs.link(tAbs, abs);
          stats.hardlinks++;
          break;
        }
        default:
          await drain(entry);
          stats.skipped++;
          debug(`skipped ${String(h.type)} "${h.name}"`);
      }
    }
  } finally {
    input.removeListener('error', onInputError);
  }
  // Directory modes and times last, deepest first (children changed the mtimes).
  dirMeta.sort((a, b) => b.abs.length - a.abs.length);
  for (const d of dirMeta) {
    const st = await lstatOrUndefined(d.abs);
    if (!st?.isDirectory()) continue;
    await fs.chmod(d.abs, d.mode);
    await fs.utimes(d.abs, d.mtime, d.mtime);
  }
  return stats;
}

async function drain(entry: TarEntry): Promise<void> {
  for await (const _ of entry) {
    // discard
  }
}
