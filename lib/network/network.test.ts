import { describe, expect, test } from '@jest/globals';
import net from 'node:net';
import { UsageError } from '../errors/index.js';
import { hostsFile, parseAddHost, resolvConf } from './etc.js';
import { defaultRoute, hookCommand, helperFiles, pastaArgs, shellQuote } from './helper.js';
import { parseNetworkMode } from './mode.js';
import {
  dockerPortMap,
  exposedPortRequests,
  formatPortList,
  parsePortSpec,
  portLines,
  resolvePorts,
  type PortMapping,
} from './ports.js';

describe('-p parsing', () => {
  test('container port only: random host port', () =>
    expect(parsePortSpec('80')).toEqual({ hostIp: '', hostRange: [0, 0], containerRange: [80, 80], protocol: 'tcp' }));
  test('host:container', () => expect(parsePortSpec('8080:80')).toMatchObject({ hostRange: [8080, 8080], containerRange: [80, 80] }));
  test('udp', () => expect(parsePortSpec('5353:53/udp')).toMatchObject({ protocol: 'udp', hostRange: [5353, 5353], containerRange: [53, 53] }));
  test('IP and ports', () => expect(parsePortSpec('127.0.0.1:8080:80/tcp')).toMatchObject({ hostIp: '127.0.0.1', hostRange: [8080, 8080] }));
  test('IP with random port', () => expect(parsePortSpec('127.0.0.1::80')).toMatchObject({ hostIp: '127.0.0.1', hostRange: [0, 0], containerRange: [80, 80] }));
  test('0.0.0.0 means every address', () => expect(parsePortSpec('0.0.0.0:8080:80').hostIp).toBe(''));
  test('IPv6 in brackets', () => expect(parsePortSpec('[::1]:8080:80')).toMatchObject({ hostIp: '::1', hostRange: [8080, 8080] }));
  test('ranges', () => expect(parsePortSpec('8000-8002:80-82')).toMatchObject({ hostRange: [8000, 8002], containerRange: [80, 82] }));
  test('host range for one container port', () => expect(parsePortSpec('8000-8010:80')).toMatchObject({ hostRange: [8000, 8010], containerRange: [80, 80] }));
  test.each(['', 'abc', '80/sctp', '80/xyz', '0', '65536', '8080:', '1.2.3.4:5:6:7', '300.1.1.1:80:80', '82-80', '8000-8002:80-81', ':80:80', '[::1:80'])(
    'malformed %p is a usage error',
    (spec) => expect(() => parsePortSpec(spec)).toThrow(UsageError),
  );
  test('-P from ExposedPorts', () =>
    expect(exposedPortRequests({ '80/tcp': {}, '53/udp': {}, '9/sctp': {}, '8000-8001/tcp': {} })).toEqual([
      { hostIp: '', hostRange: [0, 0], containerRange: [80, 80], protocol: 'tcp' },
      { hostIp: '', hostRange: [0, 0], containerRange: [53, 53], protocol: 'udp' },
      { hostIp: '', hostRange: [0, 0], containerRange: [8000, 8001], protocol: 'tcp' },
    ]));
});

describe('resolving host ports', () => {
  test('ranges map pairwise; random ports are picked and distinct', async () => {
    const ports = await resolvePorts([parsePortSpec('80-82'), parsePortSpec('127.0.0.1::53/udp')], { rootless: true, unprivilegedStart: 1024 });
    expect(ports.map((p) => p.containerPort)).toEqual([80, 81, 82, 53]);
    expect(new Set(ports.map((p) => p.hostPort)).size).toBe(4);
    for (const p of ports) expect(p.hostPort).toBeGreaterThan(1023);
    expect(ports[3]).toMatchObject({ hostIp: '127.0.0.1', protocol: 'udp' });
  });
  test('a port in use is an error naming it', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      await expect(resolvePorts([parsePortSpec(`${port}:80`)], { rootless: true, unprivilegedStart: 1024 })).rejects.toMatchObject({
        code: 'E_PORT_IN_USE',
        message: expect.stringContaining(`0.0.0.0:${port}/tcp`),
      });
    } finally {
      server.close();
    }
  });
  test('a privileged port rootless names the sysctl', async () => {
    await expect(resolvePorts([parsePortSpec('80:80')], { rootless: true, unprivilegedStart: 1024 })).rejects.toMatchObject({
      code: 'E_PRIVILEGED_PORT',
      hint: expect.stringContaining('sysctl net.ipv4.ip_unprivileged_port_start=80'),
    });
  });
  test('the same host port twice is a usage error', async () => {
    await expect(resolvePorts([parsePortSpec('40001:80'), parsePortSpec('40001:81')], { rootless: true, unprivilegedStart: 1024 })).rejects.toThrow(
      UsageError,
    );
  });
});

