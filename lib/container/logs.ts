/**
 * `tote logs`: reads the log the monitor writes (helpers/tote-monitor.c) in
 * podman's k8s-file format, one record per line:
 *
 *   <RFC3339Nano> <stdout|stderr> <F|P> <text>
 *
 * F ends a line; P is a partial line continued by the stream's next record.
 * A logical line is P* F (or P* at the end of the log): it is the unit of
 * --tail and of --since/--until (judged on its first record's time), gets
 * one --timestamps prefix, and its bytes are written exactly as the
 * container wrote them (a trailing P line gets no newline).
 *
 * Follow mode reads what is there, then waits on fs.watch (with a timer for
 * the status check) and stops once the container is no longer running and
 * the log has been read to its end: the monitor writes the exit file only
 * after its last log record, so one read after seeing "not running" is
 * complete.
 */
import { promises as fs, watch, type FSWatcher } from 'node:fs';
import type { Writable } from 'node:stream';
import type { ToteConfig } from '../config/index.js';
import { errnoCode, UsageError } from '../errors/index.js';
import { loadContainer, type ContainerRecord } from '../storage/index.js';
import { containerLogPath } from './monitor.js';
import { refreshStatus } from './status.js';

export type LogStream = 'stdout' | 'stderr';

export interface LogRecord {
  /** Nanoseconds since the Unix epoch. */
  time: bigint;
  stream: LogStream;
  /** P: the line continues in the stream's next record. */
  partial: boolean;
  /** The bytes, without the record's newline. */
  text: Buffer;
}

export interface LogOptions {
  follow?: boolean;
  /** Only the last N lines; undefined = all. */
  tail?: number;
  /** Nanoseconds since the epoch (see parseTimeFilter); inclusive. */
  since?: bigint;
  until?: bigint;
  /** Prefix each line with its RFC3339Nano time and a space, as docker does. */
  timestamps?: boolean;
}

export interface LogSink {
  stdout: Writable;
  stderr: Writable;
}

const NS_PER_SEC = 1_000_000_000n;
const NS_PER_MS = 1_000_000n;

// ---------------------------------------------------------------------------
// Parsing

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?([Zz]|[+-]\d{2}:\d{2})?$/;

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/**
 * An RFC3339 time (docker's accepted forms: date, date+hour, +minutes,
 * +seconds, +fraction, each with an optional Z/±hh:mm zone; local time
 * without one) as nanoseconds since the epoch; undefined when malformed.
 */
export function parseRfc3339(text: string): bigint | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return undefined;
  const frac = BigInt((m[7] ?? '').padEnd(9, '0') || '0');
  const zone = m[8];
  let ms: number;
  if (zone === undefined) {
    const local = new Date(y, mo - 1, d, h, mi, s);
    local.setFullYear(y);
    ms = local.getTime();
  } else {
    const utc = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
    utc.setUTCFullYear(y);
    ms = utc.getTime();
    if (zone !== 'Z' && zone !== 'z') {
      const sign = zone[0] === '-' ? -1 : 1;
      const [zh, zm] = zone.slice(1).split(':').map(Number);
      if (zh > 23 || zm > 59) return undefined;
      ms -= sign * (zh * 60 + zm) * 60_000;
    }
  }
  return BigInt(ms) * NS_PER_MS + frac;
}

/** docker's fixed-width RFC3339Nano in UTC: 2024-01-02T03:04:05.000000001Z. */
export function formatTimestamp(ns: bigint): string {
  let sec = ns / NS_PER_SEC;
  let frac = ns % NS_PER_SEC;
  if (frac < 0n) {
    frac += NS_PER_SEC;
    sec -= 1n;
  }
  return `${new Date(Number(sec) * 1000).toISOString().slice(0, 19)}.${frac.toString().padStart(9, '0')}Z`;
}

