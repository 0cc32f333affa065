import { describe, expect, test } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { loadConfig } from '../../config/index.js';
import { openLayerSource, type LayerSource } from './layer-source.js';
import { loadLayerCodec } from './native-codec.js';

const config = loadConfig();
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** `data` as a stream of pieces of the given sizes (cycled), each a fresh Buffer. */
function pieces(data: Buffer, sizes: number[]): Readable {
  const out: Buffer[] = [];
  for (let off = 0, i = 0; off < data.length; i++) {
    const n = Math.max(1, sizes[i % sizes.length]!);
    out.push(Buffer.from(data.subarray(off, off + n)));
    off += n;
  }
  return Readable.from(out, { objectMode: true });
}

/** Reads the tar as a consumer that is done with each piece at once: copies it, then gives it back (poisoned). */
async function drain(src: LayerSource, poison = true): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of src.tar) {
    const b = c as Buffer;
    parts.push(Buffer.from(b));
    if (poison) {
      src.release(b);
      // Whatever the source still needed from this memory would now be garbage.
      b.fill(0xee);
    }
  }
  return Buffer.concat(parts);
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

/** gzip with FEXTRA, FNAME, FCOMMENT and FHCRC set (RFC 1952), as no everyday writer makes it. */
function fullHeaderGzip(plain: Buffer): Buffer {
  const extra = Buffer.from('AB\x04\x00data', 'latin1');
  const xlen = Buffer.alloc(2);
  xlen.writeUInt16LE(extra.length);
  const head = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0x1e, 0, 0, 0, 0, 0, 3]), xlen, extra, Buffer.from('layer.tar\0comment\0', 'latin1')]);
  const hcrc = Buffer.alloc(2);
  hcrc.writeUInt16LE(crc32(head) & 0xffff);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(plain), 0);
  trailer.writeUInt32LE(plain.length >>> 0, 4);
  return Buffer.concat([head, hcrc, zlib.deflateRawSync(plain), trailer]);
}

const compressible = Buffer.concat(Array.from({ length: 400 }, (_, i) => Buffer.from(`line ${i} of a fairly repetitive layer file\n`.repeat(50))));
const random = randomBytes(3 * 1024 * 1024 + 17);

const engines = [
  { name: 'layer codec', helperDir: config.helperDir, env: 'native' as const },
  { name: 'JS thread', helperDir: undefined, env: 'js' as const },
];

describe('the layer codec addon', () => {
  test('is built (make -C helpers, with libisal-dev) and loads', () => {
    const r = loadLayerCodec(config.helperDir);
    expect(r.why).toBeUndefined();
    expect(typeof r.module?.Codec).toBe('function');
  });
});

