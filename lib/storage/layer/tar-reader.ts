/**
 * A streaming tar reader for layer extraction. It replaces tar-stream in
 * the hot path for two reasons:
 *  - speed: file bodies are handed out as slices of the incoming chunks,
 *    without a stream object per entry (pull spends its time here);
 *  - tar-split: every byte that is not the body of a stored file (headers,
 *    pax and GNU long-name blocks, padding, the end-of-archive blocks and
 *    whatever follows them) is given to a recorder, so the exact tar can be
 *    rebuilt later from the extracted files (see tarsplit.ts). That is what
 *    lets a pulled layer be kept once, extracted, with no blob copy.
 *
 * Format rules follow Go's archive/tar, which wrote most layers in the wild:
 * link, symlink, device, directory and fifo entries carry no body whatever
 * their size field says; a zero block followed by the end of the input, or
 * two zero blocks, end the archive. Header decoding matches tar-stream's
 * (which the applier used before): ustar prefix, GNU long names, base-256
 * numbers, pax overrides of path/linkpath/size, and a typeflag-0 name
 * ending in "/" read as a directory.
 */
import { decodePaxRaw, type RawPaxHeaders, type RawPaxRecord } from './pax.js';

const BLOCK = 512;
/** Long-name and pax blocks larger than this are refused (tar-stream's limit too). */
const MAX_META = 1024 * 1024;

/** Receives the bytes of the archive that are not the body of a claimed file. */
export interface TarSplitSink {
  raw(bytes: Buffer): void;
  /** The next `size` body bytes are the content of the file stored at `path` (layer-relative). */
  file(path: string, size: number): void;
}

const TYPES: Record<number, string> = {
  0: 'file',
  48: 'file',
  49: 'link',
  50: 'symlink',
  51: 'character-device',
  52: 'block-device',
  53: 'directory',
  54: 'fifo',
  55: 'contiguous-file',
  120: 'pax-header',
  103: 'pax-global-header',
  75: 'gnu-long-link-path',
  76: 'gnu-long-path',
};

/** Entry kinds that never have a body (archive/tar's isHeaderOnlyType). */
const HEADER_ONLY = new Set(['link', 'symlink', 'character-device', 'block-device', 'directory', 'fifo']);

export class TarFormatError extends Error {}

function decodeNumber(buf: Buffer, off: number, len: number): number {
  const field = buf.subarray(off, off + len);
  if (field[0]! & 0x80) {
    // base-256 (GNU): 0x80 positive, 0xff negative.
    const positive = field[0] === 0x80;
    if (!positive && field[0] !== 0xff) throw new TarFormatError('invalid base-256 number');
    let sum = 0;
    for (let i = 1; i < field.length; i++) sum = sum * 256 + (positive ? field[i]! : 0xff - field[i]!);
    return positive ? sum : -sum;
  }
  let i = 0;
  while (i < field.length && (field[i] === 0x20 || field[i] === 0)) i++;
  let end = i;
  while (end < field.length && field[end] !== 0x20 && field[end] !== 0) end++;
  if (end === i) return 0;
  const text = field.toString('latin1', i, end);
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`invalid number field ${JSON.stringify(text)}`);
  return parseInt(text, 8);
}

function decodeString(buf: Buffer, off: number, len: number): string {
  let end = off;
  while (end < off + len && buf[end] !== 0) end++;
  return buf.toString('utf8', off, end);
}

function isZeroBlock(b: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (b[i] !== 0) return false;
  return true;
}

function checksumOk(b: Buffer): boolean {
  let sum = 8 * 32;
  for (let i = 0; i < 148; i++) sum += b[i]!;
  for (let i = 156; i < BLOCK; i++) sum += b[i]!;
  return sum === decodeNumber(b, 148, 8);
}