describe('showing ports', () => {
  const ports: PortMapping[] = [
    { hostIp: '', hostPort: 8000, containerPort: 80, protocol: 'tcp' },
    { hostIp: '', hostPort: 8001, containerPort: 81, protocol: 'tcp' },
    { hostIp: '127.0.0.1', hostPort: 5353, containerPort: 53, protocol: 'udp' },
  ];
  test('ps folds ranges', () => expect(formatPortList(ports)).toBe('0.0.0.0:8000-8001->80-81/tcp, 127.0.0.1:5353->53/udp'));
  test('inspect shape', () =>
    expect(dockerPortMap(ports, ['443/tcp'])).toEqual({
      '443/tcp': null,
      '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8000' }],
      '81/tcp': [{ HostIp: '0.0.0.0', HostPort: '8001' }],
      '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }],
    }));
  test('port lines', () => {
    expect(portLines(ports, 'c')).toEqual(['53/udp -> 127.0.0.1:5353', '80/tcp -> 0.0.0.0:8000', '81/tcp -> 0.0.0.0:8001']);
    expect(portLines(ports, 'c', '80')).toEqual(['0.0.0.0:8000']);
    expect(portLines(ports, 'c', '53/udp')).toEqual(['127.0.0.1:5353']);
    expect(() => portLines(ports, 'c', '53')).toThrow("no public port '53/tcp' published for c");
  });
});

describe('pasta', () => {
  test('arguments: published ports only, no automatic forwarding', () =>
    expect(
      pastaArgs({
        ports: [
          { hostIp: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' },
          { hostIp: '127.0.0.1', hostPort: 5353, containerPort: 53, protocol: 'udp' },
        ],
        pidFile: '/run/c/net.pid',
      }),
    ).toEqual(['--config-net', '--quiet', '-t', '8080:80', '-u', '127.0.0.1/5353:53', '-T', 'none', '-U', 'none', '--pid', '/run/c/net.pid']));
  test('no ports: none', () => expect(pastaArgs({ ports: [], pidFile: 'p', dnsForward: '169.254.1.1' }).join(' ')).toBe(
    '--config-net --quiet -t none -u none -T none -U none --dns-forward 169.254.1.1 --pid p',
  ));
  test('hook command', () => {
    const cmd = hookCommand({
      backend: 'pasta',
      program: '/usr/bin/pasta',
      files: helperFiles('/run/x y'),
      ports: [],
      rootless: true,
      nodePath: '/usr/bin/node',
      slirpHookScript: '/s.js',
    });
    expect(cmd).toBe(`exec /usr/bin/pasta --config-net --quiet -t none -u none -T none -U none --pid '/run/x y/net.pid' "$TOTE_CHILD_PID" </dev/null >/dev/null 2>>'/run/x y/net.log'`);
  });
  test('shell quoting', () => expect(shellQuote(`a'b`)).toBe(`'a'\\''b'`));
  test('default route from /proc/net/route', () =>
    expect(defaultRoute('Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\nlo0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\nlo0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\n')).toMatchObject({
      iface: 'lo0',
      gateway: '192.0.2.1',
    }));
});

describe('network modes', () => {
  test.each([
    [undefined, {}],
    ['bridge', {}],
    ['pasta', { mode: 'pasta' }],
    ['slirp4netns', { mode: 'slirp4netns' }],
    ['none', { mode: 'none' }],
    ['host', { mode: 'host' }],
    ['container:web', { mode: 'container', target: 'web' }],
    ['ns:/run/netns/x', { mode: 'ns', target: '/run/netns/x' }],
  ])('%p', (text, want) => expect(parseNetworkMode(text)).toEqual(want));
  test.each(['foo', 'container:', 'ns:relative'])('%p is refused', (text) => expect(() => parseNetworkMode(text)).toThrow(UsageError));
});

describe('/etc files', () => {
  test('hosts: own names, host gateway, --add-host', () =>
    expect(hostsFile({ hostname: 'abc', name: 'web', address: '192.0.2.2', hostGateway: '192.0.2.1', addHosts: ['db:10.0.0.5', 'gw:host-gateway'] })).toBe(
      '127.0.0.1\tlocalhost localhost.localdomain\n::1\tlocalhost localhost.localdomain ip6-localhost ip6-loopback\n' +
        '10.0.0.5\tdb\n192.0.2.1\tgw\n192.0.2.2\tabc web\n192.0.2.1\thost.containers.internal host.docker.internal\n',
    ));
  test('add-host parsing', () => {
    expect(parseAddHost('h:::1')).toEqual({ name: 'h', ip: '::1' });
    expect(() => parseAddHost('nohost')).toThrow(UsageError);
    expect(() => parseAddHost('h:notanip')).toThrow(UsageError);
  });
  test('resolv.conf: host servers without loopback ones, overrides', () => {
    const host = 'search example.com\nnameserver 127.0.0.53\nnameserver 10.1.1.1\noptions edns0\n';
    expect(resolvConf({ hostText: host, dns: [], dnsSearch: [], dnsOptions: [] })).toBe('search example.com\nnameserver 10.1.1.1\noptions edns0\n');
    expect(resolvConf({ hostText: host, dns: ['1.1.1.1'], dnsSearch: ['a.b'], dnsOptions: ['ndots:2'] })).toBe('search a.b\nnameserver 1.1.1.1\noptions ndots:2\n');
    expect(resolvConf({ hostText: 'nameserver 127.0.0.53\n', dns: [], dnsSearch: [], dnsOptions: [], fallbackServer: '169.254.1.1' })).toBe('nameserver 169.254.1.1\n');
  });
});