describe.each(engines)('openLayerSource on the $name', ({ helperDir, env }) => {
  const open = (input: Readable, extra: Parameters<typeof openLayerSource>[1] = {}) => {
    const s = openLayerSource(input, { helperDir, ...extra });
    return s;
  };

  test.each([
    ['compressible', compressible, [65536]],
    ['random', random, [1 << 20, 7, 300_000]],
    ['tiny', Buffer.from('x'), [1]],
  ])('gzip (%s): the tar and both digests', async (_label, plain, sizes) => {
    const gz = zlib.gzipSync(plain as Buffer);
    const src = open(pieces(gz, sizes as number[]));
    const out = await drain(src);
    expect(out.equals(plain as Buffer)).toBe(true);
    expect(src.raw()).toEqual({ digest: sha(gz), size: gz.length });
    expect(src.diff()).toEqual({ digest: sha(plain as Buffer), size: (plain as Buffer).length });
    expect(src.engine()).toBe(env);
  });

  test('a gzip header with every optional field (extra, name, comment, header CRC), split anywhere', async () => {
    const plain = compressible.subarray(0, 200_000);
    const gz = fullHeaderGzip(plain);
    expect(zlib.gunzipSync(gz).equals(plain)).toBe(true);
    for (const first of [1, 5, 12, 20, 40]) {
      const src = open(pieces(gz, [first, 7, 65536]));
      expect((await drain(src)).equals(plain)).toBe(true);
      expect(src.diff().digest).toBe(sha(plain));
    }
  });

  test('output far larger than its input (one input piece, many output pieces)', async () => {
    const zeros = Buffer.alloc(24 << 20);
    const gz = zlib.gzipSync(zeros, { level: 9 });
    const src = open(pieces(gz, [gz.length]));
    const out = await drain(src);
    expect(out.length).toBe(zeros.length);
    expect(out.equals(zeros)).toBe(true);
    expect(src.diff().digest).toBe(sha(zeros));
  });

  test('several gzip members, then zero padding, read as zlib in Node reads them', async () => {
    const a = randomBytes(100_000);
    const b = compressible.subarray(0, 70_000);
    const gz = Buffer.concat([zlib.gzipSync(a), zlib.gzipSync(b), Buffer.alloc(9)]);
    const src = open(pieces(gz, [4096, 1, 33]));
    const out = await drain(src);
    expect(out.equals(Buffer.concat([a, b]))).toBe(true);
    expect(src.raw().digest).toBe(sha(gz));
    expect(zlib.gunzipSync(gz).equals(out)).toBe(true);
  });

  test('an uncompressed tar: the digests of the input', async () => {
    const src = open(pieces(random, [70_000]));
    const out = await drain(src, false);
    expect(out.equals(random)).toBe(true);
    expect(src.raw()).toEqual({ digest: sha(random), size: random.length });
    expect(src.diff()).toEqual(src.raw());
  });

  test('plain: no sniffing, even when the bytes look like gzip', async () => {
    const looksGzip = zlib.gzipSync(Buffer.from('not meant to be inflated'));
    const src = open(pieces(looksGzip, [3]), { plain: true });
    expect((await drain(src, false)).equals(looksGzip)).toBe(true);
    expect(src.diff().digest).toBe(sha(looksGzip));
  });

  test('a truncated gzip stream is an error', async () => {
    const gz = zlib.gzipSync(compressible);
    const src = open(pieces(gz.subarray(0, gz.length - 100), [10_000]));
    await expect(drain(src)).rejects.toThrow(/unexpected end of file/);
  });

  test('corrupt deflate data is an error', async () => {
    const gz = Buffer.from(zlib.gzipSync(compressible));
    for (let i = 40; i < 60; i++) gz[i] ^= 0x5a;
    const src = open(pieces(gz, [10_000]));
    await expect(drain(src)).rejects.toThrow();
  });

  test('a wrong trailer (CRC or length) or header CRC is an error', async () => {
    const gz = zlib.gzipSync(compressible);
    const badCrc = Buffer.from(gz);
    badCrc[gz.length - 8]! ^= 1;
    const badSize = Buffer.from(gz);
    badSize[gz.length - 4]! ^= 1;
    const badHeaderCrc = fullHeaderGzip(compressible);
    const at = badHeaderCrc.indexOf('comment\0', 0, 'latin1') + 8;
    badHeaderCrc[at]! ^= 0xff;
    for (const bad of [badCrc, badSize, badHeaderCrc]) await expect(drain(open(pieces(bad, [5000])))).rejects.toThrow(/check|crc/i);
  });

  test('an error of the input ends the tar with that error', async () => {
    const gz = zlib.gzipSync(random);
    const input = new Readable({ objectMode: true, read() {} });
    input.push(gz.subarray(0, 100_000));
    setTimeout(() => input.destroy(Object.assign(new Error('connection reset'), { code: 'ECONNRESET' })), 20);
    const src = open(input);
    await expect(drain(src)).rejects.toThrow('connection reset');
  });

  test('digests are unavailable until the end', () => {
    const src = open(pieces(Buffer.from('abc'), [1]));
    expect(() => src.raw()).toThrow(/before the layer ended/);
    src.tar.destroy();
  });
});

describe('giving input memory back', () => {
  test('gzip on the codec gives every input piece back once, after it was consumed', async () => {
    const gz = zlib.gzipSync(random);
    const given: Buffer[] = [];
    const src = openLayerSource(pieces(gz, [100_000, 3000]), {
      helperDir: config.helperDir,
      giveBack: (c) => {
        given.push(c);
        // The producer may reuse it at once.
        c.fill(0xdd);
      },
    });
    const out = await drain(src);
    expect(out.equals(random)).toBe(true);
    expect(src.raw().digest).toBe(sha(gz));
    expect(given.reduce((n, c) => n + c.length, 0)).toBe(gz.length);
    expect(new Set(given).size).toBe(given.length);
  });

  test('nothing is given back on the JS thread or for an uncompressed layer', async () => {
    const given: Buffer[] = [];
    const giveBack = (c: Buffer) => given.push(c);
    await drain(openLayerSource(pieces(zlib.gzipSync(random), [65536]), { giveBack }));
    await drain(openLayerSource(pieces(random, [65536]), { helperDir: config.helperDir, giveBack }), false);
    expect(given).toEqual([]);
  });
});
