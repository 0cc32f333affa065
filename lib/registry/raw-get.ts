/**
 * A GET whose body arrives as views of the memory the socket read into, for
 * blob downloads (client.ts). Node's HTTP client copies every body byte it
 * parses into a new Buffer and hands it on in 64 KiB pieces (16 KiB over
 * TLS); a pull of a few hundred MiB spent a large share of its
 * JavaScript-thread time there. Here the socket (TCP, or TLS through
 * `tls.connect` with the same options as the registry's agent) reads into
 * reusable 1 MiB blocks (read-blocks.ts) and the body is sliced out of
 * them as it is; reads that land next to each other are handed on as one
 * piece.
 *
 * Deliberately small: one request per connection (`Connection: close`, so
 * no pooling and a body may also end at EOF), GET only, no request body,
 * HTTP/1.x. Bodies framed by Content-Length, chunked transfer-encoding or
 * the end of the connection. Every other request goes through node:http(s).
 */
import type { IncomingHttpHeaders } from 'node:http';
import net from 'node:net';
import { Readable } from 'node:stream';
import tls from 'node:tls';
import { BlockReader } from './read-blocks.js';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Body pieces (Buffers, object mode), each at most once given back to read-blocks. */
  body: Readable;
}

/** Response heads larger than this are refused. */
const MAX_HEAD = 64 * 1024;
/** Adjacent body bytes are held back until this much, or the end of the current I/O turn, then handed on as one piece. */
const HOLD_BYTES = 256 * 1024;

export class HttpFormatError extends Error {
  readonly code = 'E_HTTP_FORMAT';
}

function transportError(message: string, code: string): Error {
  // The codes and words isTransient() (client.ts) recognises as worth a retry.
  return Object.assign(new Error(message), { code });
}

/** Parses a response head (without the blank line): status and headers as node:http shapes them. */
export function parseHead(text: string): { status: number; headers: IncomingHttpHeaders } {
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
  if (!m) throw new HttpFormatError(`not an HTTP/1.x response: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
  const headers: Record<string, string | string[]> = {};
  for (const line of lines.slice(1)) {
    if (!line) continue;
    const colon = line.indexOf(':');
    if (colon <= 0 || /^\s/.test(line)) throw new HttpFormatError(`malformed header line: ${JSON.stringify(line.slice(0, 80))}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const had = headers[name];
    if (name === 'set-cookie') headers[name] = [...((had as string[] | undefined) ?? []), value];
    else headers[name] = had === undefined ? value : `${had as string}, ${value}`;
  }
  return { status: Number(m[1]), headers: headers as IncomingHttpHeaders };
}

type Framing = { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'eof' } | { kind: 'none' };

function framingOf(status: number, headers: IncomingHttpHeaders): Framing {
  if (status === 204 || status === 304 || (status >= 100 && status < 200)) return { kind: 'none' };
  const te = String(headers['transfer-encoding'] ?? '').toLowerCase();
  if (te) {
    if (te.split(',').pop()!.trim() !== 'chunked') throw new HttpFormatError(`unsupported transfer-encoding: ${te}`);
    return { kind: 'chunked' };
  }
  const cl = headers['content-length'];
  if (cl !== undefined) {
    if (!/^\d+$/.test(cl)) throw new HttpFormatError(`invalid content-length: ${cl}`);
    return { kind: 'length', left: Number(cl) };
  }
  return { kind: 'eof' };
}

/**
 * The chunked transfer-coding (RFC 9112 §7.1) as a push parser: data
 * comes out as views of the input, sizes and trailers are read across
 * piece boundaries.
 */
class ChunkedDecoder {
  private state: 'size' | 'data' | 'data-crlf' | 'trailer' | 'done' = 'size';
  private line = '';
  private left = 0;

  get done(): boolean {
    return this.state === 'done';
  }

