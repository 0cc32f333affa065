/**
 * applyLayer in-process, as whoever runs jest (root or an unprivileged user):
 * entries are owned by the runner, so chown is always permitted. Ownership
 * by other ids and whiteout devices are covered through the real helper in
 * extract.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { applyLayer, cleanEntryName, xattrLib, type ApplyStats } from './apply.js';
import { decodePaxRaw, encodePaxRaw } from './pax.js';
import { exists, makeTar, myGid, myUid, streamOf, tempDir, type TarEntrySpec } from './test-fixtures.js';

let base: string;
let n = 0;

beforeAll(async () => {
  base = await tempDir('tote-apply-test-');
});

afterAll(async () => {
  await fs.rm(base, { recursive: true, force: true });
});

/** A fresh case dir: <case>/layer is the target, <case>/outside is a neighbour it must not touch. */
async function freshCase(): Promise<{ dir: string; target: string; outside: string }> {
  const dir = path.join(base, `case${n++}`);
  const target = path.join(dir, 'layer');
  const outside = path.join(dir, 'outside');
  await fs.mkdir(target, { recursive: true });
  await fs.mkdir(outside);
  return { dir, target, outside };
}

async function apply(entries: TarEntrySpec[], target: string, debug?: string[]): Promise<ApplyStats> {
  return applyLayer(streamOf(await makeTar(entries)), target, { onDebug: (m) => debug?.push(m) });
}

async function expectCode(p: Promise<unknown>, code: string): Promise<Error & { code: string }> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err).toBeDefined();
  expect((err as { code?: string }).code).toBe(code);
  return err as Error & { code: string };
}

const T1 = new Date('2020-01-02T03:04:05Z');
const T2 = new Date('2019-05-06T07:08:09Z');

describe('cleanEntryName', () => {
  test('normalises ./, absolute names, duplicate slashes and inner ..', () => {
    expect(cleanEntryName('./a/b/')).toBe('a/b');
    expect(cleanEntryName('/etc/passwd')).toBe('etc/passwd');
    expect(cleanEntryName('a//b/./c')).toBe('a/b/c');
    expect(cleanEntryName('a/b/../c')).toBe('a/c');
    expect(cleanEntryName('./')).toBe('');
  });
  test('rejects .. that climbs above the root', () => {
    for (const bad of ['..', '../evil', 'a/../../evil', '/../x', './a/b/../../../c']) {
      expect(() => cleanEntryName(bad)).toThrow(expect.objectContaining({ code: 'E_LAYER_UNSAFE' }));
    }
  });
});

describe('pax records', () => {
  test('raw decoding keeps binary values intact', () => {
    const bin = Buffer.from([0x01, 0x00, 0x00, 0x02, 0xff, 0xfe, 0x0a, 0x3d, 0x80]);
    const block = encodePaxRaw([
      { key: 'SCHILY.xattr.security.capability', value: bin },
      { key: 'path', value: Buffer.from('dir/ünïcode') },
    ]);
    const recs = decodePaxRaw(block);
    expect(recs[0]!.key).toBe('SCHILY.xattr.security.capability');
    expect(recs[0]!.value.equals(bin)).toBe(true);
    expect(recs[1]!.value.toString()).toBe('dir/ünïcode');
  });
  test('malformed blocks throw', () => {
    expect(() => decodePaxRaw(Buffer.from('99 path=x\n'))).toThrow();
    expect(() => decodePaxRaw(Buffer.from('abc path=x\n'))).toThrow();
  });
});

