import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import tls from 'node:tls';
import { loadConfig } from '../config/index.js';
import { RegistryClient } from './client.js';
import { proxyAuthorization, proxyFor } from './proxy.js';
import { TEST_CERT, TEST_KEY } from './test-cert.js';

describe('proxyFor: the environment as podman (Go) reads it', () => {
  const u = (s: string) => new URL(s);

  test('HTTPS_PROXY for https, HTTP_PROXY for http; upper case first; a bare host:port is http://', () => {
    const env = { HTTPS_PROXY: 'proxy.corp:3128', http_proxy: 'http://plain.corp:8080', HTTP_PROXY: 'http://upper.corp:8080' };
    expect(proxyFor(u('https://registry.example/v2/'), env)?.href).toBe('http://proxy.corp:3128/');
    expect(proxyFor(u('http://registry.example/v2/'), env)?.href).toBe('http://upper.corp:8080/');
    expect(proxyFor(u('http://registry.example/v2/'), { http_proxy: 'http://plain.corp:8080' })?.host).toBe('plain.corp:8080');
    expect(proxyFor(u('https://registry.example/v2/'), { HTTP_PROXY: 'http://p:1' })).toBeUndefined();
    expect(proxyFor(u('https://registry.example/v2/'), {})).toBeUndefined();
  });

  test('loopback never goes through a proxy', () => {
    const env = { HTTPS_PROXY: 'http://p:1', HTTP_PROXY: 'http://p:1' };
    for (const t of ['http://localhost:5000/', 'https://127.0.0.1:5000/', 'http://127.1.2.3/', 'http://[::1]:5000/', 'http://reg.localhost/']) {
      expect({ t, proxy: proxyFor(u(t), env) }).toEqual({ t, proxy: undefined });
    }
  });

  test('NO_PROXY: *, names and their subdomains, .suffixes, ports, IPs and CIDRs', () => {
    const env = (no: string) => ({ HTTPS_PROXY: 'http://p:1', NO_PROXY: no });
    const direct = (target: string, no: string) => proxyFor(u(target), env(no)) === undefined;
    expect(direct('https://registry.example/', '*')).toBe(true);
    expect(direct('https://registry.example/', 'other.example')).toBe(false);
    expect(direct('https://registry.example/', 'example')).toBe(true); // a name matches its subdomains
    expect(direct('https://myregistry.example/', 'registry.example')).toBe(false);
    expect(direct('https://registry.example/', 'registry.example')).toBe(true);
    expect(direct('https://a.registry.example/', 'registry.example')).toBe(true);
    expect(direct('https://registry.example/', '.registry.example')).toBe(false);
    expect(direct('https://a.registry.example/', '.registry.example')).toBe(true);
    expect(direct('https://a.registry.example/', '*.registry.example')).toBe(true);
    expect(direct('https://registry.example:5000/', 'registry.example:5000')).toBe(true);
    expect(direct('https://registry.example/', 'registry.example:5000')).toBe(false);
    expect(direct('https://10.1.2.3/', '10.0.0.0/8')).toBe(true);
    expect(direct('https://11.1.2.3/', '10.0.0.0/8')).toBe(false);
    expect(direct('https://10.1.2.3:5000/', ' other.example , 10.1.2.3 ')).toBe(true);
    expect(direct('https://REGISTRY.example/', 'registry.EXAMPLE')).toBe(true);
  });

  test('unusable settings are errors, not a silent direct connection', () => {
    expect(() => proxyFor(u('https://registry.example/'), { HTTPS_PROXY: 'socks5://p:1080' })).toThrow(/not supported/);
  });

  test('credentials in the proxy URL become Proxy-Authorization', () => {
    expect(proxyAuthorization(new URL('http://us%40er:p%3Ass@p:1'))).toBe('Basic ' + Buffer.from('us@er:p:ss').toString('base64'));
    expect(proxyAuthorization(new URL('http://p:1'))).toBeUndefined();
  });
});

/** The host's first non-loopback IPv4 address: loopback registries are never proxied. */
function outsideAddress(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}

