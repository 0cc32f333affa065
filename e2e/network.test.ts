/**
 * Rootless networking: the default network (pasta), published TCP and UDP
 * ports reached from the host, -P and random ports, the source address a
 * server sees, outbound to the host's loopback through
 * host.containers.internal, none/host/container: modes, the slirp4netns
 * fallback, and that no network helper outlives its container however it
 * ends.
 *
 * Source addresses (pasta): a client on the host connecting to 127.0.0.1 is
 * forwarded on pasta's spliced (loopback-to-loopback) path, so the server
 * sees 127.0.0.1 — which is that client's real address. Remote clients keep
 * their own address. A client on the host using the host's own non-loopback
 * address shows up as the gateway address, because the container has that
 * same address. slirp4netns shows every client as 10.0.2.2.
 *
 * UDP: the pasta in Debian 12 (2023-03-09) loses the replies of a
 * port-translated UDP flow on its spliced path (127.0.0.1:HOST -> CTR with
 * HOST != CTR); such flows work from non-loopback clients. The loopback UDP
 * test therefore publishes the same port number on both sides.
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { makeEnv, show, isRoot, haveProgram } from './harness.js';

const e = makeEnv();
const havePasta = haveProgram('pasta');
const haveSlirp = haveProgram('slirp4netns');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The busybox httpd, serving "hello" and a CGI that prints the client's address. */
const HTTPD = [
  'sh',
  '-c',
  'mkdir -p /www/cgi-bin && echo hello > /www/index.html && ' +
    'printf "#!/bin/sh\\necho Content-Type: text/plain\\necho\\necho \\$REMOTE_ADDR\\n" > /www/cgi-bin/addr && chmod +x /www/cgi-bin/addr && ' +
    'exec httpd -f -p 80 -h /www',
];

let udpEcho = '';

beforeAll(async () => {
  await e.importBusybox('busybox');
  await e.importBusybox('webimg', ['--change', 'EXPOSE 80', '--change', 'EXPOSE 9999/udp']);
  // A static UDP echo server ("MSG from ADDR"): busybox has no UDP server.
  if (haveProgram('cc')) {
    const dir = path.join(e.dir, 'udp');
    mkdirSync(dir);
    writeFileSync(
      path.join(dir, 'echo.c'),
      `#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
int main(int argc, char **argv) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
  if (bind(s, (struct sockaddr *)&a, sizeof a) < 0) { perror("bind"); return 1; }
  char buf[2048], out[2200];
  for (;;) {
    struct sockaddr_in from; socklen_t fl = sizeof from;
    ssize_t n = recvfrom(s, buf, sizeof buf - 1, 0, (struct sockaddr *)&from, &fl);
    if (n < 0) continue;
    buf[n] = 0;
    int m = snprintf(out, sizeof out, "%s from %s", buf, inet_ntoa(from.sin_addr));
    sendto(s, out, m, 0, (struct sockaddr *)&from, fl);
  }
}
`,
    );
    execFileSync('cc', ['-static', '-O2', '-o', path.join(dir, 'udpecho'), path.join(dir, 'echo.c')]);
    udpEcho = path.join(dir, 'udpecho');
  }
});

async function ok(args: string[]): Promise<string> {
  const r = await e.tote(args);
  expect({ args, code: r.code, out: show(r) }).toMatchObject({ code: 0 });
  return r.stdout.trim();
}

/** A port the kernel says is free now. */
function freePort(proto: 'tcp' | 'udp' = 'tcp'): Promise<number> {
  return new Promise((resolve, reject) => {
    if (proto === 'udp') {
      const s = dgram.createSocket('udp4');
      s.once('error', reject);
      s.bind(0, '0.0.0.0', () => {
        const p = s.address().port;
        s.close(() => resolve(p));
      });
      return;
    }
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '0.0.0.0', () => {
      const p = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(p));
    });
  });
}