describe('applyLayer: contents and metadata', () => {
  test('files, dirs, symlinks, hardlinks, modes and mtimes', async () => {
    const { target } = await freshCase();
    const big = Buffer.alloc(300_000, 7);
    const stats = await apply(
      [
        { name: './', type: 'directory', mode: 0o755, mtime: T1 },
        // children before their directory's own entry: its mode/mtime apply at the end
        { name: 'bin/tool', content: 'echo', mode: 0o4755, mtime: T1 },
        { name: 'bin/', type: 'directory', mode: 0o750, mtime: T2 },
        { name: 'bin/sg', content: 'x', mode: 0o2711, mtime: T1 },
        { name: 'tmp/', type: 'directory', mode: 0o1777, mtime: T1 },
        { name: 'data/big', content: big, mode: 0o600, mtime: T2 },
        { name: 'data/link', type: 'symlink', linkname: '../bin/tool', mtime: T2 },
        { name: 'data/abs-link', type: 'symlink', linkname: '/etc/passwd', mtime: T2 },
        { name: 'data/hard', type: 'link', linkname: 'bin/tool' },
        // the same directory again: mode updated, contents merged
        { name: 'data/', type: 'directory', mode: 0o700, mtime: T1 },
        { name: 'data/', type: 'directory', mode: 0o711, mtime: T2 },
      ],
      target,
    );
    expect(stats).toEqual({
      entries: 11,
      files: 3,
      dirs: 5,
      symlinks: 2,
      hardlinks: 1,
      whiteouts: 0,
      opaques: 0,
      devicesSkipped: 0,
      bytes: 4 + 1 + big.length,
    });
    const tool = await fs.lstat(path.join(target, 'bin/tool'));
    expect(tool.mode & 0o7777).toBe(0o4755);
    expect(tool.mtime.getTime()).toBe(T1.getTime());
    expect(tool.uid).toBe(myUid);
    expect(tool.nlink).toBe(2);
    expect((await fs.lstat(path.join(target, 'bin/sg'))).mode & 0o7777).toBe(0o2711);
    const binDir = await fs.lstat(path.join(target, 'bin'));
    expect(binDir.mode & 0o7777).toBe(0o750);
    expect(binDir.mtime.getTime()).toBe(T2.getTime());
    expect((await fs.lstat(path.join(target, 'tmp'))).mode & 0o7777).toBe(0o1777);
    const dataDir = await fs.lstat(path.join(target, 'data'));
    expect(dataDir.mode & 0o7777).toBe(0o711);
    expect(dataDir.mtime.getTime()).toBe(T2.getTime());
    expect((await fs.readFile(path.join(target, 'data/big'))).equals(big)).toBe(true);
    expect((await fs.lstat(path.join(target, 'data/big'))).mode & 0o7777).toBe(0o600);
    expect(await fs.readlink(path.join(target, 'data/link'))).toBe('../bin/tool');
    expect(await fs.readlink(path.join(target, 'data/abs-link'))).toBe('/etc/passwd');
    expect((await fs.lstat(path.join(target, 'data/link'))).mtime.getTime()).toBe(T2.getTime());
    const hard = await fs.lstat(path.join(target, 'data/hard'));
    expect(hard.ino).toBe(tool.ino);
    const root = await fs.lstat(target);
    expect(root.mtime.getTime()).toBe(T1.getTime());
  });

  test('implicit parent directories are created 0755', async () => {
    const { target } = await freshCase();
    await apply([{ name: 'a/b/c/file', content: 'x' }], target);
    expect((await fs.lstat(path.join(target, 'a/b'))).mode & 0o777).toBe(0o755);
    expect(await fs.readFile(path.join(target, 'a/b/c/file'), 'utf8')).toBe('x');
  });

  test('absolute names land inside the layer', async () => {
    const { target } = await freshCase();
    const name = `/tmp/evil-${process.pid}-${Date.now()}`;
    await apply([{ name, content: 'x' }], target);
    expect(await exists(name)).toBe(false);
    expect(await fs.readFile(path.join(target, name), 'utf8')).toBe('x');
  });

  test('entries replace what exists; a directory over a directory merges', async () => {
    const { target } = await freshCase();
    await fs.mkdir(path.join(target, 'wasdir/sub'), { recursive: true });
    await fs.writeFile(path.join(target, 'wasdir/sub/f'), 'old');
    await fs.mkdir(path.join(target, 'keep'));
    await fs.writeFile(path.join(target, 'keep/old'), 'old');
    await fs.writeFile(path.join(target, 'wasfile'), 'old');
    await apply(
      [
        { name: 'wasdir', content: 'now a file' },
        { name: 'keep/', type: 'directory' },
        { name: 'keep/new', content: 'new' },
        { name: 'wasfile/', type: 'directory' },
        { name: 'wasfile/x', content: 'x' },
        { name: 'f', content: 'first' },
        { name: 'f', content: 'second' },
        { name: 's', content: 'file' },
        { name: 's', type: 'symlink', linkname: 'f' },
      ],
      target,
    );
    expect(await fs.readFile(path.join(target, 'wasdir'), 'utf8')).toBe('now a file');
    expect(await fs.readFile(path.join(target, 'keep/old'), 'utf8')).toBe('old');
    expect(await fs.readFile(path.join(target, 'keep/new'), 'utf8')).toBe('new');
    expect(await fs.readFile(path.join(target, 'wasfile/x'), 'utf8')).toBe('x');
    expect(await fs.readFile(path.join(target, 'f'), 'utf8')).toBe('second');
    expect(await fs.readlink(path.join(target, 's'))).toBe('f');
  });

  test('a later file does not truncate through an earlier hardlink', async () => {
    const { target } = await freshCase();
    await apply(
      [
        { name: 'a', content: 'original' },
        { name: 'b', type: 'link', linkname: 'a' },
        { name: 'b', content: 'replaced' },
      ],
      target,
    );
    expect(await fs.readFile(path.join(target, 'a'), 'utf8')).toBe('original');
    expect(await fs.readFile(path.join(target, 'b'), 'utf8')).toBe('replaced');
  });

  test('hardlink to a symlink links the symlink itself', async () => {
    const { target, outside } = await freshCase();
    await apply(
      [
        { name: 'sym', type: 'symlink', linkname: outside },
        { name: 'hl', type: 'link', linkname: 'sym' },
      ],
      target,
    );
    const st = await fs.lstat(path.join(target, 'hl'));
    expect(st.isSymbolicLink()).toBe(true);
    expect(await fs.readlink(path.join(target, 'hl'))).toBe(outside);
  });

  test('PAX: long names, fractional mtime, text and binary xattrs', async () => {
    const { target } = await freshCase();
    const longName = `${'d'.repeat(120)}/${'f'.repeat(150)}`;
    const bin = Buffer.from([0x00, 0x01, 0xff, 0x0a, 0x80, 0xc3, 0x28, 0x00]);
    const debug: string[] = [];
    await apply(
      [
        { name: longName, content: 'long' },
        { name: 'text', content: 't', pax: { 'SCHILY.xattr.user.greeting': 'héllo' } },
        {
          name: 'binary',
          content: 'b',
          rawPax: [
            { key: 'SCHILY.xattr.user.blob', value: bin },
            { key: 'mtime', value: Buffer.from('1500000000.25') },
            { key: 'LIBARCHIVE.xattr.user.b64', value: Buffer.from(bin.toString('base64')) },
          ],
        },
        // the image may not set overlay's own attributes
        { name: 'sneaky/', type: 'directory', pax: { 'SCHILY.xattr.user.overlay.opaque': 'y' } },
      ],
      target,
      debug,
    );
    expect(await fs.readFile(path.join(target, longName), 'utf8')).toBe('long');
    const x = xattrLib();
    expect((await x.getAttribute(path.join(target, 'text'), 'user.greeting'))?.toString()).toBe('héllo');
    expect((await x.getAttribute(path.join(target, 'binary'), 'user.blob'))?.equals(bin)).toBe(true);
    expect((await x.getAttribute(path.join(target, 'binary'), 'user.b64'))?.equals(bin)).toBe(true);
    const st = await fs.stat(path.join(target, 'binary'));
    expect(st.mtimeMs).toBe(1_500_000_000_250);
    expect(await x.getAttribute(path.join(target, 'sneaky'), 'user.overlay.opaque')).toBeNull();
    expect(debug.some((m) => m.includes('user.overlay.opaque'))).toBe(true);
  });

  test('xattrs the kernel refuses are ignored and reported at debug', async () => {
    const { target } = await freshCase();
    const debug: string[] = [];
    await apply([{ name: 'f', content: 'x', pax: { 'SCHILY.xattr.bogusns.attr': 'v' } }], target, debug);
    expect(await fs.readFile(path.join(target, 'f'), 'utf8')).toBe('x');
    expect(debug.some((m) => m.includes('bogusns.attr'))).toBe(true);
  });

  test('opaque marker sets user.overlay.opaque=y on its directory', async () => {
    const { target } = await freshCase();
    const stats = await apply(
      [
        { name: 'etc/', type: 'directory' },
        { name: 'etc/.wh..wh..opq', content: '' },
        { name: 'etc/new', content: 'n' },
        { name: 'etc/.wh..wh.plnk', content: '' },
      ],
      target,
    );
    expect(stats.opaques).toBe(1);
    expect(stats.whiteouts).toBe(0);
    expect((await xattrLib().getAttribute(path.join(target, 'etc'), 'user.overlay.opaque'))?.toString()).toBe('y');
    expect(await exists(path.join(target, 'etc/.wh..wh..opq'))).toBe(false);
    expect(await exists(path.join(target, 'etc/.wh..wh.plnk'))).toBe(false);
  });

  test('device nodes and fifos are skipped and counted', async () => {
    const { target } = await freshCase();
    const debug: string[] = [];
    const stats = await apply(
      [
        { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3 },
        { name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0 },
        { name: 'run/fifo', type: 'fifo' },
        { name: 'after', content: 'ok' },
      ],
      target,
      debug,
    );
    expect(stats.devicesSkipped).toBe(3);
    expect(await exists(path.join(target, 'dev/null'))).toBe(false);
    expect(await exists(path.join(target, 'run/fifo'))).toBe(false);
    expect(await fs.readFile(path.join(target, 'after'), 'utf8')).toBe('ok');
    expect(debug.filter((m) => m.startsWith('skipped')).length).toBe(3);
  });

  test('an empty stream is an empty layer', async () => {
    const { target } = await freshCase();
    const stats = await applyLayer(Readable.from([]), target);
    expect(stats.entries).toBe(0);
  });
});

