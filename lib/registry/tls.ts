/**
 * Trust for a registry: the system CAs plus any `*.crt` in
 * certs.d/HOST[:PORT]/ (the user's, /etc/containers, /etc/docker), and a
 * client certificate pair (`*.cert` + `*.key`) if present.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import type { ToteConfig } from '../config/index.js';
import { errnoCode } from '../errors/index.js';

export interface TlsMaterial {
  /** undefined: Node's default (system/bundled) CAs. */
  ca?: string[];
  cert?: Buffer;
  key?: Buffer;
}

export async function tlsFor(config: ToteConfig, host: string): Promise<TlsMaterial> {
  const extra: string[] = [];
  let cert: Buffer | undefined;
  let key: Buffer | undefined;
  for (const root of config.registry.certsDirs) {
    const dir = path.join(root, host);
    let names: string[];
    try {
      names = (await fs.readdir(dir)).sort();
    } catch (e) {
      if (['ENOENT', 'ENOTDIR', 'EACCES'].includes(errnoCode(e) ?? '')) continue;
      throw e;
    }
    for (const n of names) {
      if (n.endsWith('.crt')) extra.push(await fs.readFile(path.join(dir, n), 'utf8'));
      else if (n.endsWith('.cert') && !cert) {
        cert = await fs.readFile(path.join(dir, n));
        key = await fs.readFile(path.join(dir, n.replace(/\.cert$/, '.key')));
      }
    }
  }
  if (extra.length === 0 && !cert) return {};
  return { ca: extra.length ? [...tls.rootCertificates, ...extra] : undefined, cert, key };
}
