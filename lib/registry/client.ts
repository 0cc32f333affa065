/**
 * A registry (distribution API v2) client: one per endpoint. It pings
 * /v2/, answers auth challenges (Basic, or the Bearer token flow with a
 * token cache keyed by scope), retries transient failures with backoff
 * (5xx, resets, 429 with Retry-After), follows redirects without sending
 * credentials to another host, and resumes blob downloads with Range.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import type { ToteConfig } from '../config/index.js';
import { ToteError } from '../errors/index.js';
import type { Reporter } from '../errors/report.js';
import { silentReporter } from '../errors/report.js';
import { parseChallenges, type Challenge } from './challenge.js';
import { findCredentials, type Credentials } from './credentials.js';
import { isLocalhost } from './conf.js';
import { isTransient, RegistryError, registryMessage, TLS_CODES, retryAfterMs } from './failures.js';
import { proxyFor, tunnelThrough, viaProxyHttp } from './proxy.js';
import { rawGet } from './raw-get.js';
import { tlsFor, type TlsMaterial } from './tls.js';

export interface ClientOptions {
  /** false: skip certificate checks and allow plain HTTP (`--tls-verify=false`). */
  tlsVerify?: boolean;
  /** The registry is marked insecure (registries.conf) or is loopback: plain HTTP allowed. */
  insecure?: boolean;
  /** Credentials from `--creds`/login, instead of the auth files. */
  creds?: Credentials;
  reporter?: Reporter;
  /** Attempts for a transient failure (default 4). */
  attempts?: number;
  /** First backoff delay in ms (default 250, doubled each time). */
  backoffMs?: number;
  /**
   * A request with no activity for this long fails, as a transient error
   * (default 60 s). The first contact, the `/v2/` ping, gets at most 15 s,
   * as docker's does: a registry that accepts connections and never answers
   * is named within a minute, not after four.
   */
  timeoutMs?: number;
  /** Where the proxy variables are read (default: process.env; see proxy.ts). */
  env?: NodeJS.ProcessEnv;
}

/** How one exchange is sent (send, sendRetry). */
interface SendOptions {
  /** Follow redirects (default true). */
  follow?: boolean;
  /** The host credentials may go to (default: the first URL's). */
  authHost?: string;
  /** A large body for rawGet (RequestOptions.bulk). */
  bulk?: boolean;
  /** Idle timeout for this exchange (default: the client's). */
  timeoutMs?: number;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** A request body: bytes, or a factory called once per attempt. */
  body?: Buffer | (() => Readable);
  /** Token scope, e.g. `repository:library/busybox:pull`. */
  scope?: string;
  /** Don't retry (e.g. a streamed upload that cannot be replayed). */
  noRetry?: boolean;
  /**
   * A GET of a large body: read by rawGet (raw-get.ts), whose body pieces
   * are views of reusable read blocks, not copies.
   */
  bulk?: boolean;
}

export interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  /** The final URL after redirects. */
  url: string;
  /** Buffers (an IncomingMessage, or rawGet's object-mode stream). */
  body: Readable;
  /** Reads the whole body. */
  bytes(): Promise<Buffer>;
}

interface Token {
  token: string;
  expires: number;
}

/** Blob bytes are handed on in pieces of this size (see blobStream). */
const BLOB_BATCH = 1 << 20;

const MAX_REDIRECTS = 10;

