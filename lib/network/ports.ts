/**
 * Published ports: docker's `-p [IP:][HOSTPORT:]CTRPORT[/PROTO]` syntax
 * (with ranges), `-P` from the image's ExposedPorts, and the host-side
 * checks done before anything is created (port free, port allowed).
 */
import dgram from 'node:dgram';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import { ToteError, UsageError } from '../errors/index.js';

export type PortProto = 'tcp' | 'udp';

/** One host port forwarded to one container port. */
export interface PortMapping {
  /** Host address to bind; '' for every address (docker shows 0.0.0.0). */
  hostIp: string;
  hostPort: number;
  containerPort: number;
  protocol: PortProto;
}

/** A parsed -p spec before random host ports are chosen (hostPort 0 = pick one). */
export interface PortRequest {
  hostIp: string;
  /** Inclusive host range; [0, 0] when omitted. */
  hostRange: [number, number];
  containerRange: [number, number];
  protocol: PortProto;
}

function parsePort(text: string, spec: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`invalid ${what} "${text}" in port spec "${spec}"`, 'use -p [IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp]');
  const n = Number(text);
  if (n < 1 || n > 65535) throw new UsageError(`invalid ${what} ${n} in port spec "${spec}": ports are 1-65535`);
  return n;
}

function parseRange(text: string, spec: string, what: string): [number, number] {
  const m = /^([^-]+)(?:-([^-]+))?$/.exec(text);
  if (!m) throw new UsageError(`invalid ${what} "${text}" in port spec "${spec}"`, 'use -p [IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp]');
  const lo = parsePort(m[1]!, spec, what);
  const hi = m[2] === undefined ? lo : parsePort(m[2], spec, what);
  if (hi < lo) throw new UsageError(`invalid ${what} range "${text}" in port spec "${spec}": the end is below the start`);
  return [lo, hi];
}

/** `-p` value → request. Throws UsageError (exit 125) for anything malformed. */
export function parsePortSpec(spec: string): PortRequest {
  let rest = spec.trim();
  let protocol: PortProto = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    const p = rest.slice(slash + 1).toLowerCase();
    if (p !== 'tcp' && p !== 'udp') {
      throw new UsageError(`invalid protocol "${rest.slice(slash + 1)}" in port spec "${spec}"`, 'tote publishes tcp and udp ports');
    }
    protocol = p;
    rest = rest.slice(0, slash);
  }
  let hostIp = '';
  // [IPv6]:... or IPv4:HOST:CTR / IPv4::CTR
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || rest[close + 1] !== ':') throw new UsageError(`invalid port spec "${spec}": unterminated IPv6 address`);
    hostIp = rest.slice(1, close);
    if (net.isIPv6(hostIp) === false) throw new UsageError(`invalid IP address "${hostIp}" in port spec "${spec}"`);
    rest = rest.slice(close + 2);
  }
  const parts = rest.split(':');
  let hostText = '';
  let ctrText: string;
  if (parts.length === 1) {
    ctrText = parts[0]!;
  } else if (parts.length === 2) {
    [hostText, ctrText] = parts as [string, string];
  } else if (parts.length === 3 && !hostIp) {
    [hostIp, hostText, ctrText] = parts as [string, string, string];
    if (!net.isIPv4(hostIp)) throw new UsageError(`invalid IP address "${hostIp}" in port spec "${spec}"`, 'write IPv6 addresses in brackets: [::1]:8080:80');
  } else {
    throw new UsageError(`invalid port spec "${spec}"`, 'use -p [IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp]');
  }
  if (hostIp === '0.0.0.0') hostIp = '';
  if (ctrText === '') throw new UsageError(`invalid port spec "${spec}": no container port`, 'use -p [IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp]');
  const containerRange = parseRange(ctrText, spec, 'container port');
  const hostRange: [number, number] = hostText === '' ? [0, 0] : parseRange(hostText, spec, 'host port');
  const hostCount = hostRange[1] - hostRange[0] + 1;
  const ctrCount = containerRange[1] - containerRange[0] + 1;
  // docker: a host range with a single container port picks one free port of the range.
  if (hostText !== '' && hostCount !== ctrCount && ctrCount !== 1) {
    throw new UsageError(`invalid port spec "${spec}": the host range has ${hostCount} ports and the container range ${ctrCount}`, 'give ranges of the same size');
  }
  return { hostIp, hostRange, containerRange, protocol };
}

/** `-P`: every port the image EXPOSEs ("80/tcp", "53/udp", "8000-8002/tcp"), each to a random host port. */
export function exposedPortRequests(exposed: Record<string, object> | undefined): PortRequest[] {
  const out: PortRequest[] = [];
  for (const key of Object.keys(exposed ?? {})) {
    const [range, proto = 'tcp'] = key.split('/');
    if (proto !== 'tcp' && proto !== 'udp') continue; // sctp: not forwarded by pasta
    out.push({ hostIp: '', hostRange: [0, 0], containerRange: parseRange(range!, key, 'exposed port'), protocol: proto });
  }
  return out;
}

