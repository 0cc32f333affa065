/** Writes the /etc/hosts, /etc/hostname and /etc/resolv.conf a container gets. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { hostsFile, resolvConf, type HostsInput, type ResolvInput } from '../network/etc.js';

export async function writeEtcFiles(
  dir: string,
  o: { hosts: HostsInput; resolv: Omit<ResolvInput, 'hostText'> },
  hostResolv = '/etc/resolv.conf',
): Promise<{ hosts: string; hostname: string; resolv: string }> {
  const hostText = await fs.readFile(hostResolv, 'utf8').catch(() => undefined);
  const files = {
    hosts: path.join(dir, 'hosts'),
    hostname: path.join(dir, 'hostname'),
    resolv: path.join(dir, 'resolv.conf'),
  };
  await Promise.all([
    fs.writeFile(files.hosts, hostsFile(o.hosts), { mode: 0o644 }),
    fs.writeFile(files.hostname, o.hosts.hostname + '\n', { mode: 0o644 }),
    fs.writeFile(files.resolv, resolvConf({ ...o.resolv, hostText }), { mode: 0o644 }),
  ]);
  return files;
}
