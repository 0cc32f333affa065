/**
 * RegistryClient against small scripted registries on loopback (plain
 * HTTP, as for localhost registries): blobStream's whole bodies, a cut
 * resumed with Range, bodies longer than the descriptor; a registry that
 * accepts connections and never answers.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { loadConfig } from '../config/index.js';
import { RegistryClient } from './client.js';

const blob = randomBytes(3 * 1024 * 1024 + 11);
let server: http.Server;
let host = '';
/** How the next blob requests are answered, by path. */
let mode: 'whole' | 'cut-once' | 'too-long' | 'endless' = 'whole';
let requests: Array<{ path: string; range?: string }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests.push({ path: req.url ?? '', range: req.headers.range });
    if (req.url === '/v2/') return res.end('{}');
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const from = range ? Number(range[1]) : 0;
    if (mode === 'whole' || (mode === 'cut-once' && from > 0)) {
      res.writeHead(from ? 206 : 200, { 'content-length': blob.length - from });
      return res.end(blob.subarray(from));
    }
    if (mode === 'cut-once') {
      res.writeHead(200, { 'content-length': blob.length });
      res.write(blob.subarray(0, 1_000_000), () => res.socket?.destroy());
      return;
    }
    if (mode === 'too-long') {
      res.writeHead(200, { 'content-length': blob.length + 10 });
      return res.end(Buffer.concat([blob, Buffer.alloc(10)]));
    }
    // endless: no length, keeps sending until the client goes away
    res.writeHead(200);
    const more = () => {
      while (!res.destroyed && res.write(blob.subarray(0, 65536)));
      if (!res.destroyed) res.once('drain', more);
    };
    more();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function fetchAll(coalesce: boolean): Promise<Buffer> {
  const client = new RegistryClient(loadConfig(), host, { backoffMs: 1 });
  try {
    const parts: Buffer[] = [];
    for await (const c of client.blobStream('x', 'sha256:abc', blob.length, undefined, coalesce)) parts.push(Buffer.from(c as Buffer));
    return Buffer.concat(parts);
  } finally {
    client.close();
  }
}

describe('blobStream', () => {
  test.each([true, false])('the whole blob (coalesce %s)', async (coalesce) => {
    mode = 'whole';
    expect((await fetchAll(coalesce)).equals(blob)).toBe(true);
  });

  test('a connection cut mid-body is resumed with Range', async () => {
    mode = 'cut-once';
    requests = [];
    expect((await fetchAll(false)).equals(blob)).toBe(true);
    const blobRequests = requests.filter((r) => r.path.includes('/blobs/'));
    expect(blobRequests.length).toBe(2);
    expect(blobRequests[1]!.range).toMatch(/^bytes=\d+-$/);
  });

  test.each(['too-long', 'endless'] as const)('a body longer than the descriptor (%s) stops with an error', async (m) => {
    mode = m;
    await expect(fetchAll(false)).rejects.toMatchObject({ code: 'E_BLOB_SIZE' });
  });
});

describe('a registry that never answers', () => {
  test('fails with a clear error after bounded timeouts, not minutes', async () => {
    const conns = new Set<net.Socket>();
    const silent = net.createServer((sock) => conns.add(sock));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    const client = new RegistryClient(loadConfig(), `127.0.0.1:${port}`, { timeoutMs: 300, attempts: 2, backoffMs: 1 });
    const started = Date.now();
    try {
      await expect(client.request('GET', '/v2/x/manifests/latest')).rejects.toMatchObject({ code: 'E_REGISTRY_UNREACHABLE', message: expect.stringMatching(/timed out/) });
      // https attempt, then plain HTTP twice: three timeouts of 300 ms and a backoff.
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      client.close();
      for (const c of conns) c.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });
});