describe('applyLayer: corrupt input', () => {
  test('truncated in a header → E_LAYER_CORRUPT', async () => {
    const { target } = await freshCase();
    const tarBuf = await makeTar([{ name: 'a', content: 'x'.repeat(2000) }, { name: 'b', content: 'y' }]);
    await expectCode(applyLayer(streamOf(tarBuf.subarray(0, 3072 + 100)), target), 'E_LAYER_CORRUPT');
  });

  test('truncated inside file content → E_LAYER_CORRUPT', async () => {
    const { target } = await freshCase();
    const tarBuf = await makeTar([{ name: 'a', content: Buffer.alloc(100_000, 1) }]);
    await expectCode(applyLayer(streamOf(tarBuf.subarray(0, 50_000)), target), 'E_LAYER_CORRUPT');
  });

  test('garbage → E_LAYER_CORRUPT', async () => {
    const { target } = await freshCase();
    await expectCode(applyLayer(streamOf(Buffer.alloc(4096, 0x41)), target), 'E_LAYER_CORRUPT');
  });

  test('hardlink to a missing target → E_LAYER_CORRUPT', async () => {
    const { target } = await freshCase();
    await expectCode(apply([{ name: 'h', type: 'link', linkname: 'nope' }], target), 'E_LAYER_CORRUPT');
  });

  test('an error on the input stream rejects', async () => {
    const { target } = await freshCase();
    const input = new Readable({
      read() {
        this.destroy(new Error('network went away'));
      },
    });
    await expectCode(applyLayer(input, target), 'E_LAYER_CORRUPT');
  });

  test('a missing target directory is refused', async () => {
    const { dir } = await freshCase();
    await expectCode(apply([{ name: 'a', content: 'x' }], path.join(dir, 'nope')), 'E_LAYER_TARGET');
  });
});

