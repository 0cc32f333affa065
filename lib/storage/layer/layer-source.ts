/**
 * A layer as it arrives (compressed or not) → its tar, with the digests of
 * both sides computed on the way: the blob digest a manifest names and the
 * diff id a config names. One pass, nothing written.
 *
 * gzip and plain layers go through the layer codec addon (native-codec.ts)
 * where it is built: hashing and inflate run on the thread pool, so the JS
 * thread is left with the network and the file writes, and layers pulled in
 * parallel use every core. Otherwise (no addon, zstd/xz/bzip2) the bytes are
 * hashed with node:crypto and decompressed by maybeDecompress.
 */
import { Readable } from 'node:stream';
import { SystemError } from '../../errors/index.js';
import { DigestStream } from '../blobs.js';
import { detectCompression, maybeDecompress, type DecompressOptions } from './decompress.js';
import { loadLayerCodec, runCodec, type CodecDigests, type NativeCodec } from './native-codec.js';

export interface Digested {
  /** `sha256:…` */
  digest: string;
  size: number;
}

export interface LayerSource {
  /** The uncompressed layer tar. */
  tar: Readable;
  /** The bytes as they came (the blob). Valid once `tar` has ended. */
  raw(): Digested;
  /** The tar (the diff id). Valid once `tar` has ended. */
  diff(): Digested;
  /** Which path did the work, once known (for debug output). */
  engine(): 'native' | 'js' | undefined;
  /**
   * For the tar's reader: a piece of `tar` it is done with, whose memory the
   * source may reuse (see TarReader). Optional to call.
   */
  release(chunk: Buffer): void;
}

export interface LayerSourceOptions extends DecompressOptions {
  /** Where layer-codec.node is (config.helperDir); without it the JS path is used. */
  helperDir?: string;
  /** The input is known to be an uncompressed tar: no sniffing. */
  plain?: boolean;
  /**
   * Gets back input chunks once the codec has consumed them, for their
   * producer to reuse the memory (the registry's read blocks). Only gzip
   * layers on the codec give chunks back; the others keep them.
   */
  giveBack?: (chunk: Buffer) => void;
}

/** Input is handed to the codec in batches of about this much (fewer thread-pool round trips). */
const BATCH_BYTES = 1 << 20;
/** Codec output buffers: one run fills at most one (a run that has more continues into the next). */
const OUT_BYTES = 1 << 20;
/** Free output buffers kept for reuse: about what is in flight between the codec and the tar reader. */
const POOL_KEEP = 8;

/**
 * The codec's output buffers, reused once the tar reader gives them back.
 * A fresh MiB for every MiB of a layer would cost its page faults and
 * zeroing each time, keep the garbage collector busy, and leave the
 * process hundreds of MiB to unmap at exit.
 */
class OutputPool {
  private readonly free: ArrayBuffer[] = [];
  private readonly mine = new WeakSet<ArrayBuffer>();

  take(): Buffer {
    const ab = this.free.pop() ?? new ArrayBuffer(OUT_BYTES);
    this.mine.add(ab);
    return Buffer.from(ab);
  }

  give(chunk: Buffer): void {
    const ab = chunk.buffer as ArrayBuffer;
    // Only whole buffers of ours, once: anything else is left to the GC.
    if (!this.mine.has(ab)) return;
    this.mine.delete(ab);
    if (this.free.length < POOL_KEEP) this.free.push(ab);
  }
}