/** Whether the port can be bound again (nothing of ours holds it). */
function bindable(port: number, proto: 'tcp' | 'udp' = 'tcp'): Promise<boolean> {
  return new Promise((resolve) => {
    if (proto === 'udp') {
      const s = dgram.createSocket('udp4');
      s.once('error', () => resolve(false));
      s.bind(port, '0.0.0.0', () => s.close(() => resolve(true)));
      return;
    }
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '0.0.0.0', () => srv.close(() => resolve(true)));
  });
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // busybox httpd passes the CGI's LF-only header lines through.
    const req = http.get(url, { timeout: 3000, insecureHTTPParser: true }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** GET, retried while the server in the container is starting. */
async function fetchText(url: string): Promise<string> {
  let last: unknown;
  for (let i = 0; i < 50; i++) {
    try {
      const r = await get(url);
      if (r.status === 200) return r.body;
      last = new Error(`HTTP ${r.status}`);
    } catch (err) {
      last = err;
    }
    await sleep(100);
  }
  throw new Error(`${url}: ${String(last)}`);
}

async function udpRequest(port: number, host: string, text: string): Promise<string> {
  const s = dgram.createSocket('udp4');
  try {
    return await new Promise<string>((resolve, reject) => {
      s.on('message', (m) => resolve(String(m)));
      const timer = setInterval(() => s.send(text, port, host), 150);
      setTimeout(() => {
        clearInterval(timer);
        reject(new Error(`no UDP answer from ${host}:${port}`));
      }, 5000);
      s.once('close', () => clearInterval(timer));
    });
  } finally {
    s.close();
  }
}

/** Our network helpers (pasta/slirp4netns) serving container `id`: their command line names its volatile dir. */
function helpersOf(id: string): number[] {
  return helpersMatching(path.join(e.runroot, 'c', id.slice(0, 12)));
}

function helpersMatching(mark: string): number[] {
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      // pasta runs as passt.avx2 on AVX2 machines (Debian's wrapper execs it).
      if (!/^(pasta|passt|slirp4netns)/.test(comm)) continue;
      if (/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))) continue;
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(mark)) found.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Processes named `comm` whose command line mentions `text`. */
function processes(comm: string, text: string): number[] {
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== comm) continue;
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text)) found.push(Number(pid));
    } catch {
      // gone
    }
  }
  return found;
}

async function expectReleased(id: string, port: number, proto: 'tcp' | 'udp' = 'tcp'): Promise<void> {
  // Right after the command returned: no waiting for a cleanup to catch up.
  expect(helpersOf(id)).toEqual([]);
  expect(await bindable(port, proto)).toBe(true);
}

/** A host-loopback HTTP server for the outbound tests. */
let hostServer: http.Server | undefined;
let hostPort = 0;
afterAll(() => {
  hostServer?.close();
});

const maybe = havePasta ? describe : describe.skip;

