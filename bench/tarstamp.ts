/**
 * Makes a copy of a rootfs tar with one extra small file, so that each
 * `import` run brings a layer neither tool has seen (no layer reuse: a cold
 * import every time), while staying the ~2 MB busybox rootfs.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const BLOCK = 512;

/** Offset of the end-of-archive marker (the first all-zero header block). */
function endOfEntries(buf: Buffer): number {
  let off = 0;
  while (off + BLOCK <= buf.length) {
    const header = buf.subarray(off, off + BLOCK);
    if (header.every((b) => b === 0)) return off;
    const sizeField = header.subarray(124, 136).toString('ascii').replace(/\0.*$/s, '').trim();
    const size = sizeField ? parseInt(sizeField, 8) : 0;
    if (Number.isNaN(size)) throw new Error(`tar header at ${off}: bad size field`);
    off += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return buf.length;
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** A ustar header + data for a regular file owned by 0:0. */
function fileEntry(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(BLOCK);
  header.write(name, 0, 100, 'ascii');
  header.write(octal(0o644, 8), 100, 'ascii');
  header.write(octal(0, 8), 108, 'ascii');
  header.write(octal(0, 8), 116, 'ascii');
  header.write(octal(content.length, 12), 124, 'ascii');
  header.write(octal(Math.floor(Date.UTC(2024, 0, 1) / 1000), 12), 136, 'ascii');
  header.write('        ', 148, 'ascii');
  header.write('0', 156, 'ascii');
  header.write('ustar\0', 257, 'ascii');
  header.write('00', 263, 'ascii');
  let sum = 0;
  for (const b of header) sum += b;
  header.write(octal(sum, 7) + ' ', 148, 'ascii');
  const data = Buffer.alloc(Math.ceil(content.length / BLOCK) * BLOCK);
  content.copy(data);
  return Buffer.concat([header, data]);
}

/** Writes SRC plus `/etc/bench-stamp` (holding `stamp`) to DEST. */
export function stampedCopy(src: string, dest: string, stamp: string): void {
  const buf = readFileSync(src);
  const end = endOfEntries(buf);
  const extra = fileEntry('etc/bench-stamp', Buffer.from(`${stamp}\n`));
  writeFileSync(dest, Buffer.concat([buf.subarray(0, end), extra, Buffer.alloc(BLOCK * 2)]), { mode: 0o644 });
}
