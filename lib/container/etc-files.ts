/** The /etc/hosts, /etc/hostname and /etc/resolv.conf a container gets. */
import { promises as fs } from 'node:fs';
import path from 'node:path';

export function hostsFile(hostname: string, name: string): string {
  return [
    '127.0.0.1\tlocalhost localhost.localdomain',
    '::1\tlocalhost localhost.localdomain ip6-localhost ip6-loopback',
    `127.0.1.1\t${hostname} ${name}`,
    '',
  ].join('\n');
}

/**
 * The host's resolv.conf without loopback name servers, which would point
 * into the container's own network namespace rather than the host's resolver.
 */
export function resolvConf(hostText: string | undefined): string {
  const lines = (hostText ?? '').split('\n').filter((l) => !/^\s*nameserver\s+(127\.|::1\b)/.test(l));
  if (!lines.some((l) => /^\s*nameserver\s/.test(l))) lines.push('nameserver 10.0.2.3');
  return lines.join('\n').replace(/\n*$/, '\n');
}

export async function writeEtcFiles(dir: string, hostname: string, name: string, hostResolv = '/etc/resolv.conf'): Promise<{ hosts: string; hostname: string; resolv: string }> {
  const hostText = await fs.readFile(hostResolv, 'utf8').catch(() => undefined);
  const files = {
    hosts: path.join(dir, 'hosts'),
    hostname: path.join(dir, 'hostname'),
    resolv: path.join(dir, 'resolv.conf'),
  };
  await Promise.all([
    fs.writeFile(files.hosts, hostsFile(hostname, name), { mode: 0o644 }),
    fs.writeFile(files.hostname, hostname + '\n', { mode: 0o644 }),
    fs.writeFile(files.resolv, resolvConf(hostText), { mode: 0o644 }),
  ]);
  return files;
}
