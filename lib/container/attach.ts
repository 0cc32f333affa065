/**
 * Client side of the monitor's attach socket (protocol in
 * helpers/tote-monitor.c): frames of [type][u32 length][payload].
 */
import net from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { UsageError } from '../errors/index.js';

export const Frame = { stdin: 0, stdout: 1, stderr: 2, resize: 3, closeStdin: 4, exit: 5 } as const;

export function encodeFrame(type: number, payload: Buffer | string = Buffer.alloc(0)): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const head = Buffer.alloc(5);
  head[0] = type;
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

/** Incremental decoder: feed chunks, get whole frames. */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Array<{ type: number; payload: Buffer }> {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const frames: Array<{ type: number; payload: Buffer }> = [];
    while (this.pending.length >= 5) {
      const len = this.pending.readUInt32BE(1);
      if (this.pending.length < 5 + len) break;
      frames.push({ type: this.pending[0], payload: this.pending.subarray(5, 5 + len) });
      this.pending = this.pending.subarray(5 + len);
    }
    return frames;
  }
}

export interface AttachOptions {
  stdin?: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Detach key sequence (docker's default: ctrl-p ctrl-q), checked on stdin. */
  detachKeys?: Buffer;
  /** Current terminal size, sent on connect and on every `resize` event. */
  size?: () => { rows: number; cols: number } | undefined;
  /** Subscribes to size changes; returns an unsubscribe function. */
  onResize?: (cb: () => void) => () => void;
  /** An already connected socket (a foreground run connects before start). */
  socket?: net.Socket;
}

export type AttachResult = { kind: 'exited'; exitCode: number } | { kind: 'detached' } | { kind: 'disconnected' };

export function connectAttach(socketPath: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.createConnection(socketPath);
    sock.once('connect', () => resolve(sock));
    sock.once('error', reject);
  });
}

export async function attach(socketPath: string, o: AttachOptions): Promise<AttachResult> {
  const sock = o.socket ?? (await connectAttach(socketPath));
  const decoder = new FrameDecoder();
  let result: AttachResult = { kind: 'disconnected' };
  const sendSize = () => {
    const s = o.size?.();
    if (s && !sock.destroyed) sock.write(encodeFrame(Frame.resize, `${s.rows} ${s.cols}`));
  };
  sendSize();
  const unsubscribe = o.onResize?.(sendSize);
  let matched = 0;
  const onStdin = (chunk: Buffer) => {
    if (o.detachKeys && o.detachKeys.length > 0) {
      for (const byte of chunk) {
        matched = byte === o.detachKeys[matched] ? matched + 1 : byte === o.detachKeys[0] ? 1 : 0;
        if (matched === o.detachKeys.length) {
          result = { kind: 'detached' };
          sock.end();
          return;
        }
      }
    }
    sock.write(encodeFrame(Frame.stdin, chunk));
  };
  const onStdinEnd = () => {
    if (!sock.destroyed) sock.write(encodeFrame(Frame.closeStdin));
  };
  o.stdin?.on('data', onStdin);
  o.stdin?.on('end', onStdinEnd);
  try {
    await new Promise<void>((resolve) => {
      sock.on('data', (chunk: Buffer) => {
        for (const f of decoder.push(chunk)) {
          if (f.type === Frame.stdout) o.stdout.write(f.payload);
          else if (f.type === Frame.stderr) o.stderr.write(f.payload);
          else if (f.type === Frame.exit) result = { kind: 'exited', exitCode: Number(f.payload.toString()) };
        }
      });
      sock.on('close', () => resolve());
      sock.on('error', () => resolve());
    });
  } finally {
    o.stdin?.off('data', onStdin);
    o.stdin?.off('end', onStdinEnd);
    unsubscribe?.();
  }
  return result;
}

/** docker's --detach-keys syntax: "ctrl-p,ctrl-q", "a,b", "ctrl-@". */
export function parseDetachKeys(spec: string): Buffer {
  if (spec === '') return Buffer.alloc(0);
  const bytes: number[] = [];
  for (const key of spec.split(',')) {
    const k = key.trim().toLowerCase();
    const ctrl = /^ctrl-(.)$/.exec(k);
    if (ctrl) {
      const c = ctrl[1];
      if (c >= 'a' && c <= 'z') bytes.push(c.charCodeAt(0) - 96);
      else if (c === '@') bytes.push(0);
      else if (c === '[') bytes.push(27);
      else if (c === '\\') bytes.push(28);
      else if (c === ']') bytes.push(29);
      else if (c === '^') bytes.push(30);
      else if (c === '_') bytes.push(31);
      else throw new UsageError(`invalid detach key "${key}"`, 'use ctrl-<letter> or single characters, comma-separated, e.g. ctrl-p,ctrl-q');
    } else if (k.length === 1) bytes.push(k.charCodeAt(0));
    else throw new UsageError(`invalid detach key "${key}"`, 'use ctrl-<letter> or single characters, comma-separated, e.g. ctrl-p,ctrl-q');
  }
  return Buffer.from(bytes);
}
