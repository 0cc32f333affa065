/**
 * Binary-safe PAX extended headers.
 *
 * JavaScript tar libraries decode every PAX value as UTF-8, which corrupts
 * binary xattr values such as security.capability. Layer tars are read by
 * our own reader (tar-reader.ts), which keeps each record's value as bytes
 * with decodePaxRaw() and hands them on as `paxRaw`.
 */

export interface RawPaxRecord {
  key: string;
  value: Buffer;
}

/**
 * Decodes a PAX block: records "LEN KEY=VALUE\n" where LEN counts the whole
 * record in bytes. Values are returned as raw bytes; keys as UTF-8.
 * Throws on a malformed block (the caller maps it to E_LAYER_CORRUPT).
 */
export function decodePaxRaw(buf: Buffer): RawPaxRecord[] {
  const records: RawPaxRecord[] = [];
  let off = 0;
  while (off < buf.length) {
    // Trailing NUL padding is tolerated.
    if (buf[off] === 0) break;
    const space = buf.indexOf(0x20, off);
    if (space < 0 || space - off > 20) throw new Error('malformed pax record length');
    const lenText = buf.toString('latin1', off, space);
    if (!/^[0-9]+$/.test(lenText)) throw new Error('malformed pax record length');
    const len = Number(lenText);
    const end = off + len;
    if (len <= space - off + 1 || end > buf.length || buf[end - 1] !== 0x0a) throw new Error('malformed pax record');
    const eq = buf.indexOf(0x3d, space + 1);
    if (eq < 0 || eq >= end - 1) throw new Error('malformed pax record (no "=")');
    records.push({ key: buf.toString('utf8', space + 1, eq), value: Buffer.from(buf.subarray(eq + 1, end - 1)) });
    off = end;
  }
  return records;
}

/** Encodes records the same way (used by tests to build binary pax headers). */
export function encodePaxRaw(records: RawPaxRecord[]): Buffer {
  const parts: Buffer[] = [];
  for (const r of records) {
    const body = Buffer.concat([Buffer.from(` ${r.key}=`, 'utf8'), r.value, Buffer.from('\n')]);
    let len = body.length + 1;
    while (String(len).length + body.length !== len) len = String(len).length + body.length;
    parts.push(Buffer.concat([Buffer.from(String(len), 'latin1'), body]));
  }
  return Buffer.concat(parts);
}

/** An entry header as the reader gives it (tar-stream's field names; type null for unknown typeflags). */
export interface RawPaxHeaders {
  name: string;
  size?: number;
  mode?: number;
  mtime?: Date;
  type?: string | null;
  linkname?: string | null;
  uid?: number;
  gid?: number;
  devmajor?: number;
  devminor?: number;
  /** The pax records decoded as UTF-8 (lossy for binary values: use paxRaw). */
  pax?: Record<string, string> | null;
  /** Raw records of the entry's own pax header (and the global one before it). */
  paxRaw?: RawPaxRecord[];
}
