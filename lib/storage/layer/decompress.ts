/**
 * Layer blobs arrive gzip- or zstd-compressed (or plain). maybeDecompress sniffs
 * the magic bytes and returns the uncompressed stream.
 * gzip: node:zlib. zstd (and xz/bzip2 for old docker images): the system
 * `zstd`/`xz`/`bzip2` program as a child process — zstd-napi is not a
 * dependency and Node 20's zlib has no zstd.
 */
import { spawn } from 'node:child_process';
import { Duplex, PassThrough, Readable, pipeline } from 'node:stream';
import zlib from 'node:zlib';
import { findProgram, type ToteConfig } from '../../config/index.js';
import { SystemError } from '../../errors/index.js';

const COALESCE_BYTES = 1 << 20;

export type Compression = 'gzip' | 'zstd' | 'xz' | 'bzip2' | 'none';

export function detectCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x28b52ffd) return 'zstd';
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (head.length >= 3 && head.toString('latin1', 0, 3) === 'BZh') return 'bzip2';
  return 'none';
}

export interface DecompressOptions {
  /** Used to find the zstd/xz/bzip2 programs; without it, PATH is searched by spawn. */
  config?: ToteConfig;
}

/** Returns a stream of the uncompressed bytes of `input`; errors surface on the returned stream. */
export function maybeDecompress(input: NodeJS.ReadableStream, options: DecompressOptions = {}): Readable {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  const source = input as Readable;
  const it = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  (async () => {
    const head: Buffer[] = [];
    let have = 0;
    let ended = false;
    while (have < 6) {
      const r = await it.next();
      if (r.done) {
        ended = true;
        break;
      }
      const chunk = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
      head.push(chunk);
      have += chunk.length;
    }
    const first = Buffer.concat(head);
    // Network reads arrive in 16-64 KiB pieces; each call into zlib costs a
    // thread-pool round trip, so pieces are joined to ~1 MiB first (a cheap
    // copy that took ~15% of a pull's main-thread time off).
    async function* rest(): AsyncGenerator<Buffer> {
      let parts: Buffer[] = first.length ? [first] : [];
      let size = first.length;
      while (!ended) {
        const r = await it.next();
        if (r.done) break;
        const chunk = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
        parts.push(chunk);
        size += chunk.length;
        if (size >= COALESCE_BYTES) {
          yield parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
          parts = [];
          size = 0;
        }
      }
      if (size) yield parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
    }
    const src = Readable.from(rest(), { objectMode: false });
    const kind = detectCompression(first);
    const stages: Array<NodeJS.ReadableStream | NodeJS.WritableStream | Duplex> = [src];
    if (kind === 'gzip') stages.push(zlib.createGunzip({ chunkSize: 1 << 20 }));
    else if (kind !== 'none') stages.push(childDecompressor(kind, options.config));
    stages.push(out);
    pipeline(stages as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream], (err) => {
      if (err) out.destroy(err);
    });
  })().catch((e) => out.destroy(e));
  return out;
}

const PROGRAMS: Record<Exclude<Compression, 'gzip' | 'none'>, string> = { zstd: 'zstd', xz: 'xz', bzip2: 'bzip2' };

function childDecompressor(kind: Exclude<Compression, 'gzip' | 'none'>, config?: ToteConfig): Duplex {
  const name = PROGRAMS[kind];
  const prog = config ? findProgram(config, name) : name;
  if (!prog) {
    throw new SystemError('E_NO_DECOMPRESSOR', `${kind}-compressed layer, but the ${name} program is not installed`, {
      hint: `install it: apt-get install ${kind === 'zstd' ? 'zstd' : kind === 'xz' ? 'xz-utils' : 'bzip2'}`,
    });
  }
  const child = spawn(prog, ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 4096) stderr += d;
  });
  // The output ends only once the program exited 0, so a failed
  // decompression is an error rather than a silently short stream.
  const output = new PassThrough({ highWaterMark: 256 * 1024 });
  child.stdout.pipe(output, { end: false });
  const duplex = Duplex.from({ writable: child.stdin, readable: output }) as Duplex;
  child.once('error', (e) => duplex.destroy(new SystemError('E_DECOMPRESS', `${name}: ${e.message}`, { cause: e })));
  child.once('close', (code, signal) => {
    if (code === 0) output.end();
    else duplex.destroy(new SystemError('E_DECOMPRESS', `${name} -dc failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`));
  });
  duplex.once('close', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  });
  // A consumer that stops early closes stdin: that EPIPE is not the error.
  child.stdin.on('error', () => {});
  return duplex;
}
