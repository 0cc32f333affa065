/**
 * save and load: docker-archive and oci-archive round trips, several
 * images, stdin and gzip, and a corrupt archive that must store nothing.
 */
import { describe, test, expect, beforeAll } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { makeEnv, show, lines, type E2EEnv } from './harness.js';

const e = makeEnv();
let busyboxId = '';
let otherId = '';

/** The archive's regular files by name. */
async function members(buf: Buffer): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const extract = tar.extract();
  Readable.from([buf]).pipe(extract);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    if (entry.header.type === 'file') out.set(entry.header.name, Buffer.concat(chunks));
  }
  return out;
}

/** Rebuilds an archive with `edit` applied to each file's bytes. */
async function rewrite(buf: Buffer, edit: (name: string, data: Buffer) => Buffer): Promise<Buffer> {
  const files = await members(buf);
  const pack = tar.pack();
  for (const [name, data] of files) pack.entry({ name }, edit(name, data));
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function ids(env: E2EEnv): Promise<string[]> {
  const r = await env.tote(['images', '-q', '--no-trunc']);
  expect(r.code).toBe(0);
  return lines(r.stdout).sort();
}

async function idOf(env: E2EEnv, name: string): Promise<string> {
  const r = await env.tote(['image', 'inspect', '--format', '{{.Id}}', name]);
  if (r.code !== 0) throw new Error(show(r));
  return r.stdout.trim();
}

beforeAll(async () => {
  busyboxId = await e.importBusybox('busybox');
  otherId = await e.importBusybox('other:v1', ['-c', 'ENV ARCHIVE_TEST=1']);
});

describe('save and load (docker-archive)', () => {
  test('save -o → rmi → load → run: same image id, docker’s output', async () => {
    const file = path.join(e.dir, 'busybox.tar');
    const s = await e.tote(['save', '-o', file, 'busybox']);
    expect({ code: s.code, out: show(s) }).toMatchObject({ code: 0 });
    expect(s.stdout).toBe('');

    const files = await members(readFileSync(file));
    const manifest = JSON.parse(files.get('manifest.json')!.toString());
    const hex = busyboxId.slice('sha256:'.length);
    expect(manifest).toHaveLength(1);
    expect(manifest[0].Config).toBe(`${hex}.json`);
    expect(manifest[0].RepoTags).toEqual(['busybox:latest']);
    expect(manifest[0].Layers).toHaveLength(1);
    expect(files.has(manifest[0].Layers[0])).toBe(true);
    expect(JSON.parse(files.get(`${hex}.json`)!.toString()).rootfs.type).toBe('layers');
    expect(Object.keys(JSON.parse(files.get('repositories')!.toString()))).toEqual(['busybox']);

    const rmi = await e.tote(['rmi', 'busybox']);
    expect(rmi.code).toBe(0);
    expect(await ids(e)).not.toContain(busyboxId);

    const l = await e.tote(['load', '-i', file]);
    expect({ code: l.code, out: show(l) }).toMatchObject({ code: 0 });
    expect(l.stdout).toBe('Loaded image: busybox:latest\n');
    expect(await idOf(e, 'busybox')).toBe(busyboxId);
    const run = await e.tote(['run', '--rm', 'busybox', 'echo', 'loaded']);
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 0, stdout: 'loaded\n' });
  });

  test('save -o of two images: one entry each, the shared layer once; both load back', async () => {
    const file = path.join(e.dir, 'two.tar');
    const s = await e.tote(['save', '-o', file, 'busybox', 'other:v1']);
    expect({ code: s.code, out: show(s) }).toMatchObject({ code: 0 });
    const files = await members(readFileSync(file));
    const manifest = JSON.parse(files.get('manifest.json')!.toString());
    expect(manifest.map((m: { RepoTags: string[] }) => m.RepoTags)).toEqual([['busybox:latest'], ['other:v1']]);
    expect(manifest[0].Layers).toEqual(manifest[1].Layers);
    expect([...files.keys()].filter((n) => n.endsWith('.tar'))).toHaveLength(1);

    expect((await e.tote(['rmi', 'busybox', 'other:v1'])).code).toBe(0);
    const l = await e.tote(['load', '-i', file]);
    expect({ code: l.code, out: show(l) }).toMatchObject({ code: 0 });
    expect(lines(l.stdout)).toEqual(['Loaded image: busybox:latest', 'Loaded image: other:v1']);
    expect(await idOf(e, 'busybox')).toBe(busyboxId);
    expect(await idOf(e, 'other:v1')).toBe(otherId);
    const run = await e.tote(['run', '--rm', 'other:v1', 'sh', '-c', 'echo $ARCHIVE_TEST']);
    expect(run.stdout).toBe('1\n');
  });

  test('save to stdout, load from stdin (gzip-compressed)', async () => {
    const s = await e.tote(['save', 'other:v1']);
    expect(s.code).toBe(0);
    expect(s.stdout).toContain('manifest.json');
    // The harness decodes stdout as text: save again to a file for the bytes.
    const file = path.join(e.dir, 'other.tar');
    expect((await e.tote(['save', '-o', file, 'other:v1'])).code).toBe(0);
    expect((await e.tote(['rmi', 'other:v1'])).code).toBe(0);
    const l = await e.tote(['load'], { input: gzipSync(readFileSync(file)) });
    expect({ code: l.code, out: show(l) }).toMatchObject({ code: 0 });
    expect(l.stdout).toBe('Loaded image: other:v1\n');
    expect(await idOf(e, 'other:v1')).toBe(otherId);
  });

  test('an image saved by id loads without a name', async () => {
    const file = path.join(e.dir, 'byid.tar');
    expect((await e.tote(['save', '-o', file, otherId.slice(7, 19)])).code).toBe(0);
    const manifest = JSON.parse((await members(readFileSync(file))).get('manifest.json')!.toString());
    expect(manifest[0].RepoTags).toBeNull();
    const l = await e.tote(['load', '-i', file]);
    expect(l.stdout).toBe(`Loaded image ID: ${otherId}\n`);
  });

  test('an unknown image fails with 125 and writes no file', async () => {
    const file = path.join(e.dir, 'none.tar');
    const s = await e.tote(['save', '-o', file, 'busybox', 'no-such-image:v9']);
    expect(s.code).toBe(125);
    expect(s.stderr).toMatch(/^Error: .*no-such-image/m);
    expect(existsSync(file)).toBe(false);
  });
});