maybe('pasta (default network)', () => {
  test('the default network has an interface, an address and a default route; info names pasta', async () => {
    const out = await ok(['run', '--rm', 'busybox', 'sh', '-c', 'ip -o addr; ip route']);
    expect(out).toMatch(/^\d+: (?!lo)\S+\s+inet \d+\.\d+\.\d+\.\d+\//m);
    expect(out).toMatch(/^default via /m);
    expect(JSON.parse(await ok(['info', '--format', 'json'])).host.networkBackend).toBe('pasta');
  });

  test('TCP: busybox httpd published with -p, reached from the host; ps, port and inspect show it', async () => {
    const port = await freePort();
    const id = await ok(['run', '-d', '--name', 'web', '-p', `${port}:80`, 'busybox', ...HTTPD]);
    expect(await fetchText(`http://127.0.0.1:${port}/index.html`)).toBe('hello\n');
    expect(await ok(['ps', '--format', '{{.Names}} {{.Ports}}'])).toMatch(new RegExp(`^web 0\\.0\\.0\\.0:${port}->80/tcp$`, 'm'));
    expect(await ok(['port', 'web'])).toBe(`80/tcp -> 0.0.0.0:${port}`);
    expect(await ok(['port', 'web', '80/tcp'])).toBe(`0.0.0.0:${port}`);
    const unpublished = await e.tote(['port', 'web', '81']);
    expect({ code: unpublished.code, err: unpublished.stderr }).toMatchObject({ code: 1, err: expect.stringContaining("no public port '81/tcp'") });
    const inspect = JSON.parse(await ok(['inspect', 'web']))[0];
    expect(inspect.NetworkSettings.Ports).toEqual({ '80/tcp': [{ HostIp: '0.0.0.0', HostPort: String(port) }] });
    expect(inspect.HostConfig.PortBindings).toEqual({ '80/tcp': [{ HostIp: '0.0.0.0', HostPort: String(port) }] });
    expect(inspect.HostConfig.NetworkMode).toBe('pasta');
    expect(id).toMatch(/^[0-9a-f]{64}$/);
  });

  test('source address: the server sees the client, not a proxy', async () => {
    const port = Number((await ok(['port', 'web', '80'])).split(':').pop());
    // A loopback client is seen as 127.0.0.1 (its real address), not as the gateway or 10.0.2.x.
    expect((await fetchText(`http://127.0.0.1:${port}/cgi-bin/addr`)).trim()).toMatch(/^(::ffff:)?\[?(::ffff:)?127\.0\.0\.1\]?$/);
    // A client using the host's own external address: the container has that
    // address too, so pasta shows the gateway instead (documented above).
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    if (external) {
      const seen = (await fetchText(`http://${external}:${port}/cgi-bin/addr`)).trim();
      expect(seen).not.toMatch(/127\.0\.0\.1|10\.0\.2\./);
    }
  });

  test('container:NAME shares the network namespace', async () => {
    const ns = await ok(['exec', 'web', 'readlink', '/proc/self/ns/net']);
    expect(await ok(['run', '--rm', '--network', 'container:web', 'busybox', 'readlink', '/proc/self/ns/net'])).toBe(ns);
    expect(await ok(['run', '--rm', '--network', 'container:web', 'busybox', 'wget', '-qO-', 'http://127.0.0.1:80/index.html'])).toBe('hello');
  });

  test('its own name, id and --hostname resolve inside; --add-host, --dns* are written', async () => {
    const web = await ok(['inspect', '--format', '{{.Id}}', 'web']);
    expect(await ok(['exec', 'web', 'wget', '-qO-', 'http://web:80/index.html'])).toBe('hello');
    expect(await ok(['exec', 'web', 'wget', '-qO-', `http://${web.slice(0, 12)}:80/index.html`])).toBe('hello');
    const out = await ok([
      'run', '--rm', '-h', 'myhost', '--add-host', 'db.example:10.1.2.3', '--dns', '192.0.2.53', '--dns-search', 'corp.example',
      '--dns-option', 'ndots:3', 'busybox', 'sh', '-c', 'cat /etc/resolv.conf; grep -E "db.example|myhost" /etc/hosts; hostname',
    ]);
    expect(out).toMatch(/^search corp\.example$/m);
    expect(out).toMatch(/^nameserver 192\.0\.2\.53$/m);
    expect(out).toMatch(/^options ndots:3$/m);
    expect(out).toMatch(/^10\.1\.2\.3\tdb\.example$/m);
    expect(out).toMatch(/\tmyhost /m);
    expect(out).toMatch(/^myhost$/m);
    // --no-hosts: the image's own /etc/hosts (busybox has none).
    const none = await e.tote(['run', '--rm', '--no-hosts', 'busybox', 'grep', 'host.containers.internal', '/etc/hosts']);
    expect(none.code).not.toBe(0);
  });

  test('UDP published with -p …/udp', async () => {
    if (!udpEcho) return; // no C compiler to build the echo server
    const port = await freePort('udp');
    const id = await ok(['run', '-d', '-v', `${udpEcho}:/udpecho:ro`, '-p', `${port}:${port}/udp`, 'busybox', '/udpecho', String(port)]);
    expect(await udpRequest(port, '127.0.0.1', 'ping')).toBe('ping from 127.0.0.1');
    expect(await ok(['port', id])).toBe(`${port}/udp -> 0.0.0.0:${port}`);
    // A translated UDP port, from the host's external address (see the note above for loopback).
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    await ok(['rm', '-f', id]);
    await expectReleased(id, port, 'udp');
    if (external) {
      const p2 = await freePort('udp');
      const id2 = await ok(['run', '-d', '-v', `${udpEcho}:/udpecho:ro`, '-p', `${p2}:53/udp`, 'busybox', '/udpecho', '53']);
      expect(await udpRequest(p2, external, 'pong')).toMatch(/^pong from /);
      await ok(['rm', '-f', id2]);
      await expectReleased(id2, p2, 'udp');
    }
  });

  test('-P publishes every EXPOSEd port to a random host port; -p 80 picks a random one', async () => {
    const id = await ok(['run', '-d', '-P', 'webimg', ...HTTPD]);
    const lines = (await ok(['port', id])).split('\n').sort();
    expect(lines).toEqual([expect.stringMatching(/^80\/tcp -> 0\.0\.0\.0:\d+$/), expect.stringMatching(/^9999\/udp -> 0\.0\.0\.0:\d+$/)]);
    const port = Number((await ok(['port', id, '80'])).split(':').pop());
    expect(await fetchText(`http://127.0.0.1:${port}/index.html`)).toBe('hello\n');
    await ok(['rm', '-f', id]);
    await expectReleased(id, port);

    const rnd = await ok(['run', '-d', '-p', '80', 'busybox', ...HTTPD]);
    const shown = await ok(['port', rnd]);
    expect(shown).toMatch(/^80\/tcp -> 0\.0\.0\.0:\d+$/);
    const p = Number(shown.split(':').pop());
    expect(p).toBeGreaterThanOrEqual(1024);
    expect(await fetchText(`http://127.0.0.1:${p}/index.html`)).toBe('hello\n');
    await ok(['rm', '-f', rnd]);
    await expectReleased(rnd, p);
  });

  test('ranges: -p A-B:80-82', async () => {
    const base = await freePort();
    if (!(await bindable(base + 1)) || !(await bindable(base + 2)) || base + 2 > 65535) return;
    const id = await ok(['create', '-p', `${base}-${base + 2}:80-82`, 'busybox', 'true']);
    const inspect = JSON.parse(await ok(['inspect', id]))[0];
    expect(Object.keys(inspect.HostConfig.PortBindings).sort()).toEqual(['80/tcp', '81/tcp', '82/tcp']);
    expect(inspect.HostConfig.PortBindings['82/tcp']).toEqual([{ HostIp: '0.0.0.0', HostPort: String(base + 2) }]);
    await ok(['rm', id]);
  });

  test('outbound: host.containers.internal and host.docker.internal reach a server on the host\'s loopback', async () => {
    hostServer = http.createServer((req, res) => res.end(`host says hi to ${req.socket.remoteAddress}\n`));
    await new Promise<void>((r) => hostServer!.listen(0, '127.0.0.1', r));
    hostPort = (hostServer.address() as net.AddressInfo).port;
    for (const name of ['host.containers.internal', 'host.docker.internal']) {
      const out = await ok(['run', '--rm', 'busybox', 'wget', '-qO-', `http://${name}:${hostPort}/`]);
      expect(out).toMatch(/^host says hi to /);
    }
  });

  test('--network none has only lo; host shares the host\'s interfaces', async () => {
    const none = await ok(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'ls /sys/class/net']);
    expect(none.split(/\s+/)).toEqual(['lo']);
    const hostIfaces = readdirSync('/sys/class/net').sort();
    const host = await ok(['run', '--rm', '--net', 'host', 'busybox', 'ls', '/sys/class/net']);
    expect(host.split(/\s+/).sort()).toEqual(hostIfaces);
    expect(await ok(['run', '--rm', '--network', 'host', 'busybox', 'readlink', '/proc/self/ns/net'])).toBe(
      execFileSync('readlink', ['/proc/self/ns/net']).toString().trim(),
    );
  });
});

