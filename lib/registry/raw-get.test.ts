import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { Readable } from 'node:stream';
import tls from 'node:tls';
import { isTransient } from './client.js';
import { parseHead, rawGet } from './raw-get.js';
import { BlockReader, giveBackRead } from './read-blocks.js';
import { TEST_CERT, TEST_KEY } from './test-cert.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Scripted {
  url: string;
  /** The request as the server received it. */
  request: Promise<string>;
  close(): Promise<void>;
}

/**
 * A server that answers one connection with `writes`, each sent after a
 * short pause (so they arrive as separate reads), then closes unless `keepOpen`.
 */
async function serve(writes: Array<string | Buffer>, keepOpen = false): Promise<Scripted> {
  let gotRequest!: (s: string) => void;
  const request = new Promise<string>((r) => (gotRequest = r));
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    let req = '';
    sock.on('data', async (d) => {
      req += d.toString('latin1');
      if (!req.includes('\r\n\r\n')) return;
      gotRequest(req);
      for (const w of writes) {
        if (sock.destroyed) return;
        sock.write(w);
        await sleep(5);
      }
      if (!keepOpen) sock.end();
    });
    sock.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v2/x/blobs/sha256:abc?q=1`,
    request,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

let open: Scripted[] = [];
afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
});

async function scripted(writes: Array<string | Buffer>, keepOpen = false): Promise<Scripted> {
  const s = await serve(writes, keepOpen);
  open.push(s);
  return s;
}

async function readAll(body: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of body) parts.push(Buffer.from(c as Buffer));
  return Buffer.concat(parts);
}

describe('rawGet', () => {
  test('Content-Length body, the head split over reads; the request as sent', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 5);
    const s = await scripted(['HTTP/1.1 200 OK\r\nContent-Le', `ngth: ${data.length}\r\nX-A: 1\r\nx-a: 2\r\n\r\n`, data.subarray(0, 1000), data.subarray(1000)], true);
    const r = await rawGet(new URL(s.url), { authorization: 'Bearer t', range: 'bytes=0-' }, 5000);
    expect(r.status).toBe(200);
    expect(r.headers['content-length']).toBe(String(data.length));
    expect(r.headers['x-a']).toBe('1, 2');
    // The server keeps the connection open: the body ends by its length.
    expect((await readAll(r.body)).equals(data)).toBe(true);
    const req = await s.request;
    expect(req.startsWith('GET /v2/x/blobs/sha256:abc?q=1 HTTP/1.1\r\n')).toBe(true);
    expect(req).toContain(`\r\nHost: ${new URL(s.url).host}\r\n`);
    expect(req).toContain('\r\nauthorization: Bearer t\r\n');
    expect(req).toContain('\r\nrange: bytes=0-\r\n');
    expect(req).toContain('\r\nConnection: close\r\n');
  });

  test('chunked transfer-coding, with extensions, trailers and sizes split over reads', async () => {
    const a = randomBytes(70_000);
    const b = Buffer.from('second chunk');
    const s = await scripted([
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n',
      `${a.length.toString(16)};ext=1\r\n`,
      a.subarray(0, 30_000),
      Buffer.concat([a.subarray(30_000), Buffer.from('\r\n')]),
      `${b.length.toString(16)}`,
      `\r\n${b.toString()}\r`,
      '\n0\r\nX-Trailer: y\r\n',
      '\r\n',
    ]);
    const r = await rawGet(new URL(s.url), {}, 5000);
    expect((await readAll(r.body)).equals(Buffer.concat([a, b]))).toBe(true);
  });

  test('a body that ends with the connection, after an interim 100 response', async () => {
    const s = await scripted(['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nServer: t\r\n\r\nhello ', 'world']);
    const r = await rawGet(new URL(s.url), {}, 5000);
    expect(r.status).toBe(200);
    expect((await readAll(r.body)).toString()).toBe('hello world');
  });

  test('an error status with a small body, and a redirect with its Location', async () => {
    const s = await scripted(['HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"a":"b"}\r\n']);
    const r = await rawGet(new URL(s.url), {}, 5000);
    expect(r.status).toBe(404);
    expect((await readAll(r.body)).toString()).toBe('{"a":"b"}\r\n');
    const s2 = await scripted(['HTTP/1.1 307 Temporary Redirect\r\nLocation: http://elsewhere/x\r\nContent-Length: 0\r\n\r\n'], true);
    const r2 = await rawGet(new URL(s2.url), {}, 5000);
    expect(r2.status).toBe(307);
    expect(r2.headers.location).toBe('http://elsewhere/x');
    expect((await readAll(r2.body)).length).toBe(0);
  });

  test('a connection cut short is a transient error (the caller resumes with Range)', async () => {
    const s = await scripted(['HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n', randomBytes(5000)]);
    const r = await rawGet(new URL(s.url), {}, 5000);
    const err = await readAll(r.body).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(isTransient(err)).toBe(true);
  });

  test('no answer at all, a refused connection, a non-HTTP answer', async () => {
    const s = await scripted([]);
    await expect(rawGet(new URL(s.url), {}, 5000)).rejects.toThrow(/socket hang up/);
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    await new Promise<void>((r) => srv.close(() => r()));
    await expect(rawGet(new URL(`http://127.0.0.1:${port}/`), {}, 5000)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const s3 = await scripted(['SSH-2.0-OpenSSH\r\n\r\n']);
    await expect(rawGet(new URL(s3.url), {}, 5000)).rejects.toThrow(/not an HTTP\/1.x response/);
  });

  test('a server that stops sending times out', async () => {
    const s = await scripted(['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'], true);
    const r = await rawGet(new URL(s.url), {}, 200);
    await expect(readAll(r.body)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
  });

  test('refuses header values with line breaks and other schemes', () => {
    expect(() => rawGet(new URL('http://127.0.0.1:1/'), { a: 'x\r\nInjected: 1' }, 1000)).toThrow(/line break/);
    expect(() => rawGet(new URL('ftp://127.0.0.1:1/'), {}, 1000)).toThrow(/not supported/);
  });

  test('adjacent reads are handed on as larger pieces', async () => {
    const data = randomBytes(2 * 1024 * 1024);
    const writes: Buffer[] = [Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${data.length}\r\n\r\n`)];
    for (let i = 0; i < data.length; i += 16384) writes.push(data.subarray(i, i + 16384));
    // All at once: the kernel holds several writes when the reader comes.
    const s = await scripted([Buffer.concat(writes)]);
    const r = await rawGet(new URL(s.url), {}, 5000);
    const pieces: Buffer[] = [];
    for await (const c of r.body) pieces.push(Buffer.from(c as Buffer));
    expect(Buffer.concat(pieces).equals(data)).toBe(true);
    expect(pieces.length).toBeLessThan(data.length / 65536);
  });
});


describe('rawGet over TLS', () => {
  let server: tls.Server;
  let url = '';
  const data = randomBytes(1024 * 1024 + 3);
  beforeAll(async () => {
    server = tls.createServer({ cert: TEST_CERT, key: TEST_KEY }, (sock) => {
      sock.once('data', () => sock.end(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${data.length}\r\n\r\n`), data])));
      sock.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(server.address() as net.AddressInfo).port}/v2/x/blobs/sha256:abc`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('with the registry CA: verified, and the body intact', async () => {
    const r = await rawGet(new URL(url), {}, 5000, { ca: [TEST_CERT] });
    expect(r.status).toBe(200);
    expect((await readAll(r.body)).equals(data)).toBe(true);
  });

  test('an unknown CA is refused unless verification is off', async () => {
    await expect(rawGet(new URL(url), {}, 5000)).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    const r = await rawGet(new URL(url), {}, 5000, { rejectUnauthorized: false });
    expect((await readAll(r.body)).equals(data)).toBe(true);
  });

  test('a certificate that does not name the host is refused', async () => {
    // localhost is in the certificate: fine. 127.0.0.2 (also loopback) is not.
    await expect(rawGet(new URL(url.replace('127.0.0.1', 'localhost')), {}, 5000, { ca: [TEST_CERT] }).then((r) => readAll(r.body))).resolves.toHaveLength(data.length);
    const other = tls.createServer({ cert: TEST_CERT, key: TEST_KEY }, (sock) => sock.on('error', () => {}));
    await new Promise<void>((r) => other.listen(0, '127.0.0.2', r));
    try {
      const port = (other.address() as net.AddressInfo).port;
      await expect(rawGet(new URL(`https://127.0.0.2:${port}/`), {}, 5000, { ca: [TEST_CERT] })).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    } finally {
      await new Promise<void>((r) => other.close(() => r()));
    }
  });
});

