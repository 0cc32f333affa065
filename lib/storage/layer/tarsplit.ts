/**
 * tar-split: what it takes to rebuild a layer's exact tar from its
 * extracted directory. containers/storage keeps the same thing
 * (`<layer>.tar-split.gz`) instead of the layer blob; so does tote. The
 * layer tar (whose sha256 is the diff id in the image config) is needed
 * again only for push and save, which rebuild it from the headers kept
 * here and the file contents in the layer directory, and check the result
 * against the diff id.
 *
 * Stored form: gzip of JSON lines. The first is {"tarsplit":1}; then
 * {"r":"<base64>"} for raw bytes (headers, padding, bodies not stored as
 * files) and {"f":"<layer-relative path>","s":SIZE} for a body read back
 * from the extracted file.
 */
import { chmodSync, constants as fsConstants, promises as fs, readFileSync } from 'node:fs';
import { errnoCode } from '../../errors/index.js';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { TarSplitSink } from './tar-reader.js';

export type SplitItem = Buffer | { path: string; size: number };

/** Collects the tar-split while a layer is extracted. */
export class TarSplitRecorder implements TarSplitSink {
  readonly items: SplitItem[] = [];
  /** Raw bytes not yet flushed into an item: small header slices are copied together. */
  private pending: Buffer[] = [];
  private pendingSize = 0;
  /** Index in `items` of each stored file's reference, by path. */
  private readonly refs = new Map<string, number>();

  constructor(private readonly root: string) {}

  raw(bytes: Buffer): void {
    if (!bytes.length) return;
    // A copy: `bytes` is usually a slice of a large input chunk we must not pin.
    this.pending.push(Buffer.from(bytes));
    this.pendingSize += bytes.length;
    if (this.pendingSize >= 1 << 20) this.flush();
  }

  private flush(): void {
    if (!this.pendingSize) return;
    this.items.push(Buffer.concat(this.pending, this.pendingSize));
    this.pending = [];
    this.pendingSize = 0;
  }

  file(path: string, size: number): void {
    this.flush();
    const earlier = this.refs.get(path);
    if (earlier !== undefined) this.inline(path, earlier);
    this.refs.set(path, this.items.length);
    this.items.push({ path, size });
  }

  /**
   * The applier is about to remove `rel` (and everything under it, for a
   * directory): bodies recorded as those files are read in now, while they
   * still hold the content the tar had at that point.
   */
  beforeRemove(rel: string, isDir: boolean): void {
    const hit = this.refs.get(rel);
    if (hit !== undefined) this.inline(rel, hit);
    if (!isDir) return;
    const prefix = rel === '' ? '' : `${rel}/`;
    for (const [p, i] of [...this.refs]) if (p.startsWith(prefix)) this.inline(p, i);
  }

  private inline(path: string, index: number): void {
    const item = this.items[index] as { path: string; size: number };
    const file = `${this.root}/${path}`;
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (e) {
      // Rootless, a file the layer made unreadable (mode 000) is still ours:
      // it is about to be replaced, so its mode no longer matters.
      if (errnoCode(e) !== 'EACCES') throw e;
      chmodSync(file, 0o600);
      bytes = readFileSync(file);
    }
    if (bytes.length !== item.size) throw new Error(`tar-split: ${path} holds ${bytes.length} bytes, expected ${item.size}`);
    this.items[index] = bytes;
    this.refs.delete(path);
  }

  /** The stored form (see the top of this file). */
  serialize(): Buffer {
    this.flush();
    const lines = ['{"tarsplit":1}'];
    for (const it of this.items) lines.push(Buffer.isBuffer(it) ? JSON.stringify({ r: it.toString('base64') }) : JSON.stringify({ f: it.path, s: it.size }));
    return gzipSync(lines.join('\n') + '\n', { level: 1 });
  }
}

export class TarSplitError extends Error {}

export function parseTarSplit(stored: Buffer): SplitItem[] {
  const text = gunzipSync(stored).toString('utf8');
  const lines = text.split('\n').filter(Boolean);
  if (lines[0] !== '{"tarsplit":1}') throw new TarSplitError('not a tote tar-split (version line missing)');
  return lines.slice(1).map((l) => {
    const j = JSON.parse(l) as { r?: string; f?: string; s?: number };
    if (typeof j.r === 'string') return Buffer.from(j.r, 'base64');
    // Paths come from cleanEntryName: relative, no "." or ".." components.
    if (typeof j.f !== 'string' || typeof j.s !== 'number' || j.f === '' || j.f.split('/').some((p) => p === '' || p === '.' || p === '..')) {
      throw new TarSplitError(`bad tar-split line: ${l.slice(0, 100)}`);
    }
    return { path: j.f, size: j.s };
  });
}

/**
 * The layer tar again: raw items as they are, file items read from the
 * layer directory (runs where those files are readable: inside the user
 * namespace). A file whose size changed means the layer was modified; the
 * caller's diff-id check would catch any other change.
 */
export async function* assembleTar(items: SplitItem[], root: string): AsyncGenerator<Buffer> {
  const chunk = 1 << 20;
  for (const it of items) {
    if (Buffer.isBuffer(it)) {
      yield it;
      continue;
    }
    const fh = await fs.open(`${root}/${it.path}`, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
    try {
      let left = it.size;
      while (left > 0) {
        const buf = Buffer.allocUnsafe(Math.min(chunk, left));
        const { bytesRead } = await fh.read(buf, 0, buf.length, null);
        if (bytesRead === 0) throw new TarSplitError(`${it.path}: ${it.size - left} of ${it.size} bytes (the layer was modified)`);
        left -= bytesRead;
        yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
      }
      const extra = await fh.read(Buffer.alloc(1), 0, 1, null);
      if (extra.bytesRead !== 0) throw new TarSplitError(`${it.path}: longer than the ${it.size} bytes recorded (the layer was modified)`);
    } finally {
      await fh.close();
    }
  }
}
