/**
 * What a container sees: its own pid, uts, mount, network and user
 * namespaces; /proc, /dev and /sys; generated /etc files; and image content
 * with ownership and modes intact.
 */
import { describe, test, expect, beforeAll } from '@jest/globals';
import { readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeEnv, show, lines, isRoot, subIdRanges } from './harness.js';

const e = makeEnv();

beforeAll(async () => {
  await e.importBusybox('busybox');
});

async function run(...cmd: string[]) {
  const r = await e.tote(['run', '--rm', 'busybox', ...cmd]);
  if (r.code !== 0) throw new Error(`tote run ${cmd.join(' ')} failed\n${show(r)}`);
  return r.stdout;
}

describe('namespaces', () => {
  test('the command is PID 1', async () => {
    expect(await run('sh', '-c', 'echo $$')).toBe('1\n');
  });

  test('ps shows only the container’s processes', async () => {
    const out = lines(await run('ps', '-o', 'pid,comm'));
    expect(out[0]).toMatch(/PID\s+COMMAND/);
    const rows = out.slice(1).map((l) => l.trim().split(/\s+/));
    expect(rows).toEqual([['1', 'ps']]);
  });

  test('ps from a shell shows the shell as PID 1 and its child', async () => {
    const out = lines(await run('sh', '-c', 'ps -o pid,comm; true'));
    const rows = out.slice(1).map((l) => l.trim().split(/\s+/));
    expect(rows.map((r) => r[1])).toEqual(['sh', 'ps']);
    expect(rows[0][0]).toBe('1');
  });

  test('hostname is a 12-hex short id, also in /etc/hostname and /etc/hosts', async () => {
    const out = lines(await run('sh', '-c', 'hostname; cat /etc/hostname; cat /etc/hosts'));
    const hostname = out[0];
    expect(hostname).toMatch(/^[0-9a-f]{12}$/);
    expect(out[1]).toBe(hostname);
    const hosts = out.slice(2).join('\n');
    expect(hosts).toMatch(new RegExp(`\\s${hostname}(\\s|$)`, 'm'));
    expect(hosts).toMatch(/^127\.0\.0\.1\s+localhost/m);
  });

  test('each container gets its own hostname', async () => {
    const [a, b] = await Promise.all([run('hostname'), run('hostname')]);
    expect(a).not.toBe(b);
  });

  test('/etc/resolv.conf exists', async () => {
    await run('test', '-f', '/etc/resolv.conf');
  });

  test('uid_map and gid_map: container root is the user, then the subordinate range', async () => {
    const parse = (s: string) => lines(s).map((l) => l.trim().split(/\s+/).map(Number));
    const uidMap = parse(await run('cat', '/proc/self/uid_map'));
    const gidMap = parse(await run('cat', '/proc/self/gid_map'));
    if (isRoot) {
      // Rootful: no user namespace, the host's identity map.
      expect(uidMap).toEqual([[0, 0, 4294967295]]);
      return;
    }
    const uid = process.getuid!();
    const gid = process.getgid!();
    expect(uidMap[0]).toEqual([0, uid, 1]);
    expect(gidMap[0]).toEqual([0, gid, 1]);
    const subuid = subIdRanges('/etc/subuid');
    if (subuid.length > 0) {
      expect(uidMap[1]).toEqual([1, subuid[0].start, Math.min(subuid[0].count, 65536)]);
      expect(uidMap[1][2]).toBe(65536);
    }
    const subgid = subIdRanges('/etc/subgid');
    if (subgid.length > 0) {
      expect(gidMap[1]).toEqual([1, subgid[0].start, Math.min(subgid[0].count, 65536)]);
    }
  });

  test('host files are not visible', async () => {
    const secret = path.join(e.dir, 'host-only-file');
    writeFileSync(secret, 'host\n');
    const r = await e.tote(['run', '--rm', 'busybox', 'test', '-e', secret]);
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 1 });
    const home = await e.tote(['run', '--rm', 'busybox', 'test', '-e', e.home]);
    expect(home.code).toBe(1);
  });

  const interfaces = (text: string) =>
    lines(text)
      .slice(2)
      .map((l) => l.split(':')[0].trim())
      .filter(Boolean)
      .sort();

  test('network: its own namespace with an interface of its own by default (docker\'s default is a real network)', async () => {
    const ifaces = interfaces(await run('cat', '/proc/net/dev'));
    expect(ifaces).toContain('lo');
    expect(ifaces.filter((i) => i !== 'lo').length).toBeGreaterThanOrEqual(1);
    // Not the host's namespace: a different inode.
    const hostNs = readlinkSync('/proc/self/ns/net');
    expect((await run('readlink', '/proc/self/ns/net')).trim()).not.toBe(hostNs);
  });

  test('network none: only the loopback interface', async () => {
    const r = await e.tote(['run', '--rm', '--network', 'none', 'busybox', 'cat', '/proc/net/dev']);
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
    expect(interfaces(r.stdout)).toEqual(['lo']);
  });

  test('loopback is up', async () => {
    const out = await run('ip', 'addr', 'show', 'lo');
    expect(out).toContain('127.0.0.1');
  });
});