describe('parseHead', () => {
  test('status, lower-case names, repeated headers as node:http joins them', () => {
    const h = parseHead('HTTP/1.0 206 Partial Content\r\nContent-Range: bytes 5-9/10\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nVia: x\r\nVia: y');
    expect(h.status).toBe(206);
    expect(h.headers['content-range']).toBe('bytes 5-9/10');
    expect(h.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(h.headers.via).toBe('x, y');
  });

  test('malformed lines are errors', () => {
    expect(() => parseHead('HTTP/2 200')).toThrow(/not an HTTP/);
    expect(() => parseHead('HTTP/1.1 200 OK\r\nno colon here')).toThrow(/malformed header/);
    expect(() => parseHead('HTTP/1.1 200 OK\r\n folded: value')).toThrow(/malformed header/);
  });
});

describe('read blocks', () => {
  test('a block is reused only once it is retired and every byte read into it came back', () => {
    const a = new BlockReader();
    const first = a.next();
    first.fill(1, 0, 300_000);
    const v1 = a.read(300_000);
    a.next().fill(2, 0, 700_000);
    const v2 = a.read(700_000);
    // Less than 64 KiB left: the next read goes to a new block, the first is retired.
    const second = a.next();
    expect(second.buffer).not.toBe(first.buffer);
    giveBackRead(v1);
    const b = new BlockReader();
    expect(b.next().buffer).not.toBe(first.buffer); // v2 is still out
    b.retire();
    giveBackRead(v2);
    const c = new BlockReader();
    expect(c.next().buffer).toBe(first.buffer);
    c.retire();
    a.retire();
  });

  test('bytes given back twice stop the tracking of their block (never an early reuse)', () => {
    const a = new BlockReader();
    a.next();
    const v = a.read(10);
    a.retire();
    giveBackRead(v);
    const b = new BlockReader();
    const reused = b.next();
    expect(reused.buffer).toBe(v.buffer);
    const w = b.read(20);
    giveBackRead(v); // a stale view of the old use
    giveBackRead(w);
    b.retire();
    expect(new BlockReader().next().buffer).not.toBe(v.buffer);
    // Buffers that are not block views are ignored.
    giveBackRead(Buffer.alloc(5));
  });
});