describe('registry traffic through an HTTP proxy', () => {
  const address = outsideAddress();
  let registry: http.Server;
  let tlsRegistry: tls.Server;
  let tlsRegistryHost = '';
  let proxy: http.Server;
  let registryHost = '';
  let proxyUrl = '';
  const seen: Array<{ kind: 'forward' | 'connect'; target: string; auth?: string }> = [];
  /** Every socket of the three servers and the tunnels, closed at the end. */
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };

  beforeAll(async () => {
    if (!address) return;
    registry = http.createServer((req, res) => {
      if (req.url === '/v2/') return res.end('{}');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ path: req.url, host: req.headers.host }));
    });
    await new Promise<void>((r) => registry.listen(0, address, r));
    registryHost = `${address}:${(registry.address() as net.AddressInfo).port}`;
    // The same over TLS (HTTP/1.1 by hand: one request per connection).
    tlsRegistry = tls.createServer({ cert: TEST_CERT, key: TEST_KEY }, (sock) => {
      let req = '';
      sock.on('data', (d) => {
        req += d.toString('latin1');
        if (!req.includes('\r\n\r\n')) return;
        const path = req.split(' ')[1] ?? '';
        const body = path === '/v2/' ? '{}' : JSON.stringify({ path, tls: true });
        sock.end(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
      });
      sock.on('error', () => {});
    });
    tlsRegistry.on('connection', track);
    await new Promise<void>((r) => tlsRegistry.listen(0, address, r));
    tlsRegistryHost = `${address}:${(tlsRegistry.address() as net.AddressInfo).port}`;
    proxy = http.createServer((req, res) => {
      // Absolute-form requests: forward them.
      seen.push({ kind: 'forward', target: req.url ?? '', auth: req.headers['proxy-authorization'] });
      const target = new URL(req.url ?? '');
      const headers = { ...req.headers };
      delete headers['proxy-authorization'];
      const up = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
    proxy.on('connect', (req, sock, head) => {
      seen.push({ kind: 'connect', target: req.url ?? '', auth: req.headers['proxy-authorization'] });
      const [host, port] = (req.url ?? '').split(':');
      track(sock as net.Socket);
      const up = net.connect(Number(port), host, () => {
        sock.write('HTTP/1.1 200 Connection established\r\n\r\n');
        if (head.length) up.write(head);
        up.pipe(sock);
        sock.pipe(up);
      });
      track(up);
      up.on('error', () => sock.destroy());
      sock.on('error', () => up.destroy());
    });
    proxy.on('connection', track);
    registry.on('connection', track);
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    proxyUrl = `http://tote:secret@127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
  });

  afterAll(async () => {
    if (!address) return;
    for (const sock of sockets) sock.destroy();
    await Promise.all([new Promise((r) => proxy.close(r)), new Promise((r) => registry.close(r)), new Promise((r) => tlsRegistry.close(r))]);
  });

  test('plain HTTP requests and blob downloads go to the proxy, with its credentials', async () => {
    // This test needs an address that is not loopback (loopback is never proxied).
    expect(address).toBeDefined();
    const client = new RegistryClient(loadConfig(), registryHost, { tlsVerify: false, env: { HTTP_PROXY: proxyUrl, HTTPS_PROXY: proxyUrl } });
    try {
      const res = await client.request('GET', '/v2/x/manifests/latest');
      expect(res.status).toBe(200);
      expect(JSON.parse((await res.bytes()).toString())).toEqual({ path: '/v2/x/manifests/latest', host: registryHost });
      const blob: Buffer[] = [];
      for await (const c of client.blobStream('x', 'sha256:abc', undefined)) blob.push(c as Buffer);
      expect(JSON.parse(Buffer.concat(blob).toString()).path).toBe('/v2/x/blobs/sha256:abc');
    } finally {
      client.close();
    }
    const auth = 'Basic ' + Buffer.from('tote:secret').toString('base64');
    // The HTTPS attempt went through a tunnel (and failed: the registry speaks plain HTTP), then plain HTTP was forwarded.
    expect(seen.find((s) => s.kind === 'connect')).toEqual({ kind: 'connect', target: registryHost, auth });
    expect(seen.filter((s) => s.kind === 'forward').map((s) => s.target)).toEqual([
      `http://${registryHost}/v2/`,
      `http://${registryHost}/v2/x/manifests/latest`,
      `http://${registryHost}/v2/x/blobs/sha256:abc`,
    ]);
    expect(seen.every((s) => s.auth === auth)).toBe(true);
  });

  test('HTTPS goes through a CONNECT tunnel, TLS end to end', async () => {
    expect(address).toBeDefined();
    const before = seen.length;
    // The certificate names 127.0.0.1, not this address: verification off, as for an insecure registry.
    const client = new RegistryClient(loadConfig(), tlsRegistryHost, { tlsVerify: false, env: { HTTPS_PROXY: proxyUrl } });
    try {
      const res = await client.request('GET', '/v2/x/manifests/latest');
      expect(JSON.parse((await res.bytes()).toString())).toEqual({ path: '/v2/x/manifests/latest', tls: true });
      const blob: Buffer[] = [];
      for await (const c of client.blobStream('x', 'sha256:abc', undefined)) blob.push(c as Buffer);
      expect(JSON.parse(Buffer.concat(blob).toString())).toEqual({ path: '/v2/x/blobs/sha256:abc', tls: true });
    } finally {
      client.close();
    }
    const mine = seen.slice(before);
    expect(mine.length).toBeGreaterThanOrEqual(2);
    expect(mine.every((s) => s.kind === 'connect' && s.target === tlsRegistryHost)).toBe(true);
  });

  test('NO_PROXY sends it direct', async () => {
    expect(address).toBeDefined();
    const before = seen.length;
    const client = new RegistryClient(loadConfig(), registryHost, { tlsVerify: false, env: { HTTP_PROXY: proxyUrl, HTTPS_PROXY: proxyUrl, NO_PROXY: address! } });
    try {
      const res = await client.request('GET', '/v2/x/manifests/latest');
      expect(res.status).toBe(200);
      await res.bytes();
    } finally {
      client.close();
    }
    expect(seen.length).toBe(before);
  });
});
