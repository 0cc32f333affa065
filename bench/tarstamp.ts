/**
 * Makes a copy of a rootfs tar with one extra small file, so that each
 * `import` run brings a layer neither tool has seen (no layer reuse: a cold
 * import every time), while staying the ~2 MB busybox rootfs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { BLOCK, fileHeader, paddedSize } from './tar.js';

/** Offset of the end-of-archive marker (the first all-zero header block). */
function endOfEntries(buf: Buffer): number {
  let off = 0;
  while (off + BLOCK <= buf.length) {
    const header = buf.subarray(off, off + BLOCK);
    if (header.every((b) => b === 0)) return off;
    const sizeField = header.subarray(124, 136).toString('ascii').replace(/\0.*$/s, '').trim();
    const size = sizeField ? parseInt(sizeField, 8) : 0;
    if (Number.isNaN(size)) throw new Error(`tar header at ${off}: bad size field`);
    off += BLOCK + paddedSize(size);
  }
  return buf.length;
}

/** A regular file's header and its data, padded to whole blocks. */
function fileEntry(name: string, content: Buffer): Buffer {
  const data = Buffer.alloc(paddedSize(content.length));
  content.copy(data);
  return Buffer.concat([fileHeader(name, content.length), data]);
}

/** Writes SRC plus `/etc/bench-stamp` (holding `stamp`) to DEST. */
export function stampedCopy(src: string, dest: string, stamp: string): void {
  const buf = readFileSync(src);
  const end = endOfEntries(buf);
  const extra = fileEntry('etc/bench-stamp', Buffer.from(`${stamp}\n`));
  writeFileSync(dest, Buffer.concat([buf.subarray(0, end), extra, Buffer.alloc(BLOCK * 2)]), { mode: 0o644 });
}
