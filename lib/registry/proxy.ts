/**
 * HTTP proxies for registry traffic, from the environment as podman (Go's
 * `http.ProxyFromEnvironment`) reads it: `HTTPS_PROXY`/`https_proxy` for
 * https URLs, `HTTP_PROXY`/`http_proxy` for http URLs, and
 * `NO_PROXY`/`no_proxy` for what goes direct. Loopback never goes through a
 * proxy. Only `http://` proxies are supported (the common kind); https
 * requests reach their host through a CONNECT tunnel, so TLS is still
 * end to end.
 */
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { ToteError } from '../errors/index.js';

/** The first of the names that is set and not empty. */
function getenv(env: NodeJS.ProcessEnv, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = env[n];
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  return host === '::1';
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((n, part) => (n << 8) + Number(part), 0) >>> 0;
}

/** One NO_PROXY entry against a host (without brackets) and port. */
function noProxyMatches(entry: string, host: string, port: string): boolean {
  let e = entry.trim().toLowerCase();
  if (!e) return false;
  if (e === '*') return true;
  const cidr = /^([0-9.]+)\/(\d{1,2})$/.exec(e);
  if (cidr && net.isIPv4(cidr[1]!) && net.isIPv4(host)) {
    const bits = Number(cidr[2]);
    if (bits > 32) return false;
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    return (ipv4ToInt(host) & mask) === (ipv4ToInt(cidr[1]!) & mask);
  }
  // host:port entries match that port only.
  let entryPort: string | undefined;
  const withPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(e);
  if (withPort) {
    e = withPort[1]!;
    entryPort = withPort[2];
  }
  e = e.replace(/^\[(.*)\]$/, '$1');
  if (entryPort !== undefined && entryPort !== port) return false;
  if (net.isIP(e)) return e === host;
  // ".example.com" matches subdomains only; "example.com" the name and its subdomains.
  if (e.startsWith('*.')) e = e.slice(1);
  if (e.startsWith('.')) return host.endsWith(e);
  return host === e || host.endsWith(`.${e}`);
}

/**
 * The proxy to use for `target`, or undefined to go direct. Throws for a
 * proxy setting that cannot be used, rather than silently going direct.
 */
export function proxyFor(target: URL, env: NodeJS.ProcessEnv = process.env): URL | undefined {
  const secure = target.protocol === 'https:';
  const value = secure ? getenv(env, 'HTTPS_PROXY', 'https_proxy') : getenv(env, 'HTTP_PROXY', 'http_proxy');
  if (!value) return undefined;
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (isLoopbackHost(host)) return undefined;
  const port = target.port || (secure ? '443' : '80');
  const noProxy = getenv(env, 'NO_PROXY', 'no_proxy') ?? '';
  if (noProxy.split(',').some((entry) => noProxyMatches(entry, host, port))) return undefined;
  let proxy: URL;
  try {
    proxy = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    throw new ToteError('E_PROXY', `${secure ? 'HTTPS_PROXY' : 'HTTP_PROXY'} is not a URL: ${value}`, { hint: 'set it to http://HOST:PORT' });
  }
  if (proxy.protocol !== 'http:') {
    throw new ToteError('E_PROXY', `proxy ${proxy.protocol}// is not supported (${proxy.host})`, { hint: 'use an http:// proxy, or unset the proxy variable' });
  }
  return proxy;
}

/** `Proxy-Authorization` for the credentials in the proxy URL, if any. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username && !proxy.password) return undefined;
  const user = decodeURIComponent(proxy.username);
  const pass = decodeURIComponent(proxy.password);
  return 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');
}

function proxyPort(proxy: URL): number {
  return Number(proxy.port || 80);
}

/** Request options that send an http request through `proxy` (absolute-form request target). */
export function viaProxyHttp(proxy: URL, target: URL, headers: Record<string, string>): http.RequestOptions {
  const auth = proxyAuthorization(proxy);
  return {
    host: proxy.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: proxyPort(proxy),
    path: target.href,
    headers: { ...headers, host: target.host, ...(auth ? { 'proxy-authorization': auth } : {}) },
    agent: false,
  };
}

type Oncreate = (err: Error | null, socket?: net.Socket) => void;

/**
 * A `createConnection` for https.request: a CONNECT tunnel through `proxy`
 * to the target, then TLS over it with `tlsOptions` (the registry's trust).
 */
export function tunnelThrough(proxy: URL, target: URL, tlsOptions: tls.ConnectionOptions, timeoutMs: number): (opts: unknown, oncreate: Oncreate) => undefined {
  return (_opts, oncreate) => {
    const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = target.port || '443';
    const authority = `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
    const auth = proxyAuthorization(proxy);
    const req = http.request({
      host: proxy.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: proxyPort(proxy),
      method: 'CONNECT',
      path: authority,
      headers: { host: authority, ...(auth ? { 'proxy-authorization': auth } : {}) },
      agent: false,
      timeout: timeoutMs,
    });
    let done = false;
    const fail = (e: Error) => {
      if (done) return;
      done = true;
      req.destroy();
      oncreate(e);
    };
    req.once('timeout', () => fail(Object.assign(new Error(`proxy ${proxy.host}: timed out`), { code: 'ETIMEDOUT' })));
    req.once('error', fail);
    req.once('connect', (res, socket, head) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        return fail(new ToteError('E_PROXY', `proxy ${proxy.host} refused the tunnel to ${authority}: ${res.statusCode} ${res.statusMessage ?? ''}`.trim(), {
          hint: res.statusCode === 407 ? 'the proxy wants credentials: put them in the proxy URL (http://USER:PASSWORD@HOST:PORT)' : undefined,
        }));
      }
      if (head.length) socket.unshift(head);
      done = true;
      socket.setTimeout(0);
      oncreate(null, tls.connect({ ...tlsOptions, socket, servername: net.isIP(host) ? undefined : host }));
    });
    req.end();
    return undefined;
  };
}