maybe('the network helper never outlives its container', () => {
  test('normal exit (foreground run)', async () => {
    const port = await freePort();
    const r = await e.tote(['run', '--name', 'quick', '-p', `${port}:80`, 'busybox', 'true']);
    expect(r.code).toBe(0);
    const id = await ok(['inspect', '--format', '{{.Id}}', 'quick']);
    await expectReleased(id, port);
    // And it can be started again on the same port.
    expect((await e.tote(['start', '-a', 'quick'])).code).toBe(0);
    await expectReleased(id, port);
    await ok(['rm', 'quick']);
  });

  test('stop', async () => {
    const port = await freePort();
    const id = await ok(['run', '-d', '-p', `${port}:80`, 'busybox', ...HTTPD]);
    await fetchText(`http://127.0.0.1:${port}/index.html`);
    expect(helpersOf(id).length).toBe(1);
    await ok(['stop', '-t', '1', id]);
    await expectReleased(id, port);
    await ok(['rm', id]);
  });

  test('kill -9 of the container\'s PID 1', async () => {
    const port = await freePort();
    const id = await ok(['run', '-d', '-p', `${port}:80`, 'busybox', ...HTTPD]);
    await fetchText(`http://127.0.0.1:${port}/index.html`);
    process.kill(Number(await ok(['inspect', '--format', '{{.State.Pid}}', id])), 'SIGKILL');
    expect(await ok(['wait', id])).toBe('137');
    await expectReleased(id, port);
    await ok(['rm', id]);
  });

  test('rm -f', async () => {
    const port = await freePort();
    const id = await ok(['run', '-d', '-p', `${port}:80`, 'busybox', ...HTTPD]);
    await fetchText(`http://127.0.0.1:${port}/index.html`);
    await ok(['rm', '-f', id]);
    await expectReleased(id, port);
  });

  test('a killed monitor: rm -f and stop still end the helper', async () => {
    for (const end of ['rm', 'stop'] as const) {
      const port = await freePort();
      const id = await ok(['run', '-d', '-p', `${port}:80`, 'busybox', ...HTTPD]);
      await fetchText(`http://127.0.0.1:${port}/index.html`);
      const monitors = processes('tote-monitor', id);
      expect(monitors.length).toBe(1);
      process.kill(monitors[0]!, 'SIGKILL');
      await sleep(100);
      // The container and its network keep working without the monitor.
      expect(await fetchText(`http://127.0.0.1:${port}/index.html`)).toBe('hello\n');
      if (end === 'rm') {
        await ok(['rm', '-f', id]);
      } else {
        await ok(['stop', '-t', '1', id]);
        expect(await ok(['inspect', '--format', '{{.State.Status}}', id])).toBe('exited');
      }
      await expectReleased(id, port);
      if (end === 'stop') await ok(['rm', id]);
    }
  });
});