/** A request with no activity for this long fails (and is retried as transient). */
const REQUEST_TIMEOUT_MS = 60_000;
/** The `/v2/` ping's (docker's is 15 s in all). */
const PING_TIMEOUT_MS = 15_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The API host for a registry name (Docker Hub's name is not its API host). */
export function apiHost(host: string): string {
  return host === 'docker.io' || host === 'index.docker.io' ? 'registry-1.docker.io' : host;
}

export { isTransient, RegistryError, registryMessage, retryAfterMs };

export class RegistryClient {
  /** `host[:port]` as named (docker.io), and the API base URL once pinged. */
  readonly host: string;
  base = '';
  private readonly config: ToteConfig;
  private readonly options: ClientOptions;
  private readonly reporter: Reporter;
  private tlsMaterial: TlsMaterial = {};
  private agent?: http.Agent;
  private challenge?: Challenge;
  private creds?: Credentials | null;
  private readonly tokens = new Map<string, Token>();

  constructor(config: ToteConfig, host: string, options: ClientOptions = {}) {
    this.config = config;
    this.host = host;
    this.options = options;
    this.reporter = options.reporter ?? silentReporter;
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? REQUEST_TIMEOUT_MS;
  }

  private get pingTimeoutMs(): number {
    return Math.min(this.timeoutMs, PING_TIMEOUT_MS);
  }

  private get verify(): boolean {
    return this.options.tlsVerify !== false && !this.options.insecure;
  }

  /**
   * The CAs to trust. Without verification none are needed: an empty list
   * spares loading the system root store (~15 ms) for a certificate nobody
   * checks (the HTTPS attempt an insecure registry gets before plain HTTP).
   */
  private get trustedCas(): string[] | undefined {
    return this.verify ? this.tlsMaterial.ca : [];
  }

  private async credentials(): Promise<Credentials | undefined> {
    if (this.options.creds) return this.options.creds;
    if (this.creds === undefined) this.creds = (await findCredentials(this.config, this.host)) ?? null;
    return this.creds ?? undefined;
  }

  /** Finds the scheme (https, or http where allowed) and the auth challenge. */
  async ping(): Promise<void> {
    if (this.base) return;
    const host = apiHost(this.host);
    this.tlsMaterial = await tlsFor(this.config, this.host);
    // Plain HTTP: when told (insecure, --tls-verify=false) and, as docker does, for loopback registries.
    const allowHttp = this.options.tlsVerify === false || this.options.insecure || isLocalhost(this.host);
    let res: Response | undefined;
    let firstError: unknown;
    try {
      this.base = `https://${host}`;
      this.agent = new https.Agent({ keepAlive: true, maxSockets: 16, ca: this.trustedCas, cert: this.tlsMaterial.cert, key: this.tlsMaterial.key, rejectUnauthorized: this.verify });
      res = allowHttp
        ? await this.send('GET', `${this.base}/v2/`, {}, undefined, { timeoutMs: this.pingTimeoutMs })
        : await this.sendRetry('GET', `${this.base}/v2/`, {}, undefined, { authHost: host, timeoutMs: this.pingTimeoutMs });
    } catch (e) {
      firstError = e;
    }
    const tlsFailure = (e: unknown) => TLS_CODES.test((e as { code?: string })?.code ?? '') && !/EPROTO/.test((e as { code?: string })?.code ?? '');
    // A certificate that fails verification is an answer: never downgrade to HTTP because of it.
    if (!res && allowHttp && !(this.verify && tlsFailure(firstError))) {
      this.reporter.debug(`${host}: https failed (${(firstError as Error).message}), trying http`);
      this.base = `http://${host}`;
      this.agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
      try {
        res = await this.sendRetry('GET', `${this.base}/v2/`, {}, undefined, { authHost: host, timeoutMs: this.pingTimeoutMs });
      } catch (e) {
        firstError = e;
      }
    }
    if (!res) {
      this.base = '';
      throw this.connectError(firstError);
    }
    const body = await res.bytes();
    if (res.status === 401) {
      const challenges = parseChallenges(res.headers['www-authenticate']);
      this.challenge = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
    } else if (res.status !== 200) {
      throw new RegistryError('E_REGISTRY_PING', `pinging registry ${this.host}: ${registryMessage(res.status, body)}`, res.status, 'is this a container registry (distribution API v2)?');
    }
  }

  private connectError(e: unknown): ToteError {
    const code = (e as { code?: string })?.code ?? '';
    const msg = (e as Error)?.message ?? String(e);
    if (TLS_CODES.test(code) || TLS_CODES.test(msg)) {
      return new ToteError('E_REGISTRY_TLS', `pinging registry ${this.host}: TLS: ${msg}`, {
        hint: `trust its CA by putting it in ${this.config.registry.certsDirs[0]}/${this.host}/ca.crt, or use --tls-verify=false`,
      });
    }
    return new ToteError('E_REGISTRY_UNREACHABLE', `pinging registry ${this.host}: ${msg}`, { hint: 'is the registry running and reachable?' });
  }

  /** Authorization header for a scope, fetching a token when needed. */
  private async authorization(scope: string | undefined, fresh = false): Promise<string | undefined> {
    const ch = this.challenge;
    if (!ch) return undefined;
    const creds = await this.credentials();
    if (ch.scheme === 'basic') {
      return creds ? 'Basic ' + Buffer.from(`${creds.username}:${creds.password}`).toString('base64') : undefined;
    }
    if (ch.scheme !== 'bearer') return undefined;
    const key = scope ?? '';
    const cached = this.tokens.get(key);
    if (!fresh && cached && cached.expires > Date.now()) return `Bearer ${cached.token}`;
    const token = await this.fetchToken(ch, scope, creds);
    this.tokens.set(key, token);
    return `Bearer ${token.token}`;
  }

  private async fetchToken(ch: Challenge, scope: string | undefined, creds: Credentials | undefined): Promise<Token> {
    const realm = ch.params.realm;
    if (!realm) throw new RegistryError('E_REGISTRY_AUTH', `registry ${this.host}: bearer challenge without a realm`, 401);
    const url = new URL(realm);
    if (ch.params.service) url.searchParams.set('service', ch.params.service);
    for (const s of (scope ?? ch.params.scope ?? '').split(' ').filter(Boolean)) url.searchParams.append('scope', s);
    const headers: Record<string, string> = {};
    if (creds && !creds.identityToken) headers.authorization = 'Basic ' + Buffer.from(`${creds.username}:${creds.password}`).toString('base64');
    let res: Response;
    if (creds?.identityToken) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, service: ch.params.service ?? '', scope: scope ?? '', client_id: 'tote' });
      res = await this.sendRetry('POST', url.origin + url.pathname, { 'content-type': 'application/x-www-form-urlencoded' }, Buffer.from(form.toString()), { authHost: url.host });
    } else {
      res = await this.sendRetry('GET', url.toString(), headers, undefined, { authHost: url.host });
    }
    const body = await res.bytes();
    if (res.status !== 200) {
      const code = res.status === 401 || res.status === 403 ? 'E_UNAUTHORIZED' : 'E_REGISTRY_AUTH';
      let msg = registryMessage(res.status, body);
      if (res.status === 401 && !/unauthorized/i.test(msg)) msg = `unauthorized: ${msg}`;
      throw new RegistryError(code, `authenticating to ${this.host}: ${msg}`, res.status, creds ? 'check the user name and password (`tote login`)' : 'log in first: `tote login ' + this.host + '`');
    }
    const j = JSON.parse(body.toString('utf8')) as { token?: string; access_token?: string; expires_in?: number; issued_at?: string };
    const token = j.token ?? j.access_token;
    if (!token) throw new RegistryError('E_REGISTRY_AUTH', `authenticating to ${this.host}: the token server returned no token`, 200);
    const issued = j.issued_at ? Date.parse(j.issued_at) || Date.now() : Date.now();
    const lifetime = Math.max(60, j.expires_in ?? 60) * 1000;
    // Renew a little before expiry, and never trust a clock skewed into the future.
    return { token, expires: Math.min(issued, Date.now()) + lifetime - 10_000 };
  }

  /**
   * A request against this registry (path from `/v2/…` or a full URL from
   * a Location header), authenticated, with retries.
   */
  async request(method: string, pathOrUrl: string, opts: RequestOptions = {}): Promise<Response> {
    await this.ping();
    const url = /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : this.base + pathOrUrl;
    let auth = await this.authorization(opts.scope);
    let retriedAuth = false;
    for (;;) {
      const headers = { ...(opts.headers ?? {}), ...(auth ? { authorization: auth } : {}) };
      const res = opts.noRetry
        ? await this.send(method, url, headers, opts.body, { bulk: opts.bulk })
        : await this.sendRetry(method, url, headers, opts.body, { authHost: new URL(this.base).host, bulk: opts.bulk });
      if (res.status === 401 && !retriedAuth) {
        const challenges = parseChallenges(res.headers['www-authenticate']);
        const ch = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
        if (ch) {
          await res.bytes();
          retriedAuth = true;
          this.challenge = ch;
          auth = await this.authorization(ch.params.scope ?? opts.scope, true);
          if (!auth) return this.unauthorized(res, Buffer.alloc(0));
          continue;
        }
      }
      if (res.status === 401) return this.unauthorized(res, await res.bytes());
      return res;
    }
  }

  private async unauthorized(res: Response, body: Buffer): Promise<never> {
    let msg = body.length ? registryMessage(res.status, body) : 'authentication required';
    if (!/unauthorized/i.test(msg)) msg = `unauthorized: ${msg}`;
    const creds = await this.credentials();
    throw new RegistryError('E_UNAUTHORIZED', `${this.host}: ${msg}`, 401, creds ? 'check the user name and password (`tote login`)' : `log in first: \`tote login ${this.host}\``);
  }

  /** send() with retries for transient failures; `authHost` is the host credentials may go to. */
  private async sendRetry(method: string, url: string, headers: Record<string, string>, body: RequestOptions['body'], how: SendOptions): Promise<Response> {
    const attempts = this.options.attempts ?? 4;
    const backoff = this.options.backoffMs ?? 250;
    for (let i = 1; ; i++) {
      try {
        const res = await this.send(method, url, headers, body, how);
        const retryable = res.status === 429 || (res.status >= 500 && res.status !== 501 && res.status !== 505);
        if (!retryable || i >= attempts) return res;
        const asked = res.status === 429 || res.status === 503 ? retryAfterMs(res.headers['retry-after']) : undefined;
        const delay = asked ?? backoff * 2 ** (i - 1);
        res.body.resume();
        this.reporter.debug(`${method} ${url}: ${res.status}, retrying in ${delay} ms`);
        await sleep(delay);
      } catch (e) {
        if (!isTransient(e) || i >= attempts) throw e;
        this.reporter.debug(`${method} ${url}: ${(e as Error).message}, retrying`);
        await sleep(backoff * 2 ** (i - 1));
      }
    }
  }

  /**
   * One HTTP exchange, following redirects. The Authorization header only
   * goes to `authHost` (default: the first URL's host).
   */
  send(method: string, url: string, headers: Record<string, string>, body: RequestOptions['body'], how: SendOptions = {}): Promise<Response> {
    const { follow = true, authHost, bulk = false } = how;
    const timeoutMs = how.timeoutMs ?? this.timeoutMs;
    const first = new URL(url);
    const allowedHost = authHost ?? first.host;
    return new Promise<Response>((resolve, reject) => {
      const go = (target: URL, hops: number, m: string) => {
        const h: Record<string, string> = { 'user-agent': 'tote/0.1', ...headers };
        if (target.host !== allowedHost) {
          delete h.authorization;
          delete h.Authorization;
        }
        const isHttps = target.protocol === 'https:';
        const sameHost = target.host === first.host;
        const agent = sameHost ? this.agent : undefined;
        const mod = isHttps ? https : http;
        const payload = m === 'GET' || m === 'HEAD' ? undefined : body;
        if (Buffer.isBuffer(payload)) h['content-length'] = String(payload.length);
        const onResponse = (status: number, resHeaders: IncomingHttpHeaders, res: Readable) => {
          const loc = resHeaders.location;
          if (follow && loc && [301, 302, 303, 307, 308].includes(status)) {
            res.resume();
            // Handing the last 3xx back as the answer read as "fetching blob: 307"; a loop is its own error.
            if (hops >= MAX_REDIRECTS) {
              reject(new RegistryError('E_TOO_MANY_REDIRECTS', `${m} ${first.host}${first.pathname}: still redirected after ${MAX_REDIRECTS} redirects`, status, 'the registry (or a proxy in front of it) redirects in a loop'));
              return;
            }
            const next = new URL(loc, target);
            const nextMethod = status === 303 && m !== 'HEAD' ? 'GET' : m;
            go(next, hops + 1, nextMethod);
            return;
          }
          resolve({
            status,
            headers: resHeaders,
            url: target.toString(),
            body: res,
            bytes: async () => {
              const chunks: Buffer[] = [];
              for await (const c of res) chunks.push(c as Buffer);
              return Buffer.concat(chunks);
            },
          });
        };
        // The registry's own trust and client certificate; other hosts (a CDN it redirects to): the defaults.
        const tlsOptions = isHttps && sameHost ? { rejectUnauthorized: this.verify, ca: this.trustedCas, cert: this.tlsMaterial.cert, key: this.tlsMaterial.key } : {};
        let proxy: URL | undefined;
        try {
          proxy = proxyFor(target, this.options.env);
        } catch (e) {
          reject(e);
          return;
        }
        if (bulk && m === 'GET' && !proxy) {
          rawGet(target, h, timeoutMs, tlsOptions).then((r) => onResponse(r.status, r.headers, r.body), reject);
          return;
        }
        const callback = (res: IncomingMessage) => onResponse(res.statusCode ?? 0, res.headers, res);
        const req = !proxy
          ? mod.request(
              target,
              {
                method: m,
                headers: h,
                agent: agent && (isHttps ? agent instanceof https.Agent : !(agent instanceof https.Agent)) ? agent : undefined,
                ...(isHttps && sameHost ? { rejectUnauthorized: this.verify, ca: this.trustedCas } : {}),
                timeout: timeoutMs,
              },
              callback,
            )
          : isHttps
            ? // No agent: the request runs over the tunnel createConnection gives it.
              https.request(target, { method: m, headers: h, createConnection: tunnelThrough(proxy, target, tlsOptions, timeoutMs) as never, timeout: timeoutMs }, callback)
            : http.request({ ...viaProxyHttp(proxy, target, h), method: m, timeout: timeoutMs }, callback);
        req.on('timeout', () => req.destroy(Object.assign(new Error(`${m} ${target.host}: timed out`), { code: 'ETIMEDOUT' })));
        req.on('error', reject);
        if (payload === undefined) req.end();
        else if (Buffer.isBuffer(payload)) req.end(payload);
        else {
          const src = payload();
          src.on('error', (e) => req.destroy(e));
          src.pipe(req);
        }
      };
      go(first, 0, method);
    });
  }

  /**
   * A blob's bytes, resumed with Range after a transient failure (`size`,
   * from the descriptor, detects a short body). With
   * `coalesce` (the default) socket reads are joined into ~1 MiB pieces; a
   * consumer that batches on its own (the layer codec) passes false and
   * gets the reads as they come, without that copy.
   */
  blobStream(repository: string, digest: string, size: number | undefined, onBytes?: (n: number) => void, coalesce = true): Readable {
    const self = this;
    const attempts = this.options.attempts ?? 4;
    const backoff = this.options.backoffMs ?? 250;
    // Sockets deliver 16-64 KiB reads; every stage after this one (digest,
    // decompression, a zlib thread-pool round trip per call) costs per chunk,
    // so reads are joined into ~1 MiB pieces here, with the one copy that
    // takes. Bytes received are always delivered, also before a resume.
    let batch: Buffer | undefined;
    let used = 0;
    /** Copies a chunk smaller than a batch in; returns the batch it filled, if any (at most one). */
    const add = (chunk: Buffer): Buffer | undefined => {
      let out: Buffer | undefined;
      for (let off = 0; off < chunk.length; ) {
        batch ??= Buffer.allocUnsafe(BLOB_BATCH);
        const n = chunk.copy(batch, used, off);
        used += n;
        off += n;
        if (used === BLOB_BATCH) {
          out = batch;
          batch = undefined;
          used = 0;
        }
      }
      return out;
    };
    const flush = (): Buffer | undefined => {
      const out = batch && used ? batch.subarray(0, used) : undefined;
      batch = undefined;
      used = 0;
      return out;
    };
    async function* chunks(): AsyncGenerator<Buffer> {
      let offset = 0;
      let failures = 0;
      for (;;) {
        const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
        let res: Response;
        try {
          res = await self.request('GET', `/v2/${repository}/blobs/${digest}`, { headers, scope: `repository:${repository}:pull`, bulk: true });
        } catch (e) {
          if (isTransient(e) && ++failures < attempts) {
            await sleep(backoff * 2 ** failures);
            continue;
          }
          throw e;
        }
        if (res.status !== 200 && res.status !== 206) {
          const body = await res.bytes();
          throw new RegistryError(res.status === 404 ? 'E_BLOB_UNKNOWN' : 'E_REGISTRY', `fetching blob ${digest}: ${registryMessage(res.status, body)}`, res.status);
        }
        // A server that ignored Range sends everything again: skip what we have.
        let skip = offset > 0 && res.status === 200 ? offset : 0;
        try {
          for await (const c of res.body) {
            let chunk = c as Buffer;
            if (skip > 0) {
              if (chunk.length <= skip) {
                skip -= chunk.length;
                continue;
              }
              chunk = chunk.subarray(skip);
              skip = 0;
            }
            offset += chunk.length;
            // More than the descriptor says is never right: stop now rather
            // than hash an endless body and fail on its digest at the end.
            if (size !== undefined && offset > size) {
              throw new RegistryError('E_BLOB_SIZE', `fetching blob ${digest}: the registry sent more than the ${size} bytes the manifest gives`, 0, 'the registry or a proxy serves a different blob');
            }
            onBytes?.(chunk.length);
            if (!coalesce) {
              yield chunk;
            } else if (chunk.length >= BLOB_BATCH) {
              const before = flush();
              if (before) yield before;
              yield chunk;
            } else {
              const full = add(chunk);
              if (full) yield full;
            }
          }
          if (size !== undefined && offset < size) throw Object.assign(new Error(`blob ${digest}: connection closed after ${offset} of ${size} bytes`), { code: 'E_SHORT_READ' });
          const rest = flush();
          if (rest) yield rest;
          return;
        } catch (e) {
          res.body.destroy();
          const rest = flush();
          if (rest) yield rest;
          if (isTransient(e) && ++failures < attempts) {
            self.reporter.debug(`blob ${digest}: ${(e as Error).message}; resuming at ${offset}`);
            await sleep(backoff * 2 ** failures);
            continue;
          }
          throw e;
        }
      }
    }
    // Chunks are handed on one by one (object mode): a byte-mode stream read
    // by an async iterator joins whatever it has buffered into one new
    // Buffer, a copy of every byte. A few are read ahead while the consumer
    // is busy (the response and the socket buffer more).
    return Readable.from(chunks(), { objectMode: true, highWaterMark: 4 });
  }

  close(): void {
    this.agent?.destroy();
  }
}