  /** Feeds bytes; calls `out` for each piece of data. Returns how many bytes belonged to the body. */
  push(buf: Buffer, out: (piece: Buffer) => void): number {
    let i = 0;
    while (i < buf.length && this.state !== 'done') {
      if (this.state === 'data') {
        const n = Math.min(this.left, buf.length - i);
        out(buf.subarray(i, i + n));
        i += n;
        this.left -= n;
        if (this.left === 0) this.state = 'data-crlf';
        continue;
      }
      // Line-oriented states: collect up to LF.
      const lf = buf.indexOf(10, i);
      const end = lf < 0 ? buf.length : lf;
      this.line += buf.toString('latin1', i, end);
      if (this.line.length > 4096) throw new HttpFormatError('chunked encoding: line too long');
      i = lf < 0 ? buf.length : lf + 1;
      if (lf < 0) break;
      const line = this.line.replace(/\r$/, '');
      this.line = '';
      if (this.state === 'data-crlf') {
        if (line !== '') throw new HttpFormatError('chunked encoding: missing CRLF after chunk data');
        this.state = 'size';
      } else if (this.state === 'size') {
        const m = /^([0-9a-fA-F]+)(;.*)?$/.exec(line.trim());
        if (!m || m[1]!.length > 12) throw new HttpFormatError(`chunked encoding: bad chunk size ${JSON.stringify(line.slice(0, 40))}`);
        this.left = parseInt(m[1]!, 16);
        this.state = this.left === 0 ? 'trailer' : 'data';
      } else if (this.state === 'trailer') {
        if (line === '') this.state = 'done';
      }
    }
    return i;
  }
}

/**
 * One GET over a new connection (TCP for http:, TLS with `tlsOptions` for
 * https:). Resolves once the response head is in; connection and TLS errors
 * reject; errors after that (a connection cut short, bad framing) end the
 * body with an error.
 */