/** One record of the k8s-file log (with or without its newline); undefined when malformed. */
export function parseLogLine(line: Buffer | string): LogRecord | undefined {
  const buf = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
  let end = buf.length;
  if (end > 0 && buf[end - 1] === 0x0a) end--;
  const s1 = buf.indexOf(0x20);
  if (s1 <= 0 || s1 >= end) return undefined;
  const s2 = buf.indexOf(0x20, s1 + 1);
  if (s2 < 0 || s2 + 1 >= end) return undefined;
  const stream = buf.toString('latin1', s1 + 1, s2);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const flag = buf[s2 + 1];
  if (flag !== 0x46 /* F */ && flag !== 0x50 /* P */) return undefined;
  if (s2 + 2 < end && buf[s2 + 2] !== 0x20) return undefined;
  const time = parseRfc3339(buf.toString('latin1', 0, s1));
  if (time === undefined) return undefined;
  return { time, stream, partial: flag === 0x50, text: buf.subarray(Math.min(s2 + 3, end), end) };
}

const DURATION = /^[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
const DURATION_PART = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;
const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** A Go duration ("1h30m", "42s", "1.5h", "300ms") in nanoseconds; undefined when not one. */
export function parseDuration(text: string): bigint | undefined {
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, n, unit] of text.matchAll(DURATION_PART)) total += Number(n) * UNIT_NS[unit];
  const ns = BigInt(Math.round(total));
  return text.startsWith('-') ? -ns : ns;
}

/**
 * A --since/--until value, as docker accepts it: a Go duration relative to
 * `now` ("10m", "1h30m": that long ago), an RFC3339 time (local time when it
 * has no zone), or a Unix timestamp ("1700000000", "1700000000.5").
 * Returns nanoseconds since the epoch; undefined for an empty value (no
 * filter); a UsageError otherwise.
 */
export function parseTimeFilter(text: string, now: Date, flag = 'time'): bigint | undefined {
  const value = text.trim();
  if (value === '') return undefined;
  const nowNs = BigInt(now.getTime()) * NS_PER_MS;
  if (value !== '0') {
    const d = parseDuration(value);
    if (d !== undefined) return nowNs - d;
  }
  const t = parseRfc3339(value);
  if (t !== undefined) return t;
  const unix = /^(\d+)(?:\.(\d{1,9}))?$/.exec(value);
  if (unix && !value.includes('-')) return BigInt(unix[1]) * NS_PER_SEC + BigInt((unix[2] ?? '').padEnd(9, '0') || '0');
  throw new UsageError(
    `invalid ${flag} value "${text}": failed to parse value as time or duration`,
    'use an RFC3339 time (2024-01-02T15:04:05Z), a Unix timestamp (1700000000) or a duration relative to now (10m, 1h30m)',
  );
}

/** --tail: a non-negative count, or "all" (also a negative count) for everything. */
export function parseTail(text: string | number | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = String(text).trim();
  if (value === 'all') return undefined;
  if (!/^[-+]?\d+$/.test(value)) throw new UsageError(`invalid --tail value "${text}": must be a number of lines or "all"`);
  const n = Number(value);
  return n < 0 ? undefined : n;
}

// ---------------------------------------------------------------------------
// Rendering: records in, output pieces out (pure; no I/O).

export interface LogPiece {
  stream: LogStream;
  data: Buffer;
}

interface Line {
  keep: boolean;
  /** While --tail buffers: the line's pieces, with their order in the log. */
  pieces: Array<{ seq: number; piece: LogPiece }>;
}

/**
 * Turns records into output pieces. With a tail, lines are held back until
 * endOfBacklog() (the end of what the log held when reading started); after
 * that, every record is rendered as it comes (follow mode).
 */
export class LogRenderer {
  private readonly open: Record<LogStream, Line | undefined> = { stdout: undefined, stderr: undefined };
  private ring: Line[] | undefined;
  private out: LogPiece[] = [];
  private seq = 0;
  /** A line started after --until: nothing later can be shown. */
  pastUntil = false;

  constructor(private readonly options: LogOptions) {
    if (options.tail !== undefined) this.ring = [];
  }