/** Tries to bind host `ip:port` the way the network helper will; resolves to the error code, or undefined when free. */
export function probePort(ip: string, port: number, protocol: PortProto): Promise<string | undefined> {
  return new Promise((resolve) => {
    if (protocol === 'udp') {
      const sock = dgram.createSocket({ type: ip && net.isIPv6(ip) ? 'udp6' : 'udp4' });
      sock.once('error', (e: NodeJS.ErrnoException) => {
        sock.close();
        resolve(e.code ?? 'EADDRINUSE');
      });
      sock.bind({ address: ip || '0.0.0.0', port, exclusive: true }, () => sock.close(() => resolve(undefined)));
      return;
    }
    const server = net.createServer();
    server.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'EADDRINUSE'));
    server.listen({ host: ip || '0.0.0.0', port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/** A free port chosen by the kernel (bind to port 0). */
export function randomFreePort(ip: string, protocol: PortProto): Promise<number> {
  return new Promise((resolve, reject) => {
    if (protocol === 'udp') {
      const sock = dgram.createSocket({ type: ip && net.isIPv6(ip) ? 'udp6' : 'udp4' });
      sock.once('error', reject);
      sock.bind({ address: ip || '0.0.0.0', port: 0, exclusive: true }, () => {
        const port = sock.address().port;
        sock.close(() => resolve(port));
      });
      return;
    }
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host: ip || '0.0.0.0', port: 0, exclusive: true }, () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export async function unprivilegedPortStart(): Promise<number> {
  const text = await fs.readFile('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').catch(() => '1024');
  const n = Number(text.trim());
  return Number.isFinite(n) ? n : 1024;
}

export function formatHostAddr(ip: string, port: number): string {
  const addr = ip || '0.0.0.0';
  return net.isIPv6(addr) ? `[${addr}]:${port}` : `${addr}:${port}`;
}

export class PortInUseError extends ToteError {
  constructor(ip: string, port: number, protocol: PortProto, code: string) {
    super(
      'E_PORT_IN_USE',
      `cannot publish port ${formatHostAddr(ip, port)}/${protocol}: ${code === 'EADDRINUSE' ? 'the address is already in use' : `binding it failed (${code})`}`,
      { hint: code === 'EADDRINUSE' ? `stop whatever listens on host port ${port}, or publish another host port` : undefined },
    );
    this.name = 'PortInUseError';
  }
}

/**
 * Turns requests into concrete mappings: random host ports picked, every
 * host port checked (allowed for this user, free). Throws before anything
 * is created.
 */
export async function resolvePorts(requests: PortRequest[], o: { rootless: boolean; unprivilegedStart?: number }): Promise<PortMapping[]> {
  const start = o.unprivilegedStart ?? (o.rootless ? await unprivilegedPortStart() : 0);
  const out: PortMapping[] = [];
  const used = new Set<string>();
  const key = (ip: string, port: number, proto: string) => `${proto}/${ip}/${port}`;
  const checkAllowed = (port: number) => {
    if (o.rootless && port < start) {
      throw new ToteError('E_PRIVILEGED_PORT', `cannot publish host port ${port}: rootless containers cannot bind ports below ${start} (net.ipv4.ip_unprivileged_port_start)`, {
        hint: `publish a port of ${start} or above, or allow lower ports as root: \`sysctl net.ipv4.ip_unprivileged_port_start=${port}\``,
      });
    }
  };
  for (const r of requests) {
    const ctrCount = r.containerRange[1] - r.containerRange[0] + 1;
    const hostCount = r.hostRange[1] - r.hostRange[0] + 1;
    if (r.hostRange[0] !== 0 && hostCount !== ctrCount) {
      // One container port, a host range: the first free port of the range.
      let chosen: number | undefined;
      for (let p = r.hostRange[0]; p <= r.hostRange[1] && chosen === undefined; p++) {
        if (p < start && o.rootless) continue;
        if (!used.has(key(r.hostIp, p, r.protocol)) && !(await probePort(r.hostIp, p, r.protocol))) chosen = p;
      }
      if (chosen === undefined) {
        throw new ToteError('E_PORT_IN_USE', `cannot publish port ${r.containerRange[0]}/${r.protocol}: no free host port in ${r.hostRange[0]}-${r.hostRange[1]}`);
      }
      used.add(key(r.hostIp, chosen, r.protocol));
      out.push({ hostIp: r.hostIp, hostPort: chosen, containerPort: r.containerRange[0], protocol: r.protocol });
      continue;
    }
    for (let i = 0; i < ctrCount; i++) {
      const containerPort = r.containerRange[0] + i;
      let hostPort = r.hostRange[0] === 0 ? 0 : r.hostRange[0] + i;
      if (hostPort === 0) {
        do hostPort = await randomFreePort(r.hostIp, r.protocol);
        while (used.has(key(r.hostIp, hostPort, r.protocol)));
      } else {
        checkAllowed(hostPort);
        if (used.has(key(r.hostIp, hostPort, r.protocol))) {
          throw new UsageError(`host port ${formatHostAddr(r.hostIp, hostPort)}/${r.protocol} is published twice`);
        }
        const err = await probePort(r.hostIp, hostPort, r.protocol);
        if (err) throw new PortInUseError(r.hostIp, hostPort, r.protocol, err);
      }
      used.add(key(r.hostIp, hostPort, r.protocol));
      out.push({ hostIp: r.hostIp, hostPort, containerPort, protocol: r.protocol });
    }
  }
  return out;
}

/** Checks again at start that every (already chosen) host port is free. */
export async function checkPortsFree(ports: PortMapping[]): Promise<void> {
  for (const p of ports) {
    const err = await probePort(p.hostIp, p.hostPort, p.protocol);
    if (err) throw new PortInUseError(p.hostIp, p.hostPort, p.protocol, err);
  }
}

/** docker's `0.0.0.0:8080->80/tcp, …` (ps PORTS column), consecutive ports folded into ranges. */
export function formatPortList(ports: PortMapping[]): string {
  const sorted = [...ports].sort((a, b) => a.protocol.localeCompare(b.protocol) || a.hostIp.localeCompare(b.hostIp) || a.containerPort - b.containerPort);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    const first = sorted[i]!;
    let j = i;
    while (
      j + 1 < sorted.length &&
      sorted[j + 1]!.protocol === first.protocol &&
      sorted[j + 1]!.hostIp === first.hostIp &&
      sorted[j + 1]!.containerPort === sorted[j]!.containerPort + 1 &&
      sorted[j + 1]!.hostPort === sorted[j]!.hostPort + 1
    )
      j++;
    const last = sorted[j]!;
    const host = first === last ? String(first.hostPort) : `${first.hostPort}-${last.hostPort}`;
    const ctr = first === last ? String(first.containerPort) : `${first.containerPort}-${last.containerPort}`;
    const ip = first.hostIp || '0.0.0.0';
    out.push(`${net.isIPv6(ip) ? `[${ip}]` : ip}:${host}->${ctr}/${first.protocol}`);
    i = j + 1;
  }
  return out.join(', ');
}

/** inspect's NetworkSettings.Ports / HostConfig.PortBindings shape. */
export function dockerPortMap(ports: PortMapping[], exposed: string[] = []): Record<string, Array<{ HostIp: string; HostPort: string }> | null> {
  const map: Record<string, Array<{ HostIp: string; HostPort: string }> | null> = {};
  for (const e of exposed) map[e] = null;
  for (const p of ports) {
    const k = `${p.containerPort}/${p.protocol}`;
    (map[k] ??= []).push({ HostIp: p.hostIp || '0.0.0.0', HostPort: String(p.hostPort) });
  }
  return map;
}

/**
 * `port CTR [PRIVATE_PORT[/PROTO]]`: "80/tcp -> 0.0.0.0:8080" lines, or
 * only "0.0.0.0:8080" for the asked port; an unpublished asked port is an error.
 */
export function portLines(ports: PortMapping[], containerName: string, which?: string): string[] {
  const sorted = [...ports].sort((a, b) => a.containerPort - b.containerPort || a.protocol.localeCompare(b.protocol) || a.hostPort - b.hostPort);
  if (which === undefined) return sorted.map((p) => `${p.containerPort}/${p.protocol} -> ${formatHostAddr(p.hostIp, p.hostPort)}`);
  const m = /^(\d+)(?:\/(tcp|udp|sctp))?$/i.exec(which.trim());
  if (!m) throw new UsageError(`invalid port "${which}"`, 'use PRIVATE_PORT[/PROTO], e.g. 80/tcp');
  const port = Number(m[1]);
  const proto = (m[2] ?? 'tcp').toLowerCase();
  const hits = sorted.filter((p) => p.containerPort === port && p.protocol === proto);
  if (!hits.length) {
    throw new ToteError('E_NO_SUCH_PORT', `no public port '${port}/${proto}' published for ${containerName}`, { exitCode: 1, hint: 'list the published ports with `tote port CONTAINER`' });
  }
  return hits.map((p) => formatHostAddr(p.hostIp, p.hostPort));
}