describe('applyLayer: hostile layers never write outside the target', () => {
  const evilTmp = path.join(os.tmpdir(), `tote-evil-${process.pid}`);

  afterAll(async () => {
    await fs.rm(evilTmp, { recursive: true, force: true });
  });

  test('../evil', async () => {
    const { dir, target } = await freshCase();
    const err = await expectCode(apply([{ name: '../evil', content: 'x' }], target), 'E_LAYER_UNSAFE');
    expect(err.message).toContain('../evil');
    expect(await exists(path.join(dir, 'evil'))).toBe(false);
  });

  test('a/../../evil', async () => {
    const { dir, target } = await freshCase();
    await expectCode(apply([{ name: 'a/../../evil', content: 'x' }], target), 'E_LAYER_UNSAFE');
    expect(await exists(path.join(dir, 'evil'))).toBe(false);
  });

  test('../ as a directory, symlink and hardlink name', async () => {
    const { dir, target } = await freshCase();
    await expectCode(apply([{ name: '../evildir/', type: 'directory' }], target), 'E_LAYER_UNSAFE');
    await expectCode(apply([{ name: '../evillink', type: 'symlink', linkname: '/' }], target), 'E_LAYER_UNSAFE');
    await fs.writeFile(path.join(target, 'ok'), 'x');
    await expectCode(apply([{ name: '../evilhard', type: 'link', linkname: 'ok' }], target), 'E_LAYER_UNSAFE');
    for (const f of ['evildir', 'evillink', 'evilhard']) expect(await exists(path.join(dir, f))).toBe(false);
  });

  test('symlink to an absolute outside dir, then a file through it', async () => {
    const { target, outside } = await freshCase();
    await expectCode(
      apply(
        [
          { name: 'link', type: 'symlink', linkname: outside },
          { name: 'link/evil', content: 'x' },
        ],
        target,
      ),
      'E_LAYER_UNSAFE',
    );
    expect(await exists(path.join(outside, 'evil'))).toBe(false);
  });

  test('symlink to /tmp, then a deep file through it', async () => {
    const { target } = await freshCase();
    await expectCode(
      apply(
        [
          { name: 'link', type: 'symlink', linkname: os.tmpdir() },
          { name: `link/${path.basename(evilTmp)}/x`, content: 'x' },
        ],
        target,
      ),
      'E_LAYER_UNSAFE',
    );
    expect(await exists(evilTmp)).toBe(false);
  });

  test('symlink -> .., then link/evil', async () => {
    const { target } = await freshCase();
    await expectCode(
      apply(
        [
          { name: 'link', type: 'symlink', linkname: '..' },
          { name: 'link/evil', content: 'x' },
        ],
        target,
      ),
      'E_LAYER_UNSAFE',
    );
    expect(await exists(path.join(target, '..', 'evil'))).toBe(false);
  });

  test('symlink, then a directory and a symlink through it', async () => {
    const { target, outside } = await freshCase();
    await expectCode(
      apply(
        [
          { name: 'link', type: 'symlink', linkname: outside },
          { name: 'link/d/', type: 'directory' },
        ],
        target,
      ),
      'E_LAYER_UNSAFE',
    );
    await expectCode(apply([{ name: 'link/s', type: 'symlink', linkname: '/' }], target), 'E_LAYER_UNSAFE');
    expect(await fs.readdir(outside)).toEqual([]);
  });

  test('a symlink already in the target directory is not followed', async () => {
    const { target, outside } = await freshCase();
    await fs.symlink(outside, path.join(target, 'pre'));
    await expectCode(apply([{ name: 'pre/evil', content: 'x' }], target), 'E_LAYER_UNSAFE');
    expect(await fs.readdir(outside)).toEqual([]);
  });

  test('a file entry replaces a symlink instead of writing through it', async () => {
    const { target, outside } = await freshCase();
    await fs.writeFile(path.join(outside, 'victim'), 'precious');
    await apply(
      [
        { name: 's', type: 'symlink', linkname: path.join(outside, 'victim') },
        { name: 's', content: 'layer content', mode: 0o777 },
        { name: 'n', type: 'symlink', linkname: path.join(outside, 'new') },
        { name: 'n', content: 'x' },
      ],
      target,
    );
    expect(await fs.readFile(path.join(outside, 'victim'), 'utf8')).toBe('precious');
    expect((await fs.lstat(path.join(outside, 'victim'))).mode & 0o777).toBe(0o644);
    expect(await exists(path.join(outside, 'new'))).toBe(false);
    expect(await fs.readFile(path.join(target, 's'), 'utf8')).toBe('layer content');
  });

  test('a directory replaced by a symlink after being used is checked again', async () => {
    const { target, outside } = await freshCase();
    await expectCode(
      apply(
        [
          { name: 'd/', type: 'directory' },
          { name: 'd/x', content: 'x' },
          { name: 'd', type: 'symlink', linkname: outside },
          { name: 'd/evil', content: 'x' },
        ],
        target,
      ),
      'E_LAYER_UNSAFE',
    );
    expect(await fs.readdir(outside)).toEqual([]);
  });

  test('deferred directory metadata is not applied through a later symlink', async () => {
    const { target, outside } = await freshCase();
    await fs.chmod(outside, 0o751);
    const before = await fs.stat(outside);
    await apply(
      [
        { name: 'd/', type: 'directory', mode: 0o700, mtime: T1 },
        { name: 'd', type: 'symlink', linkname: outside },
      ],
      target,
    );
    const after = await fs.stat(outside);
    expect(after.mode & 0o7777).toBe(0o751);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect((await fs.lstat(path.join(target, 'd'))).isSymbolicLink()).toBe(true);
  });

  test('hardlink to ../../etc/passwd', async () => {
    const { target } = await freshCase();
    const err = await expectCode(apply([{ name: 'passwd', type: 'link', linkname: '../../etc/passwd' }], target), 'E_LAYER_UNSAFE');
    expect(err.message).toContain('passwd');
    expect(await exists(path.join(target, 'passwd'))).toBe(false);
  });

  test('hardlink to an absolute /etc/passwd resolves inside the layer (missing there)', async () => {
    const { target } = await freshCase();
    await expectCode(apply([{ name: 'passwd', type: 'link', linkname: '/etc/passwd' }], target), 'E_LAYER_CORRUPT');
    expect(await exists(path.join(target, 'passwd'))).toBe(false);
  });

  test('hardlink through a symlinked directory', async () => {
    const { target, outside } = await freshCase();
    await fs.writeFile(path.join(outside, 'secret'), 's');
    await expectCode(
      apply(
        [
          { name: 'ldir', type: 'symlink', linkname: outside },
          { name: 'stolen', type: 'link', linkname: 'ldir/secret' },
        ],
        target,
      ),
      'E_LAYER_UNSAFE',
    );
    expect(await exists(path.join(target, 'stolen'))).toBe(false);
    expect((await fs.stat(path.join(outside, 'secret'))).nlink).toBe(1);
    await expectCode(
      apply(
        [
          { name: 'etc', type: 'symlink', linkname: '/etc' },
          { name: 'pw', type: 'link', linkname: 'etc/passwd' },
        ],
        target,
      ),
      'E_LAYER_UNSAFE',
    );
    expect(await exists(path.join(target, 'pw'))).toBe(false);
  });

  test('hardlink whose new name goes through a symlink', async () => {
    const { target, outside } = await freshCase();
    await expectCode(
      apply(
        [
          { name: 'f', content: 'x' },
          { name: 'ldir', type: 'symlink', linkname: outside },
          { name: 'ldir/f2', type: 'link', linkname: 'f' },
        ],
        target,
      ),
      'E_LAYER_UNSAFE',
    );
    expect(await fs.readdir(outside)).toEqual([]);
  });

  test('whiteout and opaque markers through a symlink delete/mark nothing outside', async () => {
    const { target, outside } = await freshCase();
    await fs.writeFile(path.join(outside, 'important'), 'keep');
    await expectCode(
      apply(
        [
          { name: 'link', type: 'symlink', linkname: outside },
          { name: 'link/.wh.important', content: '' },
        ],
        target,
      ),
      'E_LAYER_UNSAFE',
    );
    expect(await fs.readFile(path.join(outside, 'important'), 'utf8')).toBe('keep');
    await expectCode(apply([{ name: 'link/.wh..wh..opq', content: '' }], target), 'E_LAYER_UNSAFE');
    expect(await xattrLib().getAttribute(outside, 'user.overlay.opaque')).toBeNull();
    await expectCode(apply([{ name: '../.wh.outside', content: '' }], target), 'E_LAYER_UNSAFE');
    expect(await exists(outside)).toBe(true);
  });

  test('symlink and file names for the layer root itself', async () => {
    const { target } = await freshCase();
    await expectCode(apply([{ name: './', type: 'symlink', linkname: '/' }], target), 'E_LAYER_UNSAFE');
    await expectCode(apply([{ name: 'a/..', type: 'link', linkname: 'x' }], target), 'E_LAYER_UNSAFE');
    expect((await fs.lstat(target)).isDirectory()).toBe(true);
  });
});

test('applyLayer streams a large layer with backpressure', async () => {
  const { target } = await freshCase();
  const entries: TarEntrySpec[] = [];
  for (let i = 0; i < 300; i++) entries.push({ name: `d${i % 10}/f${i}`, content: Buffer.alloc(i * 97, i & 0xff) });
  entries.push({ name: 'huge', content: Buffer.alloc(8 * 1024 * 1024, 3) });
  const stats = await applyLayer(streamOf(await makeTar(entries), 65536), target);
  expect(stats.files).toBe(301);
  expect((await fs.stat(path.join(target, 'huge'))).size).toBe(8 * 1024 * 1024);
  expect((await fs.readFile(path.join(target, 'd7/f7'))).equals(Buffer.alloc(7 * 97, 7))).toBe(true);
  expect(myGid).toBe(process.getgid?.());
});
