/**
 * packTree (layer mode: whiteouts and opaque dirs back to `.wh.` entries;
 * never following links) and unpackTar (never writing outside the target).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import tar from 'tar-stream';
import { mknodWhiteouts, OPAQUE_XATTR, xattrLib } from '../../storage/index.js';
import { makeTar, streamOf } from '../../storage/layer/test-fixtures.js';
import { computeChanges } from './changes.js';
import { packTree, unpackTar, type PackOptions } from './tar.js';

let base: string;
let n = 0;

beforeAll(async () => {
  base = await fs.mkdtemp(path.join(os.tmpdir(), 'tote-fstar-'));
});

afterAll(async () => {
  await fs.rm(base, { recursive: true, force: true });
});

async function fresh(): Promise<string> {
  const d = path.join(base, `c${n++}`);
  await fs.mkdir(d, { recursive: true });
  return d;
}

interface Listed {
  name: string;
  type: string;
  linkname?: string;
  body: string;
}

async function pack(options: PackOptions): Promise<Listed[]> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await packTree(options, out);
  const ex = tar.extract();
  const listed: Listed[] = [];
  const done = (async () => {
    for await (const e of ex) {
      const parts: Buffer[] = [];
      for await (const c of e) parts.push(c as Buffer);
      listed.push({ name: e.header.name, type: e.header.type, linkname: e.header.linkname || undefined, body: Buffer.concat(parts).toString() });
    }
  })();
  ex.end(Buffer.concat(chunks));
  await done;
  return listed;
}

/** Whiteout devices need root or a user namespace; opaque marks need user xattrs on this fs. */
async function canMknod(dir: string): Promise<boolean> {
  try {
    await mknodWhiteouts([path.join(dir, '.probe')]);
    await fs.rm(path.join(dir, '.probe'));
    return true;
  } catch {
    return false;
  }
}

async function canXattr(dir: string): Promise<boolean> {
  try {
    await xattrLib().setAttribute(dir, 'user.tote-probe', Buffer.from('1'));
    return true;
  } catch {
    return false;
  }
}

describe('packTree', () => {
  test('archives links as links, in name order, with a rebased top name', async () => {
    const d = await fresh();
    await fs.mkdir(path.join(d, 'src/b'), { recursive: true });
    await fs.writeFile(path.join(d, 'src/b/file'), 'hello');
    await fs.writeFile(path.join(d, 'src/a'), 'a');
    await fs.symlink('/', path.join(d, 'src/rootlink'));
    await fs.symlink('/etc/passwd', path.join(d, 'src/passwd'));
    await fs.link(path.join(d, 'src/a'), path.join(d, 'src/hard'));
    const entries = await pack({ source: path.join(d, 'src'), name: 'top' });
    expect(entries.map((e) => `${e.type} ${e.name}${e.linkname ? ` -> ${e.linkname}` : ''}`)).toEqual([
      'directory top/',
      'file top/a',
      'directory top/b/',
      'file top/b/file',
      'link top/hard -> top/a',
      'symlink top/passwd -> /etc/passwd',
      'symlink top/rootlink -> /',
    ]);
    expect(entries.find((e) => e.name === 'top/b/file')!.body).toBe('hello');
  });

  test('contents only (name ""): no top entry', async () => {
    const d = await fresh();
    await fs.writeFile(path.join(d, 'x'), 'x');
    const entries = await pack({ source: d, name: '' });
    expect(entries.map((e) => e.name)).toEqual(['x']);
  });

  test('a symlink given as the source is archived as a link, not followed', async () => {
    const d = await fresh();
    await fs.symlink('/etc', path.join(d, 'l'));
    const entries = await pack({ source: path.join(d, 'l'), name: 'l' });
    expect(entries).toEqual([{ name: 'l', type: 'symlink', linkname: '/etc', body: '' }]);
  });

  test('layer mode: whiteouts become .wh. entries, opaque dirs get .wh..wh..opq', async () => {
    const d = await fresh();
    const upper = path.join(d, 'upper');
    await fs.mkdir(path.join(upper, 'etc/opq'), { recursive: true });
    await fs.writeFile(path.join(upper, 'etc/opq/new'), 'n');
    if (!(await canMknod(upper)) || !(await canXattr(upper))) {
      process.stderr.write('skipped: needs mknod of 0/0 devices and user xattrs here\n');
      return;
    }
    await mknodWhiteouts([path.join(upper, 'etc/gone'), path.join(upper, 'top-gone')]);
    await xattrLib().setAttribute(path.join(upper, 'etc/opq'), OPAQUE_XATTR, Buffer.from('y'));
    await xattrLib().setAttribute(path.join(upper, 'etc/opq/new'), 'user.note', Buffer.from('kept'));
    await fs.writeFile(path.join(upper, 'etc/hosts'), '');
    const entries = await pack({ source: upper, name: '', layer: true, exclude: new Set(['etc/hosts']) });
    // In the walk's order of the upper dir's own names ('top-gone' after 'etc').
    expect(entries.map((e) => `${e.type} ${e.name}`)).toEqual([
      'directory etc/',
      'file etc/.wh.gone',
      'directory etc/opq/',
      'file etc/opq/.wh..wh..opq',
      'file etc/opq/new',
      'file .wh.top-gone',
    ]);
  });
});