describe('filesystems', () => {
  test('/proc, /dev nodes, /dev/pts, /dev/shm, /dev/mqueue exist', async () => {
    const checks = [
      '-d /proc/self',
      '-c /dev/null',
      '-c /dev/zero',
      '-c /dev/full',
      '-c /dev/random',
      '-c /dev/urandom',
      '-c /dev/tty',
      '-d /dev/pts',
      '-d /dev/shm',
      '-d /dev/mqueue',
    ];
    const script = checks.map((c) => `if test ${c}; then echo "ok ${c}"; else echo "missing ${c}"; fi`).join('; ');
    expect(lines(await run('sh', '-c', script))).toEqual(checks.map((c) => `ok ${c}`));
  });

  test('/dev/null and /dev/zero work', async () => {
    expect(await run('sh', '-c', 'echo gone > /dev/null; head -c 4 /dev/zero | od -An -tx1')).toMatch(/^\s*00 00 00 00\s*$/);
  });

  test('/dev/shm is writable', async () => {
    await run('sh', '-c', 'echo x > /dev/shm/x && cat /dev/shm/x');
  });

  test('/sys is read-only', async () => {
    const r = await e.tote(['run', '--rm', 'busybox', 'touch', '/sys/x']);
    expect(r.code).not.toBe(0);
    const mounts = await run('cat', '/proc/mounts');
    const sys = lines(mounts).find((l) => l.split(' ')[1] === '/sys');
    expect(sys).toBeDefined();
    expect(sys!.split(' ')[3].split(',')).toContain('ro');
  });

  test('the root filesystem is writable and private to the container', async () => {
    expect(await run('sh', '-c', 'echo hi > /newfile && cat /newfile')).toBe('hi\n');
    const r = await e.tote(['run', '--rm', 'busybox', 'test', '-e', '/newfile']);
    expect(r.code).toBe(1);
  });
});

describe('image content survives import', () => {
  test('ownership of /etc/owned-by-app and /home/app is 1000:1000', async () => {
    expect(await run('stat', '-c', '%u:%g %n', '/etc/owned-by-app', '/home/app')).toBe(
      '1000:1000 /etc/owned-by-app\n1000:1000 /home/app\n',
    );
  });

  test('modes: setuid, sticky /tmp, private /root', async () => {
    expect(await run('stat', '-c', '%a %n', '/bin/suidtest', '/tmp', '/root')).toBe('4755 /bin/suidtest\n1777 /tmp\n700 /root\n');
  });

  test('applet symlinks point at busybox', async () => {
    expect(await run('readlink', '/bin/sh')).toBe('busybox\n');
  });

  test('mtimes are kept', async () => {
    expect(await run('stat', '-c', '%Y', '/etc/owned-by-app')).toBe(`${Date.parse('2024-01-01T00:00:00Z') / 1000}\n`);
  });
});