describe('oci-archive', () => {
  test('save --format oci-archive → rmi → load: an OCI layout, same id, runs', async () => {
    const file = path.join(e.dir, 'oci.tar');
    const s = await e.tote(['save', '--format', 'oci-archive', '-o', file, 'busybox']);
    expect({ code: s.code, out: show(s) }).toMatchObject({ code: 0 });
    const files = await members(readFileSync(file));
    expect(JSON.parse(files.get('oci-layout')!.toString())).toEqual({ imageLayoutVersion: '1.0.0' });
    const index = JSON.parse(files.get('index.json')!.toString());
    expect(index.schemaVersion).toBe(2);
    expect(index.manifests).toHaveLength(1);
    expect(index.manifests[0].annotations['io.containerd.image.name']).toBe('docker.io/library/busybox:latest');
    const manifestDigest: string = index.manifests[0].digest;
    const manifest = JSON.parse(files.get(`blobs/sha256/${manifestDigest.slice(7)}`)!.toString());
    expect(manifest.config.digest).toBe(busyboxId);
    for (const l of manifest.layers) expect(files.has(`blobs/sha256/${l.digest.slice(7)}`)).toBe(true);
    expect(files.has('manifest.json')).toBe(false);

    expect((await e.tote(['rmi', 'busybox'])).code).toBe(0);
    const l = await e.tote(['load', '-i', file]);
    expect({ code: l.code, out: show(l) }).toMatchObject({ code: 0 });
    expect(l.stdout).toBe('Loaded image: busybox:latest\n');
    expect(await idOf(e, 'busybox')).toBe(busyboxId);
    const inspect = JSON.parse((await e.tote(['image', 'inspect', 'busybox'])).stdout)[0];
    expect(JSON.stringify(inspect)).toContain(busyboxId);
    const run = await e.tote(['run', '--rm', 'busybox', 'echo', 'oci']);
    expect(run.stdout).toBe('oci\n');
  });
});

