/** The contents of a container's /etc/hosts and /etc/resolv.conf. */
import net from 'node:net';
import { UsageError } from '../errors/index.js';

/** `--add-host NAME:IP` (also NAME=IP, and IPv6 after the first colon); `host-gateway` = the host. */
export function parseAddHost(text: string): { name: string; ip: string } {
  const m = /^([^:=]+)[:=](.+)$/.exec(text);
  if (!m) throw new UsageError(`invalid --add-host "${text}"`, 'use --add-host NAME:IP');
  const name = m[1]!.trim();
  let ip = m[2]!.trim().replace(/^\[(.*)\]$/, '$1');
  if (ip !== 'host-gateway' && !net.isIP(ip)) throw new UsageError(`invalid IP address "${ip}" in --add-host "${text}"`);
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(name)) throw new UsageError(`invalid host name "${name}" in --add-host "${text}"`);
  return { name, ip };
}

export interface HostsInput {
  hostname: string;
  name: string;
  /** The container's address (its own names resolve to it); 127.0.1.1 without one. */
  address?: string;
  /** The address that reaches the host (host.containers.internal, host-gateway). */
  hostGateway?: string;
  addHosts: string[];
}

export function hostsFile(o: HostsInput): string {
  const lines = ['127.0.0.1\tlocalhost localhost.localdomain', '::1\tlocalhost localhost.localdomain ip6-localhost ip6-loopback'];
  for (const entry of o.addHosts) {
    const { name, ip } = parseAddHost(entry);
    const addr = ip === 'host-gateway' ? o.hostGateway : ip;
    if (addr) lines.push(`${addr}\t${name}`);
  }
  lines.push(`${o.address ?? '127.0.1.1'}\t${o.hostname} ${o.name}`);
  if (o.hostGateway) lines.push(`${o.hostGateway}\thost.containers.internal host.docker.internal`);
  return lines.join('\n') + '\n';
}

export interface ResolvInput {
  /** The host's resolv.conf text. */
  hostText: string | undefined;
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  /** Keep loopback name servers (host network: they are the host's). */
  keepLoopback?: boolean;
  /** Used when no name server is left (pasta's DNS forwarder, slirp4netns's 10.0.2.3). */
  fallbackServer?: string;
}

export function resolvConf(o: ResolvInput): string {
  const hostLines = (o.hostText ?? '').split('\n');
  const isLoopback = (l: string) => /^\s*nameserver\s+(127\.|::1\b)/.test(l);
  let servers = hostLines.filter((l) => /^\s*nameserver\s/.test(l) && (o.keepLoopback || !isLoopback(l))).map((l) => l.trim().split(/\s+/)[1]!);
  if (o.dns.length) servers = o.dns;
  if (!servers.length && o.fallbackServer) servers = [o.fallbackServer];
  const hostSearch = hostLines.filter((l) => /^\s*(search|domain)\s/.test(l)).flatMap((l) => l.trim().split(/\s+/).slice(1));
  const search = o.dnsSearch.length ? o.dnsSearch.filter((s) => s !== '.') : hostSearch;
  const hostOptions = hostLines.filter((l) => /^\s*options\s/.test(l)).flatMap((l) => l.trim().split(/\s+/).slice(1));
  const options = o.dnsOptions.length ? o.dnsOptions : hostOptions;
  const out: string[] = [];
  if (search.length) out.push(`search ${search.join(' ')}`);
  for (const s of servers) out.push(`nameserver ${s}`);
  if (options.length) out.push(`options ${options.join(' ')}`);
  return out.join('\n') + '\n';
}