/** The fields of one header block, before long names and pax records apply. */
function decodeHeader(b: Buffer): RawPaxHeaders & { typeflag: number } {
  if (!checksumOk(b)) throw new TarFormatError('invalid tar header checksum (is the layer compressed or truncated?)');
  let typeflag = b[156]!;
  let name = decodeString(b, 0, 100);
  const magic = b.toString('latin1', 257, 263);
  if (magic === 'ustar\0' && b[345]) name = `${decodeString(b, 345, 155)}/${name}`;
  else if (magic !== 'ustar\0' && magic !== 'ustar ' && magic !== '\0\0\0\0\0\0') throw new TarFormatError('unknown tar header format');
  if ((typeflag === 0 || typeflag === 48) && name.endsWith('/')) typeflag = 53;
  return {
    typeflag,
    name,
    mode: decodeNumber(b, 100, 8),
    uid: decodeNumber(b, 108, 8),
    gid: decodeNumber(b, 116, 8),
    size: decodeNumber(b, 124, 12),
    mtime: new Date(1000 * decodeNumber(b, 136, 12)),
    type: TYPES[typeflag] ?? null,
    linkname: b[157] === 0 ? null : decodeString(b, 157, 100),
    devmajor: decodeNumber(b, 329, 8),
    devminor: decodeNumber(b, 337, 8),
    pax: null,
  };
}

/**
 * Pull-style reader: `next()` returns the next entry's header (or null at
 * the end); its body is read with `body()` or skipped by the next `next()`.
 * `claim(path)` before reading the body records it in the tar-split as the
 * content of a stored file instead of as raw bytes.
 */
export class TarReader {
  private readonly it: AsyncIterator<Buffer>;
  private chunks: Buffer[] = [];
  private have = 0;
  private eof = false;
  /** Body bytes of the current entry not yet read, and its padding. */
  private remaining = 0;
  private padding = 0;
  private claimed = false;
  private globalPax: RawPaxRecord[] = [];
  /** Input chunks read to their end, handed to `release` at the next point where nothing holds a slice of them. */
  private retired: Buffer[] = [];
  /** Bytes consumed from the input (for error messages). */
  offset = 0;

  /**
   * `release`, if given, gets back each input chunk once the reader and its
   * caller are done with it (its owner may then reuse the memory): at the
   * start of next() and before each piece body() reads, when the caller
   * has finished with the previous entry or piece. A caller that keeps
   * body pieces past that must not pass it.
   */
  constructor(
    input: AsyncIterable<Buffer | string>,
    private readonly sink?: TarSplitSink,
    private readonly release?: (chunk: Buffer) => void,
  ) {
    this.it = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  /** Never `this.sink?.raw(await …)`: optional chaining would skip reading the bytes when there is no sink. */
  private record(bytes: Buffer): void {
    if (this.sink) this.sink.raw(bytes);
  }

  /** Makes at least `n` bytes available; false when the input ended first. */
  private async fill(n: number): Promise<boolean> {
    while (this.have < n && !this.eof) {
      const r = await this.it.next();
      if (r.done) {
        this.eof = true;
        break;
      }
      const c = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
      if (c.length) {
        this.chunks.push(c);
        this.have += c.length;
      }
    }
    return this.have >= n;
  }

  /** Takes up to `max` buffered bytes, without copying when they lie in one chunk. */
  private take(max: number): Buffer {
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length <= max) {
      out = first;
      this.chunks.shift();
      if (this.release) this.retired.push(first);
    } else {
      out = first.subarray(0, max);
      this.chunks[0] = first.subarray(max);
    }
    this.have -= out.length;
    this.offset += out.length;
    return out;
  }

  /** Exactly `n` bytes (a copy when they span chunks); throws at a premature end. */
  private async exact(n: number, what: string): Promise<Buffer> {
    if (!(await this.fill(n))) throw new TarFormatError(`unexpected end of archive in ${what} at byte ${this.offset + this.have}`);
    const first = this.take(n);
    if (first.length === n) return first;
    const parts = [first];
    let got = first.length;
    while (got < n) {
      const p = this.take(n - got);
      parts.push(p);
      got += p.length;
    }
    return Buffer.concat(parts, n);
  }

  /** Records (or drops) the rest of the current entry's body and its padding. */
  private async finishEntry(): Promise<void> {
    while (this.remaining > 0) {
      if (!(await this.fill(1))) throw new TarFormatError(`unexpected end of archive in an entry body at byte ${this.offset}`);
      const part = this.take(this.remaining);
      this.remaining -= part.length;
      if (!this.claimed) this.record(part);
    }
    if (this.padding > 0) {
      this.record(await this.exact(this.padding, 'padding'));
      this.padding = 0;
    }
    this.claimed = false;
  }

  /** Everything after the end-of-archive marker, kept for the tar-split (tar writers pad to a record size). */
  private async trailer(): Promise<void> {
    for (;;) {
      if (!(await this.fill(1))) return;
      this.record(this.take(this.have));
    }
  }

