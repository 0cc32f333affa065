import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { findProgram, loadConfig } from '../../config/index.js';
import { applyLayer } from './apply.js';
import { detectCompression, maybeDecompress } from './decompress.js';
import { makeTar, streamOf, tempDir } from './test-fixtures.js';

async function collect(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const payload = Buffer.concat([Buffer.from('hello layer '), Buffer.alloc(200_000, 0x61)]);
const config = loadConfig();

describe('maybeDecompress', () => {
  test('detects formats by magic', () => {
    expect(detectCompression(zlib.gzipSync('x'))).toBe('gzip');
    expect(detectCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0]))).toBe('zstd');
    expect(detectCompression(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0]))).toBe('xz');
    expect(detectCompression(Buffer.from('BZh91AY'))).toBe('bzip2');
    expect(detectCompression(Buffer.from('ustar'))).toBe('none');
    expect(detectCompression(Buffer.alloc(0))).toBe('none');
  });

  test('plain input passes through, even split into 1-byte chunks at the start', async () => {
    const input = Readable.from([payload.subarray(0, 1), payload.subarray(1, 2), payload.subarray(2)], { objectMode: false });
    expect((await collect(maybeDecompress(input))).equals(payload)).toBe(true);
  });

  test('empty and tiny inputs', async () => {
    expect((await collect(maybeDecompress(Readable.from([], { objectMode: false })))).length).toBe(0);
    expect((await collect(maybeDecompress(Readable.from([Buffer.from('ab')], { objectMode: false })))).toString()).toBe('ab');
  });

  test('gzip', async () => {
    const gz = zlib.gzipSync(payload);
    expect((await collect(maybeDecompress(streamOf(gz, 1000)))).equals(payload)).toBe(true);
  });

  test('corrupt gzip is an error', async () => {
    const gz = zlib.gzipSync(payload);
    gz.fill(0x55, 20, 40);
    await expect(collect(maybeDecompress(streamOf(gz)))).rejects.toThrow();
  });

  test('zstd through the zstd program (required on test machines)', async () => {
    const zstd = findProgram(config, 'zstd');
    expect(zstd).toBeDefined();
    const z = spawnSync(zstd!, ['-c', '-q'], { input: payload }).stdout;
    expect(detectCompression(z)).toBe('zstd');
    expect((await collect(maybeDecompress(streamOf(z, 777), { config }))).equals(payload)).toBe(true);
    const bad = Buffer.from(z);
    bad.fill(0x13, 8, bad.length - 4);
    await expect(collect(maybeDecompress(streamOf(bad), { config }))).rejects.toMatchObject({ code: 'E_DECOMPRESS' });
  });

  test('a gzip layer applies end to end', async () => {
    const dir = await tempDir('tote-decomp-test-');
    try {
      const tarBuf = await makeTar([{ name: 'a/b', content: 'gz' }]);
      const stats = await applyLayer(maybeDecompress(streamOf(zlib.gzipSync(tarBuf))), dir);
      expect(stats.files).toBe(1);
      expect(await fs.readFile(path.join(dir, 'a/b'), 'utf8')).toBe('gz');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
