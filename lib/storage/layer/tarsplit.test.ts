/**
 * tar-split round trips: a layer tar applied with a recorder, then rebuilt
 * from the extracted directory, must be the same bytes (its sha256 is the
 * diff id push and save must reproduce).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { applyLayer } from './apply.js';
import { encodePaxRaw } from './pax.js';
import { TarReader } from './tar-reader.js';
import { assembleTar, parseTarSplit, TarSplitRecorder } from './tarsplit.js';
import { makeTar, streamOf, tempDir, type TarEntrySpec } from './test-fixtures.js';

let base: string;
let n = 0;

beforeAll(async () => {
  base = await tempDir('tote-tarsplit-test-');
});

afterAll(async () => {
  await fs.rm(base, { recursive: true, force: true });
});

async function roundTrip(tar: Buffer, chunkSize = 4096): Promise<Buffer> {
  const target = path.join(base, `case${n++}`);
  await fs.mkdir(target);
  const split = new TarSplitRecorder(target);
  await applyLayer(streamOf(tar, chunkSize), target, { split });
  const items = parseTarSplit(split.serialize());
  const out: Buffer[] = [];
  for await (const c of assembleTar(items, target)) out.push(Buffer.from(c));
  return Buffer.concat(out);
}

const big = Buffer.alloc(300_000, 7);
const entries: TarEntrySpec[] = [
  { name: 'etc/', type: 'directory' },
  { name: 'etc/hostname', content: 'tote\n' },
  { name: 'bin/', type: 'directory' },
  { name: 'bin/big', content: big },
  { name: 'bin/empty', content: '' },
  { name: 'bin/link', type: 'symlink', linkname: 'big' },
  { name: 'bin/hard', type: 'link', linkname: 'bin/big' },
  { name: `deep/${'d'.repeat(120)}/file`, content: 'long name' },
  { name: 'x/', type: 'directory', pax: { 'SCHILY.xattr.user.note': 'kept' } },
  { name: 'x/.wh.gone', content: '' },
  { name: 'x/.wh..wh..opq', content: '' },
];

describe('tar-split', () => {
  test('rebuilds the exact tar: files, links, long names, pax, whiteouts', async () => {
    const tar = await makeTar(entries);
    expect((await roundTrip(tar)).equals(tar)).toBe(true);
    // Chunk boundaries inside headers and bodies change nothing.
    expect((await roundTrip(tar, 777)).equals(tar)).toBe(true);
  });

  test('input given back and overwritten as soon as the reader releases it changes nothing', async () => {
    const tar = await makeTar([
      ...entries,
      { name: 'bin/bin-pax', content: big.subarray(0, 5000), rawPax: [{ key: 'SCHILY.xattr.user.bin', value: Buffer.from([0, 255, 1, 2]) }] },
    ]);
    for (const size of [511, 4096, 65536, 1 << 20]) {
      const target = path.join(base, `case${n++}`);
      await fs.mkdir(target);
      const split = new TarSplitRecorder(target);
      // Fresh pieces, handed on one by one, as the layer codec's output is.
      const pieces: Buffer[] = [];
      for (let i = 0; i < tar.length; i += size) pieces.push(Buffer.from(tar.subarray(i, i + size)));
      let released = 0;
      const release = (c: Buffer) => {
        released += c.length;
        c.fill(0xee);
      };
      await applyLayer(Readable.from(pieces, { objectMode: true }), target, { split, release });
      // All but the last piece or two come back (those go at the end, to the GC).
      if (pieces.length > 2) expect(released).toBeGreaterThan(0);
      expect(released).toBeLessThanOrEqual(tar.length);
      expect((await fs.readFile(path.join(target, 'bin/big'))).equals(big)).toBe(true);
      const out: Buffer[] = [];
      for await (const c of assembleTar(parseTarSplit(split.serialize()), target)) out.push(Buffer.from(c));
      expect({ size, same: Buffer.concat(out).equals(tar) }).toEqual({ size, same: true });
    }
  });

  test('keeps binary pax records and what follows the end-of-archive marker', async () => {
    const tar = await makeTar([{ name: 'f', content: 'x', rawPax: [{ key: 'SCHILY.xattr.user.bin', value: Buffer.from([0, 255, 1]) }] }]);
    // tar writers pad to a 10 KiB record: zero blocks after the marker.
    const padded = Buffer.concat([tar, Buffer.alloc(8192)]);
    expect((await roundTrip(padded)).equals(padded)).toBe(true);
  });

  test('a file entry repeated in the layer: the first content is kept in the split', async () => {
    const tar = await makeTar([
      { name: 'f', content: 'first version' },
      { name: 'f', content: 'second' },
      { name: 'd/', type: 'directory' },
      { name: 'd/g', content: 'inside' },
      { name: 'd', content: 'a file replaces the directory' },
    ]);
    expect((await roundTrip(tar)).equals(tar)).toBe(true);
  });

  test('a file made unreadable (mode 000), then replaced in the same layer', async () => {
    const tar = await makeTar([
      { name: 'secret', content: 'first' },
      { name: 'secret', content: 'second version' },
    ]);
    // tar-stream writes mode 0 as its default: set it in the headers.
    for (let off = 0; off + 512 <= tar.length; off += 512) {
      if (tar.toString('latin1', off, off + 6) !== 'secret') continue;
      tar.write('0000000\0', off + 100, 'latin1');
      tar.fill(0x20, off + 148, off + 156);
      let sum = 0;
      for (let i = off; i < off + 512; i++) sum += tar[i]!;
      tar.write(`${sum.toString(8).padStart(6, '0')}\0 `, off + 148, 'latin1');
    }
    const target = path.join(base, `case${n++}`);
    await fs.mkdir(target);
    const split = new TarSplitRecorder(target);
    await applyLayer(streamOf(tar), target, { split });
    expect((await fs.lstat(path.join(target, 'secret'))).mode & 0o777).toBe(0);
    // push and save rebuild the tar as namespace root, who may read it; here, as its owner:
    await fs.chmod(path.join(target, 'secret'), 0o600);
    const out: Buffer[] = [];
    for await (const c of assembleTar(parseTarSplit(split.serialize()), target)) out.push(Buffer.from(c));
    expect(Buffer.concat(out).equals(tar)).toBe(true);
  });

  test('a layer file that changed size is refused', async () => {
    const tar = await makeTar([{ name: 'f', content: 'abc' }]);
    const target = path.join(base, `case${n++}`);
    await fs.mkdir(target);
    const split = new TarSplitRecorder(target);
    await applyLayer(streamOf(tar), target, { split });
    await fs.writeFile(path.join(target, 'f'), 'abcd');
    const run = async () => {
      for await (const _ of assembleTar(parseTarSplit(split.serialize()), target)) {
        // drain
      }
    };
    await expect(run()).rejects.toThrow(/modified/);
  });
});

describe('TarReader', () => {
  test('headers as tar-stream gave them, GNU long names and pax included', async () => {
    const tar = await makeTar(entries);
    const r = new TarReader(streamOf(tar, 100));
    const names: string[] = [];
    for (let h = await r.next(); h; h = await r.next()) names.push(`${h.type}:${h.name}`);
    expect(names).toEqual(entries.map((e) => `${e.type ?? 'file'}:${e.name}`));
  });

  test('a truncated body and a bad checksum are errors', async () => {
    const tar = await makeTar([{ name: 'f', content: Buffer.alloc(5000, 1) }]);
    const cut = new TarReader(streamOf(tar.subarray(0, 2000)));
    await cut.next();
    await expect(cut.next()).rejects.toThrow(/unexpected end/);
    const bad = Buffer.from(tar);
    bad[10] ^= 1;
    await expect(new TarReader(streamOf(bad)).next()).rejects.toThrow(/checksum/);
  });

  test('pax records keep binary values', async () => {
    const value = Buffer.from([1, 0, 2, 0xff]);
    const tar = await makeTar([{ name: 'f', content: 'x', rawPax: [{ key: 'SCHILY.xattr.security.capability', value }] }]);
    const h = await new TarReader(streamOf(tar)).next();
    expect(h?.name).toBe('f');
    expect(h?.paxRaw?.find((p) => p.key === 'SCHILY.xattr.security.capability')?.value.equals(value)).toBe(true);
    expect(encodePaxRaw(h!.paxRaw!).length).toBeGreaterThan(0);
  });
});
