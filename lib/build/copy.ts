/**
 * COPY and ADD without a container: the sources are planned into layer
 * entries (destination path, type, mode, owner, mtime), hashed for the cache
 * (names, modes, owners, contents), and packed into a layer tar.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { ToteError } from '../errors/index.js';
import { maybeDecompress, detectCompression } from '../storage/index.js';
import { cleanSource, expandGlob, hasGlob, resolveScoped, type SourceFs } from './sources.js';

export type PlannedEntry =
  | { kind: 'directory'; dest: string; mode: number; mtime: Date }
  | { kind: 'file'; dest: string; mode: number; mtime: Date; size: number; src: { sfs: SourceFs; rel: string } | { data: Buffer } }
  | { kind: 'symlink'; dest: string; linkname: string; mtime: Date }
  /** ADD of a local tar: its entries go under dest. */
  | { kind: 'archive'; dest: string; src: { sfs: SourceFs; rel: string } };

export interface CopyPlan {
  entries: PlannedEntry[];
  uid: number;
  gid: number;
  chmod?: number;
}

export interface CopyRequest {
  sfs: SourceFs;
  sources: string[];
  /** Absolute destination (the WORKDIR already applied), trailing slash kept. */
  dest: string;
  /** ADD: local archives are extracted. */
  extractArchives: boolean;
  uid: number;
  gid: number;
  chmod?: number;
  /** Is this absolute path a directory in the image being built? */
  isImageDir(p: string): Promise<boolean>;
  /** Does this absolute path exist in the image? */
  imageHas(p: string): Promise<boolean>;
  /** Extra in-memory files (ADD URL, COPY heredoc): name → content. */
  inline?: Array<{ name: string; data: Buffer; mode: number; mtime: Date }>;
}

export function parseChmod(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[0-7]{3,4}$/.test(text)) throw new ToteError('E_BUILD_CHMOD', `invalid --chmod value "${text}": use an octal mode such as 755`);
  return parseInt(text, 8);
}

async function isArchive(sfs: SourceFs, rel: string): Promise<boolean> {
  const st = await sfs.lstat(rel);
  if (!st?.isFile() || st.size < 262) {
    if (!st?.isFile() || st.size < 6) return false;
  }
  const stream = await sfs.open(rel);
  const chunks: Buffer[] = [];
  let have = 0;
  for await (const c of stream) {
    chunks.push(c as Buffer);
    have += (c as Buffer).length;
    if (have >= 512) break;
  }
  stream.destroy();
  const head = Buffer.concat(chunks);
  if (detectCompression(head) !== 'none') return true;
  return head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar';
}

export async function planCopy(req: CopyRequest): Promise<CopyPlan> {
  const { sfs } = req;
  const entries: PlannedEntry[] = [];
  // Expand globs; each source is then resolved inside its root.
  const resolved: string[] = [];
  for (const raw of req.sources) {
    const clean = cleanSource(sfs, raw);
    if (hasGlob(clean)) {
      const found = await expandGlob(sfs, clean);
      if (found.length === 0) throw new ToteError('E_BUILD_SOURCE', `COPY failed: no source files were specified (no match for "${raw}" in the ${sfs.label})`);
      resolved.push(...found);
    } else resolved.push(clean);
  }
  const count = resolved.length + (req.inline?.length ?? 0);
  const destIsDir = req.dest.endsWith('/') || count > 1 || (await req.isImageDir(req.dest));
  if (count > 1 && !req.dest.endsWith('/')) {
    throw new ToteError('E_BUILD_DEST', `When using COPY with more than one source file, the destination must be a directory and end with a /`);
  }
  const dest = path.posix.normalize(req.dest).replace(/(.)\/$/, '$1');
  let destDirPlanned = false;
  const planDestDir = async () => {
    if (destDirPlanned) return;
    destDirPlanned = true;
    if (dest !== '/' && !(await req.imageHas(dest))) entries.push({ kind: 'directory', dest, mode: 0o755, mtime: new Date() });
  };

  for (const rel0 of resolved) {
    const rel = await resolveScoped(sfs, rel0, true);
    if (rel !== rel0 && rel0 !== '' && sfs.ignored(rel)) throw new ToteError('E_BUILD_SOURCE', `${rel0}: excluded by .dockerignore`);
    const st = await sfs.lstat(rel);
    if (!st || sfs.ignored(rel)) {
      throw new ToteError('E_BUILD_SOURCE', `COPY failed: file not found in ${sfs.label}: stat ${rel0 || '.'}: file does not exist`, {
        hint: sfs.refuseEscape ? 'the path is relative to the context directory; check .dockerignore too' : undefined,
      });
    }
    if (st.isDirectory()) {
      await planDestDir();
      await walkDir(sfs, rel, dest, entries);
    } else if (req.extractArchives && st.isFile() && (await isArchive(sfs, rel))) {
      await planDestDir();
      entries.push({ kind: 'archive', dest, src: { sfs, rel } });
    } else if (st.isFile()) {
      const target = destIsDir ? path.posix.join(dest, path.posix.basename(rel0 || rel)) : dest;
      if (destIsDir) await planDestDir();
      entries.push({ kind: 'file', dest: target, mode: st.mode & 0o7777, mtime: st.mtime, size: st.size, src: { sfs, rel } });
    } else {
      throw new ToteError('E_BUILD_SOURCE', `${rel0}: unsupported file type in ${sfs.label}`);
    }
  }
  for (const f of req.inline ?? []) {
    const target = destIsDir ? path.posix.join(dest, f.name) : dest;
    if (destIsDir) await planDestDir();
    entries.push({ kind: 'file', dest: target, mode: f.mode, mtime: f.mtime, size: f.data.length, src: { data: f.data } });
  }
  return { entries, uid: req.uid, gid: req.gid, chmod: req.chmod };
}