describe('computeChanges', () => {
  test('A, C and D in docker order; parents of A/D listed as C', async () => {
    const d = await fresh();
    const lower = path.join(d, 'lower');
    const upper = path.join(d, 'upper');
    await fs.mkdir(path.join(lower, 'etc'), { recursive: true });
    await fs.mkdir(path.join(lower, 'usr/bin'), { recursive: true });
    await fs.writeFile(path.join(lower, 'etc/passwd'), 'old');
    await fs.writeFile(path.join(lower, 'etc/old'), 'old');
    await fs.mkdir(path.join(upper, 'etc'), { recursive: true });
    await fs.writeFile(path.join(upper, 'etc/passwd'), 'new');
    await fs.mkdir(path.join(upper, 'a-dir/sub'), { recursive: true });
    await fs.writeFile(path.join(upper, 'f'), 'hi');
    await fs.writeFile(path.join(upper, 'etc/hosts'), '');
    const lowerEtc = await fs.stat(path.join(lower, 'etc'));
    await fs.utimes(path.join(upper, 'etc'), lowerEtc.atime, lowerEtc.mtime);
    await fs.chmod(path.join(upper, 'etc'), lowerEtc.mode & 0o7777);
    let changes = await computeChanges(upper, [lower], new Set(['etc/hosts']));
    const text = changes.map((c) => `${c.kind} ${c.path}`);
    expect(text).toEqual(['A /a-dir', 'A /a-dir/sub', 'C /etc/passwd', 'A /f']);
    if (await canMknod(upper)) {
      await mknodWhiteouts([path.join(upper, 'etc/old')]);
      await fs.utimes(path.join(upper, 'etc'), lowerEtc.atime, lowerEtc.mtime);
      changes = await computeChanges(upper, [lower], new Set(['etc/hosts']));
      expect(changes.map((c) => `${c.kind} ${c.path}`)).toEqual(['A /a-dir', 'A /a-dir/sub', 'C /etc', 'D /etc/old', 'C /etc/passwd', 'A /f']);
    }
  });
});

describe('unpackTar', () => {
  test('strict: a symlink from the archive cannot be written through', async () => {
    const d = await fresh();
    const dest = path.join(d, 'dest');
    const outside = path.join(d, 'outside');
    await fs.mkdir(dest);
    await fs.mkdir(outside);
    const t = await makeTar([
      { name: 'link', type: 'symlink', linkname: outside },
      { name: 'link/evil', content: 'x' },
    ]);
    await expect(unpackTar(streamOf(t), { dest, mode: 'strict', owner: 'none' })).rejects.toMatchObject({ code: 'E_CP_UNSAFE' });
    await expect(fs.access(path.join(outside, 'evil'))).rejects.toThrow();
  });

  test('strict: an existing symlink at a file name is replaced, not followed', async () => {
    const d = await fresh();
    const dest = path.join(d, 'dest');
    await fs.mkdir(dest);
    await fs.writeFile(path.join(d, 'victim'), 'safe');
    await fs.symlink(path.join(d, 'victim'), path.join(dest, 'f'));
    await unpackTar(streamOf(await makeTar([{ name: 'f', content: 'new' }])), { dest, mode: 'strict', owner: 'none' });
    expect(await fs.readFile(path.join(d, 'victim'), 'utf8')).toBe('safe');
    expect(await fs.readFile(path.join(dest, 'f'), 'utf8')).toBe('new');
  });

  test('names climbing out with .. are refused', async () => {
    const d = await fresh();
    await expect(
      unpackTar(streamOf(await makeTar([{ name: '../evil', content: 'x' }])), { dest: d, mode: 'strict', owner: 'none' }),
    ).rejects.toMatchObject({ code: 'E_CP_UNSAFE' });
  });

  test('scoped: container links are followed but stay inside the root', async () => {
    const d = await fresh();
    const root = path.join(d, 'root');
    await fs.mkdir(path.join(root, 'etc'), { recursive: true });
    await fs.symlink('/', path.join(root, 'rootlink'));
    await fs.symlink('/etc', path.join(root, 'etclink'));
    await fs.symlink(d, path.join(root, 'hostlink'));
    const t = await makeTar([
      { name: 'rootlink/a', content: 'a' },
      { name: 'etclink/b', content: 'b' },
      { name: 'hostlink/c', content: 'c' },
      { name: 'rootlink/../../../d', content: 'd' },
    ]).catch(() => undefined);
    const t2 = await makeTar([
      { name: 'rootlink/a', content: 'a' },
      { name: 'etclink/b', content: 'b' },
      { name: 'hostlink/c', content: 'c' },
    ]);
    await unpackTar(streamOf(t2), { dest: root, mode: 'scoped', root, owner: 'none' });
    expect(await fs.readFile(path.join(root, 'a'), 'utf8')).toBe('a');
    expect(await fs.readFile(path.join(root, 'etc/b'), 'utf8')).toBe('b');
    // The host path named by the link was recreated under the root, not written on the host.
    expect(await fs.readFile(path.join(root, d, 'c'), 'utf8')).toBe('c');
    await expect(fs.access(path.join(d, 'c'))).rejects.toThrow();
    if (t) {
      await expect(unpackTar(streamOf(t), { dest: root, mode: 'scoped', root, owner: 'none' })).rejects.toMatchObject({ code: 'E_CP_UNSAFE' });
    }
  });

  test('rename: the top entry gets the destination name, or is stripped', async () => {
    const d = await fresh();
    const t = await makeTar([
      { name: 'src/', type: 'directory' },
      { name: 'src/x', content: 'x' },
    ]);
    await unpackTar(streamOf(t), { dest: d, mode: 'strict', owner: 'none', rename: { from: 'src', to: 'renamed' } });
    expect(await fs.readFile(path.join(d, 'renamed/x'), 'utf8')).toBe('x');
    await unpackTar(streamOf(t), { dest: d, mode: 'strict', owner: 'none', rename: { from: 'src', to: '' } });
    expect(await fs.readFile(path.join(d, 'x'), 'utf8')).toBe('x');
  });
});
