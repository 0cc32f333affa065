import { afterAll, describe, expect, test } from '@jest/globals';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { ToteConfig } from '../config/index.js';
import type { ContainerRecord } from '../storage/index.js';
import { containerLogPath } from './monitor.js';
import { formatTimestamp, parseDuration, parseLogLine, parseRfc3339, parseTail, parseTimeFilter, readLogs, renderLog, type LogOptions, type LogPiece } from './logs.js';

const T0 = '2024-05-06T07:08:09.000000001Z';
const ns = (iso: string) => parseRfc3339(iso)!;

/** A k8s-file record at second `s` after 2024-05-06T07:08:00Z. */
function rec(s: number, stream: 'stdout' | 'stderr', flag: 'F' | 'P', text: string): string {
  return `2024-05-06T07:08:${String(s).padStart(2, '0')}.123456789Z ${stream} ${flag} ${text}\n`;
}

/** The rendered output as one string per stream, plus the interleaving. */
function render(log: string, options: LogOptions = {}) {
  const pieces: LogPiece[] = renderLog(log, options);
  return {
    stdout: pieces.filter((p) => p.stream === 'stdout').map((p) => p.data.toString()).join(''),
    stderr: pieces.filter((p) => p.stream === 'stderr').map((p) => p.data.toString()).join(''),
    order: pieces.map((p) => `${p.stream}:${p.data.toString()}`),
  };
}

describe('parseLogLine', () => {
  test('a full stdout line', () => {
    const r = parseLogLine(`${T0} stdout F hello world\n`)!;
    expect(r.stream).toBe('stdout');
    expect(r.partial).toBe(false);
    expect(r.text.toString()).toBe('hello world');
    expect(r.time).toBe(1714979289n * 1_000_000_000n + 1n);
  });
  test('a partial stderr record keeps its spaces', () => {
    const r = parseLogLine(`${T0} stderr P  two  spaces `)!;
    expect(r).toMatchObject({ stream: 'stderr', partial: true });
    expect(r.text.toString()).toBe(' two  spaces ');
  });
  test('an empty line (with or without the space after the flag)', () => {
    expect(parseLogLine(`${T0} stdout F \n`)!.text.length).toBe(0);
    expect(parseLogLine(`${T0} stdout F`)!.text.length).toBe(0);
  });
  test('bytes are kept as they are (not UTF-8, \\r)', () => {
    const line = Buffer.concat([Buffer.from(`${T0} stdout F `), Buffer.from([0xff, 0xfe, 0x0d]), Buffer.from('\n')]);
    expect([...parseLogLine(line)!.text]).toEqual([0xff, 0xfe, 0x0d]);
  });
  test('a zone offset is honoured', () => {
    expect(parseLogLine('2024-05-06T09:08:09.5+02:00 stdout F x')!.time).toBe(ns('2024-05-06T07:08:09.5Z'));
  });
  test.each([
    ['empty', ''],
    ['no stream', T0],
    ['unknown stream', `${T0} stdin F x`],
    ['bad flag', `${T0} stdout X x`],
    ['flag glued to text', `${T0} stdout Fx`],
    ['bad time', 'yesterday stdout F x'],
  ])('malformed: %s', (_l, line) => expect(parseLogLine(line)).toBeUndefined());
});

