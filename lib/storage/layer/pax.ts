/**
 * Binary-safe PAX extended headers.
 *
 * tar-stream decodes every PAX value as UTF-8 (headers.decodePax), which
 * corrupts binary xattr values such as security.capability. It never exposes
 * the raw record block, so `rawPaxExtract()` wraps one Extract instance: its
 * (private, stable since tar-stream 2) `_decodeLongHeader` hook keeps a copy
 * of the raw pax block, and `_applyLongHeaders` — which runs synchronously
 * right before the 'entry' event — attaches it to the header as `paxRaw`.
 * We then decode the records ourselves with values kept as Buffers.
 * If a future tar-stream renames those hooks, `paxRaw` is simply absent and
 * callers fall back to the UTF-8 decoded `header.pax` (text xattrs still work).
 */
import type tar from 'tar-stream';
import { createRequire } from 'node:module';

// Loaded on first use: every command imports lib/storage, few read a tar,
// and tar-stream with its dependencies costs ~10 ms to load.
let tarModule: typeof tar | undefined;
function tarStream(): typeof tar {
  tarModule ??= createRequire(import.meta.url)('tar-stream') as typeof tar;
  return tarModule;
}

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

/** tar-stream's header as it really arrives (type may be null for unknown typeflags). */
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
  /** tar-stream's UTF-8 decoding of the pax records (lossy for binary values). */
  pax?: Record<string, string> | null;
  /** Raw records of the entry's own pax header (and the global one before it). */
  paxRaw?: RawPaxRecord[];
}

interface ExtractInternals {
  _header: { type?: string } & Record<string, unknown>;
  _decodeLongHeader(buf: Buffer): void;
  _applyLongHeaders(): void;
}

/** A tar-stream extract whose entry headers carry `paxRaw`. */
export function rawPaxExtract(): tar.Extract {
  const ex = tarStream().extract();
  const internals = ex as unknown as ExtractInternals;
  const origDecode = internals._decodeLongHeader;
  const origApply = internals._applyLongHeaders;
  if (typeof origDecode !== 'function' || typeof origApply !== 'function') return ex;
  let globalRaw: RawPaxRecord[] | null = null;
  let entryRaw: RawPaxRecord[] | null = null;
  internals._decodeLongHeader = function (this: ExtractInternals, buf: Buffer): void {
    const type = this._header.type;
    if (type === 'pax-header') entryRaw = decodePaxRaw(buf);
    else if (type === 'pax-global-header') globalRaw = decodePaxRaw(buf);
    origDecode.call(this, buf);
  };
  internals._applyLongHeaders = function (this: ExtractInternals): void {
    origApply.call(this);
    if (entryRaw || globalRaw) this._header.paxRaw = [...(globalRaw ?? []), ...(entryRaw ?? [])];
    entryRaw = null;
  };
  return ex;
}
