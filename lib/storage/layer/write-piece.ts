/**
 * Writes one piece of a file's body for the layer applier (apply.ts).
 *
 * Small pieces synchronously: each such syscall takes ~1-2 µs, while a
 * thread-pool round trip costs 20-50 µs (for small files the async form was
 * 2x slower). Pieces of 256 KiB and more on the thread pool: copying a MiB
 * into the page cache takes ~0.3 ms of system time, which the JS thread then
 * spends reading the network and the next piece instead (a pull's JS thread
 * is its bottleneck; the round trip is small against the copy).
 */
import fs from 'node:fs';

const ASYNC_WRITE_BYTES = 256 * 1024;

export function writePiece(fd: number, buf: Buffer): Promise<void> | void {
  if (buf.length < ASYNC_WRITE_BYTES) {
    for (let off = 0; off < buf.length; ) off += fs.writeSync(fd, buf, off, buf.length - off);
    return;
  }
  return new Promise((resolve, reject) => {
    const step = (off: number) =>
      fs.write(fd, buf, off, buf.length - off, null, (err, n) => {
        if (err) return reject(err);
        if (off + n < buf.length) step(off + n);
        else resolve();
      });
    step(0);
  });
}
