/**
 * A local registry for the pull case: Debian's `docker-registry` (distribution
 * 2.x) on a free 127.0.0.1 port, plain HTTP, filesystem storage in the
 * benchmark's work directory, started once and stopped when the bench ends.
 * The image it serves is written straight over the registry HTTP API (no
 * tool involved): N gzip layers, each one tar holding one file of random
 * bytes, so that the compressed size is the size asked for.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { sleep } from './proc.js';
import { BLOCK, fileHeader, paddedSize } from './tar.js';

export interface Registry {
  /** host:port */
  host: string;
  child: ChildProcess;
}

export interface PushedImage {
  ref: string;
  /** Sum of the compressed layer sizes: what a pull downloads (plus config and manifest). */
  layerBytes: number;
  layers: number;
}

let running: Registry | undefined;
let starting: Promise<Registry> | undefined;
const images = new Map<string, Promise<PushedImage>>();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function start(work: string): Promise<Registry> {
  const dir = path.join(work, 'registry');
  mkdirSync(path.join(dir, 'data'), { recursive: true });
  const port = await freePort();
  const config = path.join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: error',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${path.join(dir, 'data')}`,
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '',
    ].join('\n'),
  );
  const log = openSync(path.join(dir, 'registry.log'), 'w');
  const child = spawn('/usr/bin/docker-registry', ['serve', config], { stdio: ['ignore', log, log] });
  closeSync(log);
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `exited (${signal ?? code}); see ${path.join(dir, 'registry.log')}`));
  child.once('error', (e) => (exited = e.message));
  const host = `127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (exited) throw new Error(`docker-registry ${exited}`);
    try {
      const r = await fetch(`http://${host}/v2/`);
      if (r.ok) return (running = { host, child });
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`docker-registry did not answer on ${host} within 10 s`);
}

/** The bench's registry, started on first use. */
export function ensureRegistry(work: string): Promise<Registry> {
  return (starting ??= start(work));
}

/** Stops the registry if the bench started one. */
export async function stopRegistry(): Promise<void> {
  const r = running;
  running = undefined;
  starting = undefined;
  images.clear();
  if (!r || r.child.exitCode !== null || r.child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => r.child.once('exit', () => resolve()));
  r.child.kill('SIGTERM');
  await Promise.race([gone, sleep(3000)]);
  if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
}

/** A tar holding one regular file (0:0, 0644) of `size` random bytes. */
function randomFileTar(name: string, size: number): Buffer {
  // Header, data, and the two zero blocks that end an archive.
  const tar = Buffer.alloc(BLOCK + paddedSize(size) + 2 * BLOCK);
  fileHeader(name, size).copy(tar);
  randomFillSync(tar, BLOCK, size);
  return tar;
}

const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function putBlob(host: string, repo: string, blob: Buffer): Promise<string> {
  const digest = sha256(blob);
  const head = await fetch(`http://${host}/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });
  if (head.ok) return digest;
  const post = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  const location = post.headers.get('location');
  if (post.status !== 202 || !location) throw new Error(`registry: starting an upload: HTTP ${post.status}`);
  const url = new URL(location, `http://${host}`);
  url.searchParams.set('digest', digest);
  const put = await fetch(url, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.length) },
    body: new Uint8Array(blob),
  });
  if (put.status !== 201) throw new Error(`registry: uploading ${digest}: HTTP ${put.status} ${await put.text()}`);
  return digest;
}

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

async function push(host: string, name: string, layers: number, mibPerLayer: number): Promise<PushedImage> {
  const [repo, tag] = name.split(':');
  const diffIds: string[] = [];
  const descriptors: { mediaType: string; digest: string; size: number }[] = [];
  for (let i = 0; i < layers; i++) {
    const tar = randomFileTar(`bench-layer-${i}.bin`, mibPerLayer * 2 ** 20);
    diffIds.push(sha256(tar));
    const gz = gzipSync(tar, { level: 1 });
    const digest = await putBlob(host, repo, gz);
    descriptors.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest, size: gz.length });
  }
  const created = '2024-01-01T00:00:00Z';
  const config = Buffer.from(
    JSON.stringify({
      created,
      architecture: ARCH[process.arch] ?? process.arch,
      os: 'linux',
      config: { Cmd: ['/bench-layer-0.bin'] },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: diffIds.map((_, i) => ({ created, created_by: `bench layer ${i}` })),
    }),
  );
  const configDigest = await putBlob(host, repo, config);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
    layers: descriptors,
  });
  const r = await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
    body: manifest,
  });
  if (r.status !== 201) throw new Error(`registry: putting the manifest: HTTP ${r.status} ${await r.text()}`);
  return { ref: `${host}/${name}`, layerBytes: descriptors.reduce((s, d) => s + d.size, 0), layers };
}

/**
 * Pushes `name` (repo:tag) with `layers` gzip layers of `mibPerLayer` MiB of
 * random bytes each to the bench registry, once per bench; later calls get
 * the same image.
 */
export async function ensureRandomImage(work: string, name: string, layers: number, mibPerLayer: number): Promise<PushedImage> {
  const { host } = await ensureRegistry(work);
  let p = images.get(name);
  if (!p) images.set(name, (p = push(host, name, layers, mibPerLayer)));
  return p;
}