export function rawGet(target: URL, headers: Record<string, string>, timeoutMs: number, tlsOptions: tls.ConnectionOptions = {}): Promise<RawResponse> {
  const secure = target.protocol === 'https:';
  if (!secure && target.protocol !== 'http:') throw new Error(`rawGet: ${target.protocol} is not supported`);
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(target.port || (secure ? 443 : 80));
  const lines = [`GET ${target.pathname}${target.search} HTTP/1.1`, `Host: ${target.host}`];
  for (const [k, v] of Object.entries(headers)) {
    if (/[\r\n]/.test(k) || /[\r\n]/.test(v)) throw new Error(`rawGet: header ${k} contains a line break`);
    if (!/^(host|connection|content-length|transfer-encoding)$/i.test(k)) lines.push(`${k}: ${v}`);
  }
  lines.push('Connection: close', 'Accept-Encoding: identity', '', '');

  return new Promise<RawResponse>((resolve, reject) => {
    const blocks = new BlockReader();
    let head: Buffer[] = [];
    let headBytes = 0;
    let body: Readable | undefined;
    let framing: Framing = { kind: 'none' };
    let chunked: ChunkedDecoder | undefined;
    let finished = false;
    /** Body bytes read but not handed on yet: one run of adjacent memory. */
    let held: Buffer | undefined;
    let flushQueued = false;

    const fail = (e: Error) => {
      if (finished) return;
      finished = true;
      if (body) body.destroy(e);
      else reject(e);
      socket.destroy();
    };
    const finish = () => {
      if (finished) return;
      flushHeld();
      finished = true;
      body!.push(null);
      socket.destroy();
    };

    const onBody = (view: Buffer) => {
      if (!view.length || finished) return;
      if (framing.kind === 'length') {
        const n = Math.min(view.length, framing.left);
        if (n) pushBody(view.subarray(0, n));
        framing.left -= n;
        if (framing.left === 0) finish();
      } else if (framing.kind === 'chunked') {
        chunked!.push(view, pushBody);
        if (chunked!.done) finish();
      } else if (framing.kind === 'eof') {
        pushBody(view);
      }
    };
    const flushHeld = () => {
      if (!held || finished) return;
      const piece = held;
      held = undefined;
      if (!body!.push(piece)) socket.pause();
    };
    const pushBody = (piece: Buffer) => {
      if (held && held.buffer === piece.buffer && held.byteOffset + held.length === piece.byteOffset) {
        held = Buffer.from(held.buffer, held.byteOffset, held.length + piece.length);
      } else {
        flushHeld();
        held = piece;
      }
      if (held.length >= HOLD_BYTES) flushHeld();
      else if (!flushQueued) {
        flushQueued = true;
        setImmediate(() => {
          flushQueued = false;
          flushHeld();
        });
      }
    };

    const onHead = (view: Buffer) => {
      head.push(view);
      headBytes += view.length;
      const all = head.length === 1 ? head[0]! : Buffer.concat(head);
      const end = all.indexOf('\r\n\r\n', Math.max(0, headBytes - view.length - 3), 'latin1');
      if (end < 0) {
        if (headBytes > MAX_HEAD) fail(new HttpFormatError(`response head larger than ${MAX_HEAD} bytes`));
        // Keep a copy: the views of a block are only valid until given back, and head bytes never are.
        head = [Buffer.from(all)];
        return;
      }
      head = [];
      let parsed: { status: number; headers: IncomingHttpHeaders };
      try {
        parsed = parseHead(all.toString('latin1', 0, end));
        // An interim 1xx response: the real one follows.
        if (parsed.status >= 100 && parsed.status < 200) {
          const rest = all.subarray(end + 4);
          headBytes = 0;
          if (rest.length) onHead(Buffer.from(rest));
          return;
        }
        framing = framingOf(parsed.status, parsed.headers);
      } catch (e) {
        fail(e as Error);
        return;
      }
      if (framing.kind === 'chunked') chunked = new ChunkedDecoder();
      body = new Readable({
        objectMode: true,
        // Pieces are up to a block (1 MiB): a few ahead keep the consumer fed.
        highWaterMark: 4,
        read: () => socket.resume(),
        destroy: (err, cb) => {
          finished = true;
          socket.destroy();
          cb(err);
        },
      });
      resolve({ status: parsed.status, headers: parsed.headers, body });
      const rest = all.subarray(end + 4);
      if (framing.kind === 'none' || (framing.kind === 'length' && framing.left === 0)) finish();
      // The rest of this read is body (a view of the block when the head fit in one read).
      else if (rest.length) onBody(rest);
    };

    const onread = {
      buffer: () => blocks.next(),
      callback: (n: number) => {
        const view = blocks.read(n);
        if (body) onBody(view);
        else onHead(view);
      },
    };
    const socket: net.Socket = secure
      ? tls.connect({ ...tlsOptions, host, port, servername: net.isIP(host) ? undefined : host, onread } as tls.ConnectionOptions)
      : net.connect({ host, port, onread } as unknown as net.TcpNetConnectOpts);
    socket.setNoDelay(true);
    socket.setTimeout(timeoutMs, () => fail(transportError(`GET ${target.host}: timed out`, 'ETIMEDOUT')));
    socket.once(secure ? 'secureConnect' : 'connect', () => socket.write(lines.join('\r\n')));
    socket.once('error', (e) => fail(e));
    socket.once('end', () => {
      if (finished) return;
      if (body && framing.kind === 'eof') return finish();
      fail(transportError(body ? `GET ${target.host}${target.pathname}: aborted (the connection closed mid-body)` : `GET ${target.host}: socket hang up`, 'ECONNRESET'));
    });
    socket.once('close', () => {
      blocks.retire();
      if (finished) return;
      if (body && framing.kind === 'eof') finish();
      else fail(transportError(body ? `GET ${target.host}${target.pathname}: aborted (the connection closed mid-body)` : `GET ${target.host}: socket hang up`, 'ECONNRESET'));
    });
  });
}
