import { describe, expect, test } from '@jest/globals';
import { promises as fs } from 'node:fs';
import {
  commandColumn,
  cpuPercent,
  formatCpuTime,
  formatStartTime,
  parsePasswd,
  parseProcStat,
  parsePsOutput,
  parseStatusUid,
  pidsInNamespaceOf,
  procTable,
  psEfRow,
  ttyName,
  userColumn,
} from './top.js';

const STAT = '4242 (my (odd) prog) S 4200 4242 4242 34816 4242 4194560 300 0 0 0 150 50 0 0 20 0 1 0 123456 4374528 200 18446744073709551615';

describe('/proc parsing', () => {
  test('stat: comm with spaces and parentheses, ppid, tty, cpu and start ticks', () => {
    expect(parseProcStat(STAT)).toEqual({ pid: 4242, comm: 'my (odd) prog', state: 'S', ppid: 4200, ttyNr: 34816, cpuTicks: 200, startTicks: 123456 });
    expect(parseProcStat('garbage')).toBeUndefined();
  });
  test('status: the effective uid', () => {
    expect(parseStatusUid('Name:\tsleep\nUid:\t1000\t1001\t1000\t1000\nGid:\t0\t0\t0\t0\n')).toBe(1001);
    expect(parseStatusUid('Name:\tx\n')).toBeUndefined();
  });
  test('tty names as procps prints them', () => {
    expect(ttyName(0)).toBe('?');
    expect(ttyName(34816)).toBe('pts/0'); // 136:0
    expect(ttyName((136 << 8) | 5)).toBe('pts/5');
    expect(ttyName((137 << 8) | 1)).toBe('pts/257');
    expect(ttyName((4 << 8) | 1)).toBe('tty1');
    expect(ttyName((4 << 8) | 65)).toBe('ttyS1');
  });
  test('cmdline: arguments joined by spaces; empty → [comm]', () => {
    expect(commandColumn(Buffer.from('sleep\x00100\x00'), 'sleep')).toBe('sleep 100');
    expect(commandColumn(Buffer.from(''), 'kworker/0:1')).toBe('[kworker/0:1]');
  });
  test('TIME, STIME and C columns', () => {
    expect(formatCpuTime(0)).toBe('00:00:00');
    expect(formatCpuTime(3723.9)).toBe('01:02:03');
    expect(formatCpuTime(2 * 86400 + 5)).toBe('2-00:00:05');
    const now = new Date(2024, 5, 6, 12, 0, 0);
    expect(formatStartTime(new Date(2024, 5, 6, 9, 5), now)).toBe('09:05');
    expect(formatStartTime(new Date(2024, 0, 2, 9, 5), now)).toBe('Jan02');
    expect(formatStartTime(new Date(2023, 11, 31, 23, 0), now)).toBe('2023');
    expect(cpuPercent(200, 100, 11)).toBe(20); // 2 s of CPU over 10 s
    expect(cpuPercent(5000, 0, 10)).toBe(99);
    expect(cpuPercent(10, 1000, 10)).toBe(0);
  });
  test('user column: host names, cut as procps does; numbers when unknown', () => {
    const users = parsePasswd('root:x:0:0::/root:/bin/sh\nverylongname:x:1000:1000::/home/v:/bin/sh\nbad line\n');
    expect(userColumn(0, users)).toBe('root');
    expect(userColumn(1000, users)).toBe('verylon+');
    expect(userColumn(100000, users)).toBe('100000');
  });
  test('a ps -ef row', () => {
    const st = parseProcStat(STAT)!;
    const boot = new Date(2024, 5, 6, 10, 0, 0).getTime() / 1000;
    const row = psEfRow({ stat: st, uid: 0, cmd: 'my prog --flag' }, { users: new Map([[0, 'root']]), bootTime: boot, uptime: 1244.56, now: new Date(2024, 5, 6, 10, 30) });
    expect(row).toEqual(['root', '4242', '4200', '20', '10:20', 'pts/0', '00:00:02', 'my prog --flag']);
  });
});

describe("parsePsOutput (dockerd's)", () => {
  const out = [
    'USER       PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND',
    'root         1  0.0  0.1 168000 11000 ?        Ss   10:00   0:01 /sbin/init splash',
    'me        4242  0.0  0.0   2268  1376 ?        Ss   10:01   0:00 sleep   100',
    'me           -  0.0    -      -     - -        S    10:01   0:00 -',
    'me        4243  0.0  0.0   2268  1376 ?        S    10:01   0:00 sh -c x',
    '',
  ].join('\n');
  test('keeps the container pids, merges the command, follows thread rows', () => {
    const r = parsePsOutput(out, [4242]);
    expect(r.Titles).toEqual(['USER', 'PID', '%CPU', '%MEM', 'VSZ', 'RSS', 'TTY', 'STAT', 'START', 'TIME', 'COMMAND']);
    expect(r.Processes).toEqual([
      ['me', '4242', '0.0', '0.0', '2268', '1376', '?', 'Ss', '10:01', '0:00', 'sleep 100'],
      ['me', '-', '0.0', '-', '-', '-', '-', 'S', '10:01', '0:00', '-'],
    ]);
    expect(parsePsOutput(out, [4243, 1]).Processes.map((p) => p[1])).toEqual(['1', '4243']);
  });
  test('no PID column is an error', () => {
    expect(() => parsePsOutput('COMMAND\nsleep\n', [1])).toThrow(/PID field/);
  });
});

describe('the processes of a pid namespace, from /proc', () => {
  test('this process is found in its own namespace, and its row is well-formed', async () => {
    const pids = await pidsInNamespaceOf(process.pid);
    expect(pids).toContain(process.pid);
    expect([...pids].sort((a, b) => a - b)).toEqual(pids);
    const table = await procTable([process.pid]);
    expect(table.Titles).toEqual(['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
    const [row] = table.Processes;
    expect(row[1]).toBe(String(process.pid));
    expect(row[2]).toBe(String(process.ppid));
    expect(row[4]).toMatch(/^(\d\d:\d\d|[A-Z][a-z]{2}\d\d|\d{4})$/);
    expect(row[6]).toMatch(/^(\d+-)?\d\d:\d\d:\d\d$/);
    const cmdline = (await fs.readFile(`/proc/${process.pid}/cmdline`, 'utf8')).replace(/\0+$/, '').split('\0').join(' ');
    expect(row[7]).toBe(cmdline);
  });
  test('a process that is gone is left out', async () => {
    expect((await procTable([2 ** 22 + 7])).Processes).toEqual([]);
  });
});