describe('bad input loses nothing', () => {
  async function containerCount(): Promise<number> {
    return (await ok(['ps', '-aq'])).split('\n').filter(Boolean).length;
  }

  test('a host port in use: an error naming it, nothing created', async () => {
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(0, '0.0.0.0', r));
    const port = (holder.address() as net.AddressInfo).port;
    try {
      const before = await containerCount();
      const helpersBefore = helpersMatching(e.runroot).sort();
      const containerDirs = () => (existsSync(path.join(e.root, 'containers')) ? readdirSync(path.join(e.root, 'containers')).length : 0);
      const dirs = containerDirs();
      const r = await e.tote(['run', '-d', '--name', 'clash', '-p', `${port}:80`, 'busybox', ...HTTPD]);
      expect({ code: r.code, err: r.stderr }).toMatchObject({ code: 125, err: expect.stringContaining(`0.0.0.0:${port}/tcp`) });
      expect(r.stderr).toMatch(/already in use/);
      expect(await containerCount()).toBe(before);
      expect(containerDirs()).toBe(dirs);
      expect((await e.tote(['inspect', 'clash'])).code).not.toBe(0);
      // No helper was started (only those of containers still running from earlier tests remain).
      expect(helpersMatching(e.runroot).sort()).toEqual(helpersBefore);
    } finally {
      holder.close();
    }
  });

  test('a port below ip_unprivileged_port_start: an error saying so and how to change it', async () => {
    const start = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').trim());
    if (isRoot || start <= 1) return;
    const port = start - 1;
    const before = await containerCount();
    const r = await e.tote(['run', '--rm', '-p', `${port}:80`, 'busybox', 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toContain(`cannot publish host port ${port}`);
    expect(r.stderr).toContain('net.ipv4.ip_unprivileged_port_start');
    expect(r.stderr).toContain(`sysctl net.ipv4.ip_unprivileged_port_start=${port}`);
    expect(await containerCount()).toBe(before);
  });

  test.each([['abc'], ['80/sctp'], ['1.2.3:80:80'], ['70000:80'], ['8000-8002:80-81']])('malformed -p %s: usage error 125', async (spec) => {
    const r = await e.tote(['run', '--rm', '-p', spec, 'busybox', 'true']);
    expect({ code: r.code, err: r.stderr }).toMatchObject({ code: 125, err: expect.stringMatching(/^Error: .*(port|protocol)/m) });
  });

  test('an unknown --network: usage error', async () => {
    const r = await e.tote(['run', '--rm', '--network', 'nosuchnet', 'busybox', 'true']);
    expect({ code: r.code, err: r.stderr }).toMatchObject({ code: 125, err: expect.stringContaining('network nosuchnet not found') });
  });

  test('pasta and slirp4netns both missing: an error naming what to install; --network none still works', async () => {
    const empty = path.join(e.dir, 'no-helpers');
    mkdirSync(empty, { recursive: true });
    const env = { TOTE_HELPER_BINARIES_DIR: empty };
    const before = await containerCount();
    const r = await e.tote(['run', '--rm', 'busybox', 'true'], { env });
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/neither pasta nor slirp4netns/);
    expect(r.stderr).toContain('apt-get install passt');
    expect(r.stderr).toContain('slirp4netns');
    expect(await containerCount()).toBe(before);
    expect((await e.tote(['run', '--rm', '--network', 'none', 'busybox', 'true'], { env })).code).toBe(0);
    expect(JSON.parse((await e.tote(['info', '--format', 'json'], { env })).stdout).host.networkBackend).toBeNull();
  });
});

(haveSlirp ? describe : describe.skip)('slirp4netns (the fallback)', () => {
  test('published port, host.containers.internal, and no leftover after rm -f', async () => {
    const port = await freePort();
    const id = await ok(['run', '-d', '--network', 'slirp4netns', '-p', `${port}:80`, 'busybox', ...HTTPD]);
    expect(await fetchText(`http://127.0.0.1:${port}/index.html`)).toBe('hello\n');
    // slirp4netns forwards from its gateway: the server sees 10.0.2.2.
    expect((await fetchText(`http://127.0.0.1:${port}/cgi-bin/addr`)).trim()).toMatch(/10\.0\.2\.2/);
    expect(await ok(['exec', id, 'sh', '-c', 'ip -o addr show tap0'])).toContain('10.0.2.100/24');
    if (hostPort) expect(await ok(['exec', id, 'wget', '-qO-', `http://host.containers.internal:${hostPort}/`])).toMatch(/^host says hi/);
    expect(helpersOf(id).length).toBe(1);
    await ok(['rm', '-f', id]);
    await expectReleased(id, port);
  });
});
