/**
 * The one tar shape the bench writes by hand: a ustar header for a regular
 * file owned by 0:0, mode 0644, with a fixed mtime so the same content
 * always gives the same bytes (and so the same layer digest).
 */

/** Tar's unit: headers are one block, data is padded to whole blocks. */
export const BLOCK = 512;

/** Bytes `size` bytes of file data take in a tar (padded to whole blocks). */
export function paddedSize(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** The 512-byte ustar header of a regular file (0:0, 0644) of `size` bytes. */
export function fileHeader(name: string, size: number): Buffer {
  const header = Buffer.alloc(BLOCK);
  header.write(name, 0, 100, 'ascii');
  header.write(octal(0o644, 8), 100, 'ascii');
  header.write(octal(0, 8), 108, 'ascii');
  header.write(octal(0, 8), 116, 'ascii');
  header.write(octal(size, 12), 124, 'ascii');
  header.write(octal(Math.floor(Date.UTC(2024, 0, 1) / 1000), 12), 136, 'ascii');
  // The checksum is summed with its own field read as spaces.
  header.write('        ', 148, 'ascii');
  header.write('0', 156, 'ascii');
  header.write('ustar\0', 257, 'ascii');
  header.write('00', 263, 'ascii');
  let sum = 0;
  for (const b of header) sum += b;
  header.write(octal(sum, 7) + ' ', 148, 'ascii');
  return header;
}
