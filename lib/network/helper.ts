/**
 * Attaching the network helper to a container's network namespace.
 *
 * helpers/tote-userns creates the namespace (--netns) and runs a hook
 * (--hook) once it exists, before the OCI runtime starts: the hook starts
 * pasta (which daemonizes once the interface is up and every published port
 * is bound) or slirp4netns (through cli/internal/slirp-hook, which waits for
 * it and adds the port forwards over its API socket). The helper process is
 * reparented to the container's monitor, a child subreaper, which ends it
 * when the container exits; its pid file lets `rm`/status reconciliation end
 * it when the monitor itself was killed.
 */
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PortMapping } from './ports.js';
import type { NetworkBackend } from './mode.js';

/** Address that slirp4netns gives the container, its gateway (the host) and its DNS forwarder. */
export const SLIRP = { address: '10.0.2.100', gateway: '10.0.2.2', dns: '10.0.2.3', cidr: '10.0.2.0/24' } as const;

/** The address pasta's DNS forwarding answers on, when the host's resolvers are only loopback ones. */
export const PASTA_DNS_FORWARD = '169.254.1.1';

export interface HostRoute {
  iface: string;
  gateway: string;
  /** The host's IPv4 address on that interface (what pasta gives the container). */
  address?: string;
}

/** The host's default IPv4 route, from /proc/net/route. */
export function defaultRoute(routeText?: string): HostRoute | undefined {
  let text = routeText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/net/route', 'utf8');
    } catch {
      return undefined;
    }
  }
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8 || f[1] !== '00000000' || f[7] !== '00000000') continue;
    const g = Number.parseInt(f[2]!, 16);
    const gateway = [g & 255, (g >>> 8) & 255, (g >>> 16) & 255, (g >>> 24) & 255].join('.');
    const address = os.networkInterfaces()[f[0]!]?.find((a) => a.family === 'IPv4')?.address;
    return { iface: f[0]!, gateway, address };
  }
  return undefined;
}

/** What the container sees: its own address, and the address that reaches the host's loopback. */
export function containerAddresses(backend: NetworkBackend): { address?: string; hostGateway?: string } {
  if (backend === 'slirp4netns') return { address: SLIRP.address, hostGateway: SLIRP.gateway };
  // pasta copies the host's address and routes; with its gateway mapping on
  // (no --no-map-gw), connections to the gateway address reach the host's loopback.
  const route = defaultRoute();
  return { address: route?.address, hostGateway: route?.gateway };
}

/** Per-container files of the network helper, in the container's volatile dir. */
export function helperFiles(volatileDir: string): { pid: string; log: string; api: string } {
  return {
    pid: path.join(volatileDir, 'net.pid'),
    log: path.join(volatileDir, 'net.log'),
    api: path.join(volatileDir, 'slirp.sock'),
  };
}

/** pasta's arguments (without the target PID). */
export function pastaArgs(o: { ports: PortMapping[]; pidFile: string; dnsForward?: string; rootful?: boolean }): string[] {
  const spec = (p: PortMapping) => `${p.hostIp ? `${p.hostIp}/` : ''}${p.hostPort}:${p.containerPort}`;
  const tcp = o.ports.filter((p) => p.protocol === 'tcp');
  const udp = o.ports.filter((p) => p.protocol === 'udp');
  return [
    '--config-net',
    '--quiet',
    // Published ports only: no automatic forwarding either way, so the
    // container's loopback does not reach the host's ports.
    ...(tcp.length ? tcp.flatMap((p) => ['-t', spec(p)]) : ['-t', 'none']),
    ...(udp.length ? udp.flatMap((p) => ['-u', spec(p)]) : ['-u', 'none']),
    '-T',
    'none',
    '-U',
    'none',
    ...(o.dnsForward ? ['--dns-forward', o.dnsForward] : []),
    ...(o.rootful ? ['--runas', '0:0'] : []),
    '--pid',
    o.pidFile,
  ];
}

/** slirp4netns's arguments (without the target PID and tap name). */
export function slirpArgs(o: { apiSocket: string; rootless: boolean; pid: string }): string[] {
  return [
    '--configure',
    '--mtu=65520',
    `--cidr=${SLIRP.cidr}`,
    `--api-socket=${o.apiSocket}`,
    '--ready-fd=3',
    ...(o.rootless ? [`--userns-path=/proc/${o.pid}/ns/user`] : []),
  ];
}

export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The --hook command for tote-userns: starts the helper for $TOTE_CHILD_PID, its errors in the log file. */
export function hookCommand(o: {
  backend: NetworkBackend;
  program: string;
  files: ReturnType<typeof helperFiles>;
  ports: PortMapping[];
  dnsForward?: string;
  rootless: boolean;
  nodePath: string;
  slirpHookScript: string;
}): string {
  const q = shellQuote;
  if (o.backend === 'pasta') {
    const args = pastaArgs({ ports: o.ports, pidFile: o.files.pid, dnsForward: o.dnsForward, rootful: !o.rootless });
    // Rootful there is no user namespace of ours to join (pasta would try
    // the PID's, i.e. the host's, and be refused): only the network one.
    const target = o.rootless ? '"$TOTE_CHILD_PID"' : '--netns "/proc/$TOTE_CHILD_PID/ns/net"';
    return `exec ${[o.program, ...args].map(q).join(' ')} ${target} </dev/null >/dev/null 2>>${q(o.files.log)}`;
  }
  const request = { program: o.program, files: o.files, ports: o.ports, rootless: o.rootless };
  return `exec ${q(o.nodePath)} ${q(o.slirpHookScript)} "$TOTE_CHILD_PID" ${q(JSON.stringify(request))} </dev/null >/dev/null 2>>${q(o.files.log)}`;
}

/** What the helper wrote to its log: the reason it failed to start. */
export async function helperFailure(logFile: string): Promise<string | undefined> {
  const text = (await fs.readFile(logFile, 'utf8').catch(() => '')).trim();
  return text ? text.split('\n').slice(-3).join('; ') : undefined;
}

/**
 * Ends a network helper left behind (its monitor was killed): the pid in the
 * pid file, only if that process still is our helper (its command line names
 * this container's volatile dir, so a reused pid is never hit).
 */
export async function stopLeftoverHelper(volatileDir: string): Promise<boolean> {
  const files = helperFiles(volatileDir);
  const pid = Number((await fs.readFile(files.pid, 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 1) return false;
  const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.includes(volatileDir)) return false;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return false;
  }
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 10));
    const alive = await fs.readFile(`/proc/${pid}/stat`, 'utf8').then(
      (t) => t.charAt(t.lastIndexOf(')') + 2) !== 'Z',
      () => false,
    );
    if (!alive) break;
    if (i === 50) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        break;
      }
    }
  }
  await fs.rm(files.pid, { force: true });
  return true;
}
