/**
 * Test helpers (used by the *.test.ts files here and in lib/storage/driver):
 * build layer tars in memory with tar-stream's pack.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { encodePaxRaw, type RawPaxRecord } from './pax.js';

export interface TarEntrySpec {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';
  content?: string | Buffer;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: Date;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  /** Text pax records through tar-stream (UTF-8 only). */
  pax?: Record<string, string>;
  /** Binary pax records, written as our own pax header block before the entry. */
  rawPax?: RawPaxRecord[];
}

export const myUid = process.getuid?.() ?? 0;
export const myGid = process.getgid?.() ?? 0;

export async function makeTar(entries: TarEntrySpec[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pack.on('data', (c: unknown) => chunks.push(c as Buffer));
    pack.on('end', () => resolve(Buffer.concat(chunks)));
    pack.on('error', reject);
  });
  for (const e of entries) {
    if (e.rawPax) {
      const block = encodePaxRaw(e.rawPax);
      // tar-stream packs no body for a 'pax-header' entry: write a file entry and
      // turn it into a pax header ('x') afterwards (see patchRawPax).
      await add(pack, { name: RAW_PAX_MARK, type: 'file', mode: 0o644, mtime: new Date(0) }, block);
    }
    const type = e.type ?? 'file';
    const header = {
      name: e.name,
      type,
      mode: e.mode ?? (type === 'directory' ? 0o755 : type === 'symlink' ? 0o777 : 0o644),
      uid: e.uid ?? myUid,
      gid: e.gid ?? myGid,
      mtime: e.mtime ?? new Date(1_600_000_000_000),
      linkname: e.linkname,
      devmajor: e.devmajor,
      devminor: e.devminor,
      pax: e.pax,
    };
    await add(pack, header, type === 'file' ? Buffer.from(e.content ?? '') : undefined);
  }
  pack.finalize();
  return patchRawPax(await done);
}

const RAW_PAX_MARK = '@@RAWPAX@@';

function patchRawPax(buf: Buffer): Buffer {
  const mark = Buffer.from(RAW_PAX_MARK);
  for (let off = 0; off + 512 <= buf.length; off += 512) {
    const block = buf.subarray(off, off + 512);
    if (!block.subarray(0, mark.length).equals(mark)) continue;
    block[156] = 'x'.charCodeAt(0);
    block.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of block) sum += b;
    block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  }
  return buf;
}

function add(pack: tar.Pack, header: Record<string, unknown>, content?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const cb = (err?: Error | null) => (err ? reject(err) : resolve());
    if (content !== undefined) pack.entry(header as never, content, cb);
    else pack.entry(header as never, cb);
  });
}

export function streamOf(buf: Buffer, chunkSize = 4096): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < buf.length; i += chunkSize) yield buf.subarray(i, i + chunkSize);
    })(),
    { objectMode: false },
  );
}

export async function tempDir(prefix = 'tote-layer-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}