describe('rendering', () => {
  const log = rec(1, 'stdout', 'F', 'one') + rec(2, 'stderr', 'F', 'two') + rec(3, 'stdout', 'P', 'thr') + rec(3, 'stdout', 'P', 'ee');

  test('streams are split; a trailing partial line gets no newline', () => {
    expect(render(log)).toMatchObject({ stdout: 'one\nthree', stderr: 'two\n' });
  });

  test('partial records are joined into their line, across the other stream', () => {
    const r = render(rec(1, 'stdout', 'P', 'a') + rec(2, 'stderr', 'F', 'x') + rec(3, 'stdout', 'P', 'b') + rec(4, 'stdout', 'F', 'c'));
    expect(r).toMatchObject({ stdout: 'abc\n', stderr: 'x\n' });
    expect(r.order).toEqual(['stdout:a', 'stderr:x\n', 'stdout:bc\n']);
  });

  test('an empty line is a newline', () => {
    expect(render(rec(1, 'stdout', 'F', '') + rec(2, 'stdout', 'F', 'x')).stdout).toBe('\nx\n');
  });

  test('malformed lines are skipped', () => {
    expect(render('garbage\n' + rec(1, 'stdout', 'F', 'ok')).stdout).toBe('ok\n');
  });

  test('--tail counts lines of both streams, a partial run being one line', () => {
    expect(render(log, { tail: 1 })).toMatchObject({ stdout: 'three', stderr: '' });
    expect(render(log, { tail: 2 })).toMatchObject({ stdout: 'three', stderr: 'two\n' });
    expect(render(log, { tail: 3 })).toMatchObject({ stdout: 'one\nthree', stderr: 'two\n' });
    expect(render(log, { tail: 99 })).toMatchObject({ stdout: 'one\nthree', stderr: 'two\n' });
    expect(render(log, { tail: 0 })).toMatchObject({ stdout: '', stderr: '' });
  });

  test('--tail keeps a P…F line whole, and the interleaving of what it keeps', () => {
    const l = rec(1, 'stdout', 'F', 'old') + rec(2, 'stdout', 'P', 'a') + rec(3, 'stderr', 'F', 'x') + rec(4, 'stdout', 'F', 'b');
    expect(render(l, { tail: 2 }).order).toEqual(['stdout:a', 'stderr:x\n', 'stdout:b\n']);
    expect(render(l, { tail: 1 }).order).toEqual(['stderr:x\n']);
  });

  test('--timestamps prefixes each line once, with docker\'s fixed-width RFC3339Nano', () => {
    const r = render(rec(1, 'stdout', 'P', 'a') + rec(2, 'stdout', 'F', 'b') + rec(3, 'stderr', 'F', 'c'), { timestamps: true });
    expect(r.stdout).toBe('2024-05-06T07:08:01.123456789Z ab\n');
    expect(r.stderr).toBe('2024-05-06T07:08:03.123456789Z c\n');
  });

  test('--since and --until are inclusive and judge a line by its first record', () => {
    const l = rec(1, 'stdout', 'F', 'a') + rec(2, 'stdout', 'P', 'b') + rec(3, 'stdout', 'F', 'c') + rec(4, 'stdout', 'F', 'd');
    const at = (s: number) => ns(`2024-05-06T07:08:0${s}.123456789Z`);
    expect(render(l, { since: at(2) }).stdout).toBe('bc\nd\n');
    expect(render(l, { since: at(3) }).stdout).toBe('d\n');
    expect(render(l, { until: at(2) }).stdout).toBe('a\nbc\n');
    expect(render(l, { since: at(2), until: at(2) }).stdout).toBe('bc\n');
  });

  test('--tail applies before --since (as docker and podman do)', () => {
    const l = rec(1, 'stdout', 'F', 'a') + rec(2, 'stdout', 'F', 'b') + rec(3, 'stdout', 'F', 'c');
    expect(render(l, { tail: 2, since: ns('2024-05-06T07:08:03Z') }).stdout).toBe('c\n');
  });
});

describe('time filters', () => {
  const now = new Date('2024-05-06T12:00:00.000Z');
  const nowNs = BigInt(now.getTime()) * 1_000_000n;
  const S = 1_000_000_000n;

  test.each([
    ['42s', 42n * S],
    ['10m', 600n * S],
    ['1h30m', 5400n * S],
    ['1.5h', 5400n * S],
    ['300ms', 300_000_000n],
    ['2h45m30.5s', 9930n * S + S / 2n],
  ])('duration %s is that long before now', (text, ago) => expect(parseTimeFilter(text, now)).toBe(nowNs - ago));

  test('a negative duration is in the future', () => expect(parseTimeFilter('-1m', now)).toBe(nowNs + 60n * S));

  test.each([
    ['1700000000', 1700000000n * S],
    ['1700000000.5', 1700000000n * S + 500_000_000n],
    ['1700000000.000000001', 1700000000n * S + 1n],
    ['0', 0n],
    ['10', 10n * S],
  ])('Unix timestamp %s', (text, want) => expect(parseTimeFilter(text, now)).toBe(want));

  test.each([
    ['2024-05-06T07:08:09Z', '2024-05-06T07:08:09.000Z', 0n],
    ['2024-05-06T07:08:09.123456789Z', '2024-05-06T07:08:09.123Z', 456789n],
    ['2024-05-06T09:08:09+02:00', '2024-05-06T07:08:09.000Z', 0n],
    ['2024-05-06T07:08Z', '2024-05-06T07:08:00.000Z', 0n],
    ['2024-05-06T07Z', '2024-05-06T07:00:00.000Z', 0n],
  ])('RFC3339 %s', (text, iso, extra) => expect(parseTimeFilter(text, now)).toBe(BigInt(Date.parse(iso)) * 1_000_000n + extra));

  test('without a zone, local time', () => {
    expect(parseTimeFilter('2024-05-06T07:08:09', now)).toBe(BigInt(new Date(2024, 4, 6, 7, 8, 9).getTime()) * 1_000_000n);
    expect(parseTimeFilter('2024-05-06', now)).toBe(BigInt(new Date(2024, 4, 6).getTime()) * 1_000_000n);
  });

  test('empty means no filter', () => expect(parseTimeFilter('', now)).toBeUndefined());

  test.each(['yesterday', '10x', '2024-13-01', '2024-02-30T00:00:00Z', '2024-05-06T25:00:00Z', '1700000000.1234567891', '-5', '1h-3m', '12:00'])(
    'bad input %s is a usage error',
    (text) => expect(() => parseTimeFilter(text, now, '--since')).toThrow(expect.objectContaining({ code: 'E_USAGE', message: expect.stringContaining('--since') })),
  );

  test('parseDuration', () => {
    expect(parseDuration('1m30s')).toBe(90n * S);
    expect(parseDuration('5')).toBeUndefined();
  });

  test('formatTimestamp is fixed width UTC', () => {
    expect(formatTimestamp(ns('2024-05-06T07:08:09.5Z'))).toBe('2024-05-06T07:08:09.500000000Z');
    expect(formatTimestamp(0n)).toBe('1970-01-01T00:00:00.000000000Z');
  });
});