  private releaseRetired(): void {
    if (!this.retired.length) return;
    for (const c of this.retired) this.release!(c);
    this.retired = [];
  }

  async next(): Promise<RawPaxHeaders | null> {
    this.releaseRetired();
    await this.finishEntry();
    let longPath: string | undefined;
    let longLink: string | undefined;
    let entryPax: RawPaxRecord[] | undefined;
    for (;;) {
      if (!(await this.fill(BLOCK))) {
        if (this.have > 0) throw new TarFormatError(`unexpected end of archive in a header at byte ${this.offset}`);
        return null;
      }
      const block = await this.exact(BLOCK, 'a header');
      this.record(block);
      if (isZeroBlock(block)) {
        if (await this.fill(BLOCK)) {
          const second = await this.exact(BLOCK, 'the end-of-archive marker');
          this.record(second);
          if (!isZeroBlock(second)) throw new TarFormatError(`a lone zero block before more entries at byte ${this.offset - BLOCK}`);
        }
        await this.trailer();
        return null;
      }
      const h = decodeHeader(block);
      const size = h.size ?? 0;
      if (!Number.isSafeInteger(size) || size < 0) throw new TarFormatError(`entry "${h.name}" has an invalid size`);
      const meta = h.type === 'pax-header' || h.type === 'pax-global-header' || h.type === 'gnu-long-path' || h.type === 'gnu-long-link-path';
      if (meta) {
        if (size > MAX_META) throw new TarFormatError(`${h.type} block of ${size} bytes is too large`);
        const data = await this.exact(size, h.type!);
        this.record(data);
        const pad = (BLOCK - (size % BLOCK)) % BLOCK;
        if (pad) this.record(await this.exact(pad, 'padding'));
        let records: RawPaxRecord[];
        try {
          if (h.type === 'gnu-long-path') longPath = decodeString(data, 0, data.length);
          else if (h.type === 'gnu-long-link-path') longLink = decodeString(data, 0, data.length);
          else if (h.type === 'pax-global-header') {
            records = decodePaxRaw(data);
            this.globalPax = records;
          } else entryPax = decodePaxRaw(data);
        } catch (e) {
          throw new TarFormatError(`${h.type}: ${(e as Error).message}`);
        }
        continue;
      }
      return this.entry(h, longPath, longLink, entryPax);
    }
  }

  private entry(h: RawPaxHeaders & { typeflag: number }, longPath?: string, longLink?: string, entryPax?: RawPaxRecord[]): RawPaxHeaders {
    const { typeflag: _flag, ...header } = h;
    if (longPath !== undefined) header.name = longPath;
    if (longLink !== undefined) header.linkname = longLink;
    const records = [...this.globalPax, ...(entryPax ?? [])];
    if (records.length) {
      const pax: Record<string, string> = {};
      for (const r of records) pax[r.key] = r.value.toString('utf8');
      if (pax.path) header.name = pax.path;
      if (pax.linkpath) header.linkname = pax.linkpath;
      if (pax.size) {
        const n = Number(pax.size);
        if (!Number.isSafeInteger(n) || n < 0) throw new TarFormatError(`entry "${header.name}" has an invalid pax size`);
        header.size = n;
      }
      header.pax = pax;
      header.paxRaw = records;
    }
    const body = header.type && HEADER_ONLY.has(header.type) ? 0 : (header.size ?? 0);
    this.remaining = body;
    this.padding = (BLOCK - (body % BLOCK)) % BLOCK;
    this.claimed = false;
    return header;
  }

  /** The current entry's body will be stored as the file at `path`: the tar-split refers to it instead of copying it. */
  claim(path: string): void {
    if (this.remaining === 0) return;
    this.claimed = true;
    this.sink?.file(path, this.remaining);
  }

  /** The current entry's body, as slices of the input (valid until the next call). */
  async *body(): AsyncGenerator<Buffer> {
    while (this.remaining > 0) {
      this.releaseRetired();
      if (!(await this.fill(1))) throw new TarFormatError(`unexpected end of archive: ${this.remaining} bytes of an entry missing`);
      const part = this.take(this.remaining);
      this.remaining -= part.length;
      if (!this.claimed) this.record(part);
      yield part;
    }
  }
}