describe('bad archives', () => {
  // A store of its own, so the layer is not already present (present layers are not re-read).
  const c = makeEnv();

  test('a corrupt layer → error 125, nothing stored; the good archive still loads', async () => {
    const id = await c.importBusybox('busybox');
    const file = path.join(c.dir, 'good.tar');
    expect((await c.tote(['save', '-o', file, 'busybox'])).code).toBe(0);
    expect((await c.tote(['rmi', 'busybox'])).code).toBe(0);
    expect(await ids(c)).toEqual([]);
    const layersBefore = readdirSync(path.join(c.root, 'layers'));
    const blobsBefore = readdirSync(path.join(c.root, 'blobs', 'sha256'));

    const corrupt = await rewrite(readFileSync(file), (name, data) => {
      if (!name.endsWith('.tar')) return data;
      const d = Buffer.from(data);
      d[d.length >> 1] ^= 0xff; // inside the busybox binary: still a valid tar
      return d;
    });
    const bad = path.join(c.dir, 'corrupt.tar');
    writeFileSync(bad, corrupt);
    const l = await c.tote(['load', '-i', bad]);
    expect(l.code).toBe(125);
    expect(l.stderr).toMatch(/^Error: .*digest/m);
    expect(l.stdout).toBe('');
    expect(await ids(c)).toEqual([]);
    expect(readdirSync(path.join(c.root, 'layers'))).toEqual(layersBefore);
    expect(readdirSync(path.join(c.root, 'blobs', 'sha256'))).toEqual(blobsBefore);
    expect(readdirSync(path.join(c.root, 'tmp'))).toEqual([]);

    const truncated = path.join(c.dir, 'truncated.tar');
    writeFileSync(truncated, readFileSync(file).subarray(0, 100_000));
    const t = await c.tote(['load', '-i', truncated]);
    expect(t.code).toBe(125);
    expect(await ids(c)).toEqual([]);
    expect(readdirSync(path.join(c.root, 'tmp'))).toEqual([]);

    const good = await c.tote(['load', '-i', file]);
    expect({ code: good.code, out: show(good) }).toMatchObject({ code: 0 });
    expect(await ids(c)).toEqual([id]);
  });

  test('not an archive → error 125', async () => {
    const garbage = path.join(c.dir, 'garbage.tar');
    writeFileSync(garbage, 'not an archive\n'.repeat(100));
    const r = await c.tote(['load', '-i', garbage]);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^Error: /m);
    const empty = await c.tote(['load'], { input: Buffer.alloc(0) });
    expect(empty.code).toBe(125);
    const missing = await c.tote(['load', '-i', '/no/such/archive.tar']);
    expect(missing.code).toBe(125);
    expect(missing.stderr).toContain('/no/such/archive.tar');
  });

  test('a member escaping the archive is refused', async () => {
    const pack = tar.pack();
    pack.entry({ name: '../evil' }, 'x');
    pack.entry({ name: 'manifest.json' }, '[]');
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const ch of pack) chunks.push(ch as Buffer);
    const r = await c.tote(['load'], { input: Buffer.concat(chunks) });
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/outside the archive/);
    expect(existsSync(path.join(c.root, 'evil'))).toBe(false);
  });
});