  push(rec: LogRecord): void {
    const { since, until, timestamps } = this.options;
    let line = this.open[rec.stream];
    const starts = line === undefined;
    if (!line) {
      const late = until !== undefined && rec.time > until;
      if (late) this.pastUntil = true;
      line = { keep: !late && (since === undefined || rec.time >= since), pieces: [] };
      if (this.ring) {
        this.ring.push(line);
        if (this.ring.length > (this.options.tail ?? 0)) {
          const dropped = this.ring.shift()!;
          dropped.keep = false;
          dropped.pieces = [];
        }
      }
    }
    this.open[rec.stream] = rec.partial ? line : undefined;
    if (!line.keep) return;
    const parts: Buffer[] = [];
    if (starts && timestamps) parts.push(Buffer.from(formatTimestamp(rec.time) + ' '));
    parts.push(rec.text);
    if (!rec.partial) parts.push(Buffer.from('\n'));
    // A copy: rec.text may point into the reader's reused buffer.
    const piece = { stream: rec.stream, data: Buffer.concat(parts) };
    if (this.ring) line.pieces.push({ seq: this.seq++, piece });
    else this.out.push(piece);
  }

  /** The backlog has been read: release the tail and render from now on. */
  endOfBacklog(): void {
    if (!this.ring) return;
    const held = this.ring.flatMap((l) => l.pieces).sort((a, b) => a.seq - b.seq);
    for (const l of this.ring) l.pieces = [];
    this.ring = undefined;
    this.out.push(...held.map((h) => h.piece));
  }

  /** The pieces rendered so far (consecutive ones of a stream joined), and forget them. */
  take(): LogPiece[] {
    const joined: LogPiece[] = [];
    let run: Buffer[] = [];
    let stream: LogStream | undefined;
    const close = () => {
      if (stream && run.length) joined.push({ stream, data: run.length === 1 ? run[0] : Buffer.concat(run) });
      run = [];
    };
    for (const p of this.out) {
      if (p.stream !== stream) close();
      stream = p.stream;
      run.push(p.data);
    }
    close();
    this.out = [];
    return joined;
  }
}

/** Renders a whole log text at once (what `tote logs` without -f prints). */
export function renderLog(text: Buffer | string, options: LogOptions): LogPiece[] {
  const buf = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const r = new LogRenderer(options);
  let start = 0;
  for (let nl = buf.indexOf(0x0a); nl >= 0; start = nl + 1, nl = buf.indexOf(0x0a, start)) {
    const rec = parseLogLine(buf.subarray(start, nl));
    if (rec) r.push(rec);
  }
  r.endOfBacklog();
  return r.take();
}

// ---------------------------------------------------------------------------
// I/O

const CHUNK = 64 * 1024;
const POLL_MS = 250;

/** Reads complete records from the log file, remembering where it stopped. */
class LogFileReader {
  private handle: fs.FileHandle | undefined;
  private offset = 0;
  private rest: Buffer = Buffer.alloc(0);

  constructor(readonly file: string) {}

  /** Reads to the current end of the file; false when it does not exist (yet). */
  async read(onRecord: (rec: LogRecord) => void, afterChunk: () => Promise<boolean>): Promise<boolean> {
    if (!this.handle) {
      try {
        this.handle = await fs.open(this.file, 'r');
      } catch (e) {
        if (errnoCode(e) === 'ENOENT') return false;
        throw e;
      }
    }
    const { size } = await this.handle.stat();
    if (size < this.offset) {
      // Truncated under us: start over.
      this.offset = 0;
      this.rest = Buffer.alloc(0);
    }
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await this.handle.read(buf, 0, CHUNK, this.offset);
      if (bytesRead === 0) return true;
      this.offset += bytesRead;
      const data = this.rest.length ? Buffer.concat([this.rest, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
      let start = 0;
      for (let nl = data.indexOf(0x0a); nl >= 0; start = nl + 1, nl = data.indexOf(0x0a, start)) {
        const rec = parseLogLine(data.subarray(start, nl));
        if (rec) onRecord(rec);
      }
      // A record being written right now: keep its start for the next read.
      this.rest = Buffer.from(data.subarray(start));
      if (!(await afterChunk())) return true;
    }
  }

  async close(): Promise<void> {
    await this.handle?.close().catch(() => undefined);
    this.handle = undefined;
  }
}

/** Writes to the sink with backpressure; stops once a sink is closed or failed (EPIPE). */
class SinkWriter {
  closed = false;
  private readonly off: Array<() => void> = [];