export function openLayerSource(input: NodeJS.ReadableStream, options: LayerSourceOptions = {}): LayerSource {
  let raw: Digested | undefined;
  let diff: Digested | undefined;
  let engine: 'native' | 'js' | undefined;
  const source = input as Readable;

  const pool = new OutputPool();

  async function* native(codec: NativeCodec, gzip: boolean, first: Buffer[], rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
    async function* runBatch(batch: Buffer[]): AsyncGenerator<Buffer> {
      if (!gzip) {
        await runCodec(codec, batch, null).catch(codecError);
        yield* batch;
        return;
      }
      let inputs: Buffer[] | null = batch;
      for (;;) {
        const out = pool.take();
        const { written, more } = await runCodec(codec, inputs, out).catch(codecError);
        inputs = null;
        if (!more && options.giveBack) for (const c of batch) options.giveBack(c);
        if (written) yield out.subarray(0, written);
        else pool.give(out);
        if (!more) break;
      }
    }
    let batch = first;
    let bytes = first.reduce((n, b) => n + b.length, 0);
    for (;;) {
      const r = await rest.next();
      if (r.done) break;
      const chunk = asBuffer(r.value);
      batch.push(chunk);
      bytes += chunk.length;
      if (bytes >= BATCH_BYTES) {
        yield* runBatch(batch);
        batch = [];
        bytes = 0;
      }
    }
    if (bytes) yield* runBatch(batch);
    let d: CodecDigests;
    try {
      d = codec.finish();
    } catch (e) {
      throw codecError(e);
    }
    raw = { digest: `sha256:${d.compressed}`, size: d.compressedSize };
    diff = { digest: `sha256:${d.diff}`, size: d.diffSize };
  }

  async function* js(first: Buffer[], rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
    const rawDigest = new DigestStream();
    const replay = Readable.from(
      (async function* () {
        yield* first;
        for (;;) {
          const r = await rest.next();
          if (r.done) return;
          yield asBuffer(r.value);
        }
      })(),
      { objectMode: false },
    );
    replay.on('error', (e) => rawDigest.destroy(e));
    replay.pipe(rawDigest);
    const plain = options.plain ? rawDigest : maybeDecompress(rawDigest, options);
    if (plain !== rawDigest) rawDigest.on('error', (e) => plain.destroy(e));
    const diffDigest = new DigestStream();
    plain.on('error', (e) => diffDigest.destroy(e));
    plain.pipe(diffDigest);
    yield* diffDigest as AsyncIterable<Buffer>;
    raw = { digest: rawDigest.digest(), size: rawDigest.size };
    diff = options.plain ? raw : { digest: diffDigest.digest(), size: diffDigest.size };
  }

  async function* decode(): AsyncGenerator<Buffer> {
    const it = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    try {
      // Enough bytes to recognise the compression.
      const first: Buffer[] = [];
      let have = 0;
      while (!options.plain && have < 6) {
        const r = await it.next();
        if (r.done) break;
        const chunk = asBuffer(r.value);
        first.push(chunk);
        have += chunk.length;
      }
      const kind = options.plain ? 'none' : detectCompression(first.length === 1 ? first[0]! : Buffer.concat(first));
      const codec = (kind === 'gzip' || kind === 'none') && options.helperDir ? loadLayerCodec(options.helperDir).module : undefined;
      engine = codec ? 'native' : 'js';
      if (codec) yield* native(new codec.Codec(kind === 'gzip'), kind === 'gzip', first, it);
      else yield* js(first, it);
    } finally {
      // Stopped early (the consumer failed): nobody reads the rest.
      if (!source.readableEnded) source.destroy?.();
    }
  }

  // Object mode: a byte-mode stream read by an async iterator (as the tar
  // reader does) would join buffered pieces into a new Buffer, a copy of
  // every byte. Four pieces (~5 MiB) are decoded ahead of the reader.
  const tar = Readable.from(decode(), { objectMode: true, highWaterMark: 4 });
  return {
    tar,
    raw: () => {
      if (!raw) throw new SystemError('E_LAYER_READ', 'layer digest read before the layer ended');
      return raw;
    },
    diff: () => {
      if (!diff) throw new SystemError('E_LAYER_READ', 'layer digest read before the layer ended');
      return diff;
    },
    engine: () => engine,
    release: (chunk) => pool.give(chunk),
  };
}

function asBuffer(chunk: Buffer | string): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}

function codecError(e: unknown): never {
  const msg = e instanceof Error ? e.message : String(e);
  throw new SystemError('E_DECOMPRESS', `decompressing layer: ${msg}`, { cause: e });
}