describe('parseTail', () => {
  test('numbers, "all", negatives', () => {
    expect(parseTail('3')).toBe(3);
    expect(parseTail('0')).toBe(0);
    expect(parseTail('all')).toBeUndefined();
    expect(parseTail('-1')).toBeUndefined();
    expect(parseTail(undefined)).toBeUndefined();
  });
  test.each(['', 'ten', '1.5'])('%p is a usage error', (t) => expect(() => parseTail(t)).toThrow(expect.objectContaining({ code: 'E_USAGE' })));
});

describe('readLogs', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tote-logs-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const config = { dataDir: dir } as unknown as ToteConfig;
  let n = 0;

  /** A container record and its (not yet existing) log file. */
  function container(): { record: ContainerRecord; log: string } {
    const id = (++n).toString(16).padStart(64, '0');
    const record = { id } as ContainerRecord;
    const log = containerLogPath(config, id);
    mkdirSync(path.dirname(log), { recursive: true });
    return { record, log };
  }

  function sink() {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const got = { stdout: '', stderr: '' };
    stdout.on('data', (b: Buffer) => (got.stdout += b.toString()));
    stderr.on('data', (b: Buffer) => (got.stderr += b.toString()));
    return { sink: { stdout, stderr }, got };
  }

  test('the log path is under the container directory', () => {
    expect(container().log).toContain(dir);
  });

  test('a container that never ran: no output', async () => {
    const { record } = container();
    const { sink: s, got } = sink();
    await readLogs(config, record, {}, s, async () => false);
    await readLogs(config, record, { follow: true }, s, async () => false);
    expect(got).toEqual({ stdout: '', stderr: '' });
  });

  test('reads a whole log, bigger than one read', async () => {
    const { record, log } = container();
    const line = 'x'.repeat(1000);
    writeFileSync(log, Array.from({ length: 300 }, (_, i) => rec(i % 60, i % 2 ? 'stderr' : 'stdout', 'F', `${i} ${line}`)).join(''));
    const { sink: s, got } = sink();
    await readLogs(config, record, {}, s, async () => true);
    expect(got.stdout.split('\n').length - 1).toBe(150);
    expect(got.stderr.split('\n').length - 1).toBe(150);
    expect(got.stdout.startsWith(`0 ${line}\n2 ${line}\n`)).toBe(true);
    const tail = sink();
    await readLogs(config, record, { tail: 2 }, tail.sink, async () => true);
    expect(tail.got).toEqual({ stdout: `298 ${line}\n`, stderr: `299 ${line}\n` });
  });

  test('follow: new records as they come, a half-written record waits, ends once not running', async () => {
    const { record, log } = container();
    writeFileSync(log, rec(1, 'stdout', 'F', 'first'));
    const { sink: s, got } = sink();
    let running = true;
    let checks = 0;
    const done = readLogs(config, record, { follow: true, tail: 0 }, s, async () => {
      checks++;
      return running;
    });
    const until = async (cond: () => boolean) => {
      for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
    };
    await until(() => checks > 0);
    appendFileSync(log, rec(2, 'stdout', 'P', 'sec'));
    await until(() => got.stdout === 'sec');
    expect(got.stdout).toBe('sec');
    // Half a record: not shown until complete.
    appendFileSync(log, '2024-05-06T07:08:03.1Z stdout F o');
    await new Promise((r) => setTimeout(r, 400));
    expect(got.stdout).toBe('sec');
    appendFileSync(log, 'nd\n' + rec(4, 'stderr', 'F', 'err'));
    await until(() => got.stderr === 'err\n');
    // The monitor's last records, then the exit: all of it is printed.
    appendFileSync(log, rec(5, 'stdout', 'F', 'last'));
    running = false;
    await done;
    expect(got).toEqual({ stdout: 'second\nlast\n', stderr: 'err\n' });
  });

  test('follow: a closed sink ends it', async () => {
    const { record, log } = container();
    writeFileSync(log, rec(1, 'stdout', 'F', 'a'));
    const { sink: s } = sink();
    const done = readLogs(config, record, { follow: true }, s, async () => true);
    await new Promise((r) => setTimeout(r, 100));
    s.stdout.destroy();
    appendFileSync(log, rec(2, 'stdout', 'F', 'b'));
    await expect(done).resolves.toBeUndefined();
  });

  test('follow: --until in the past ends it', async () => {
    const { record, log } = container();
    writeFileSync(log, rec(1, 'stdout', 'F', 'a') + rec(9, 'stdout', 'F', 'late'));
    const { sink: s, got } = sink();
    await readLogs(config, record, { follow: true, until: ns('2024-05-06T07:08:05Z') }, s, async () => true);
    expect(got.stdout).toBe('a\n');
  });
});