  constructor(private readonly sink: LogSink) {
    for (const w of [sink.stdout, sink.stderr]) {
      const onEnd = () => {
        this.closed = true;
      };
      w.on('error', onEnd);
      w.on('close', onEnd);
      this.off.push(() => {
        w.off('error', onEnd);
        w.off('close', onEnd);
      });
    }
  }

  async write(pieces: LogPiece[]): Promise<boolean> {
    for (const p of pieces) {
      if (this.closed) return false;
      const w = this.sink[p.stream];
      if (w.destroyed || w.writableEnded) {
        this.closed = true;
        return false;
      }
      if (!w.write(p.data)) await drained(w);
    }
    return !this.closed;
  }

  dispose(): void {
    for (const f of this.off) f();
  }
}

function drained(w: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      w.off('drain', done);
      w.off('close', done);
      w.off('error', done);
      resolve();
    };
    w.on('drain', done);
    w.on('close', done);
    w.on('error', done);
  });
}

/** Resolves on the next change of the file (when it can be watched) or after `ms`. */
class ChangeWaiter {
  private watcher: FSWatcher | undefined;
  private wake: (() => void) | undefined;
  private changed = false;

  constructor(private readonly file: string) {}

  private ensureWatch(): void {
    if (this.watcher) return;
    try {
      this.watcher = watch(this.file, { persistent: false }, () => this.notify());
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      // Not there yet, or not watchable: the timer alone will do.
    }
  }

  private notify(): void {
    this.changed = true;
    this.wake?.();
  }

  wait(ms: number): Promise<void> {
    this.ensureWatch();
    if (this.changed) {
      this.changed = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.changed = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}

/** Is the container still running (its monitor may still write)? Reconciles the record on the way. */
export async function containerRunning(config: ToteConfig, id: string): Promise<boolean> {
  const rec = await loadContainer(config, id);
  if (!rec) return false;
  const now = await refreshStatus(config, rec);
  return now.status === 'running' || now.status === 'paused' || now.status === 'stopping';
}

/**
 * Writes the container's logs to the sink: stdout records to sink.stdout,
 * stderr records to sink.stderr. Without `follow` it returns at the end of
 * the log; with it, once the container is no longer running (per
 * `isRunning`, by default the reconciled record) and the log is read to its
 * end, or --until has passed, or a sink was closed. A container that never
 * ran has no log: nothing is written.
 */
export async function readLogs(
  config: ToteConfig,
  record: ContainerRecord,
  options: LogOptions,
  sink: LogSink,
  isRunning: () => Promise<boolean> = () => containerRunning(config, record.id),
): Promise<void> {
  const file = containerLogPath(config, record.id);
  const renderer = new LogRenderer(options);
  const reader = new LogFileReader(file);
  const writer = new SinkWriter(sink);
  const waiter = options.follow ? new ChangeWaiter(file) : undefined;
  const push = (rec: LogRecord) => renderer.push(rec);
  // Without a tail, output goes out chunk by chunk (bounded memory for big logs).
  const flush = () => writer.write(renderer.take());
  try {
    await reader.read(push, flush);
    renderer.endOfBacklog();
    if (!(await flush()) || !waiter) return;
    const until = options.until;
    while (!renderer.pastUntil) {
      // Status first, then read: the monitor writes its exit file after the
      // last record, so a read after "not running" sees everything.
      const running = await isRunning();
      await reader.read(push, flush);
      if (!(await flush())) return;
      if (!running) return;
      if (until !== undefined && BigInt(Date.now()) * NS_PER_MS > until) return;
      await waiter.wait(POLL_MS);
    }
  } finally {
    waiter?.close();
    writer.dispose();
    await reader.close();
  }
}