/** A directory's contents (not the directory itself) under dest; symlinks are copied as links, never followed. */
async function walkDir(sfs: SourceFs, rel: string, dest: string, out: PlannedEntry[]): Promise<void> {
  for (const name of await sfs.readdir(rel)) {
    const childRel = rel ? `${rel}/${name}` : name;
    const childDest = path.posix.join(dest, name);
    const st = await sfs.lstat(childRel);
    if (!st) continue;
    if (sfs.ignored(childRel)) {
      // An ignored directory may still hold re-included (`!pattern`) files.
      if (st.isDirectory()) {
        const sub: PlannedEntry[] = [];
        await walkDir(sfs, childRel, childDest, sub);
        if (sub.length) out.push({ kind: 'directory', dest: childDest, mode: st.mode & 0o7777, mtime: st.mtime }, ...sub);
      }
      continue;
    }
    if (st.isDirectory()) {
      out.push({ kind: 'directory', dest: childDest, mode: st.mode & 0o7777, mtime: st.mtime });
      await walkDir(sfs, childRel, childDest, out);
    } else if (st.isSymbolicLink()) {
      out.push({ kind: 'symlink', dest: childDest, linkname: await sfs.readlink(childRel), mtime: st.mtime });
    } else if (st.isFile()) {
      out.push({ kind: 'file', dest: childDest, mode: st.mode & 0o7777, mtime: st.mtime, size: st.size, src: { sfs, rel: childRel } });
    }
    // Sockets, fifos and devices in a context are skipped, as docker does.
  }
}

/** The cache-relevant content of a plan: names, types, modes, owners and file contents. */
export async function hashPlan(plan: CopyPlan): Promise<string> {
  const h = createHash('sha256');
  h.update(JSON.stringify({ uid: plan.uid, gid: plan.gid, chmod: plan.chmod ?? null }));
  for (const e of plan.entries) {
    if (e.kind === 'file') {
      h.update(`\0file\0${e.dest}\0${e.mode}\0${e.size}\0`);
      if ('data' in e.src) h.update(e.src.data);
      else for await (const c of await e.src.sfs.open(e.src.rel)) h.update(c as Buffer);
    } else if (e.kind === 'archive') {
      h.update(`\0archive\0${e.dest}\0`);
      for await (const c of await e.src.sfs.open(e.src.rel)) h.update(c as Buffer);
    } else if (e.kind === 'directory') h.update(`\0dir\0${e.dest}\0${e.mode}\0`);
    else h.update(`\0link\0${e.dest}\0${e.linkname}\0`);
  }
  return 'sha256:' + h.digest('hex');
}

function tarName(dest: string): string {
  return dest.replace(/^\/+/, '');
}

/** Packs the plan as an uncompressed layer tar. */
export function packPlan(plan: CopyPlan): { stream: Readable; done: Promise<void> } {
  const pack = tar.pack();
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  const common = { uid: plan.uid, gid: plan.gid, uname: '', gname: '' };
  const done = (async () => {
    const add = (header: Partial<tar.Header>, body?: Buffer | Readable) =>
      new Promise<void>((resolve, reject) => {
        if (body === undefined || Buffer.isBuffer(body)) {
          if (body) pack.entry(header as tar.Header, body, (e) => (e ? reject(e) : resolve()));
          else pack.entry(header as tar.Header, (e) => (e ? reject(e) : resolve()));
          return;
        }
        const entry = pack.entry(header as tar.Header, (e) => (e ? reject(e) : resolve()));
        body.on('error', reject);
        body.pipe(entry);
      });
    for (const e of plan.entries) {
      if (e.kind === 'directory') {
        await add({ ...common, name: tarName(e.dest) + '/', type: 'directory', mode: plan.chmod ?? e.mode, mtime: e.mtime });
      } else if (e.kind === 'symlink') {
        await add({ ...common, name: tarName(e.dest), type: 'symlink', linkname: e.linkname, mode: 0o777, mtime: e.mtime });
      } else if (e.kind === 'file') {
        const body = 'data' in e.src ? e.src.data : await e.src.sfs.open(e.src.rel);
        await add({ ...common, name: tarName(e.dest), type: 'file', size: e.size, mode: plan.chmod ?? e.mode, mtime: e.mtime }, body);
      } else {
        await repackArchive(await e.src.sfs.open(e.src.rel), e.dest, add);
      }
    }
    pack.finalize();
  })();
  done.catch((e) => pack.destroy(e as Error));
  pack.pipe(out);
  return { stream: out, done };
}

/** ADD of a local archive: its entries, cleaned and re-rooted under dest (ownership kept, as docker does). */
async function repackArchive(source: Readable, dest: string, add: (h: Partial<tar.Header>, body?: Buffer | Readable) => Promise<void>): Promise<void> {
  const extract = tar.extract();
  const plain = maybeDecompress(source);
  const feeding = pipeline(plain, extract).catch((e) => extract.destroy(e as Error));
  for await (const entry of extract) {
    const h = entry.header;
    const clean = path.posix.normalize('/' + h.name).replace(/\/+$/, '');
    if (clean === '/') {
      entry.resume();
      continue;
    }
    const name = tarName(path.posix.join(dest, clean));
    const header: Partial<tar.Header> = { ...h, name: h.type === 'directory' ? name + '/' : name };
    if (h.type === 'link' && h.linkname) header.linkname = tarName(path.posix.join(dest, path.posix.normalize('/' + h.linkname)));
    if (h.type === 'file' || h.type === 'contiguous-file') {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      await add({ ...header, type: 'file' }, Buffer.concat(chunks));
    } else {
      entry.resume();
      await add(header);
    }
  }
  await feeding;
}
