/**
 * `login`: checks credentials against the registry before anything is
 * stored, the way docker does — GET /v2/ with them. A Basic registry
 * checks them itself; a token registry's token server does (the token
 * request with no scope fails with its own words when they are wrong).
 */
import type { ToteConfig } from '../config/index.js';
import { RegistryClient, RegistryError, registryMessage } from './client.js';
import { hostIsInsecure, loadRegistriesConf } from './conf.js';
import type { Credentials } from './credentials.js';
import type { Reporter } from '../errors/report.js';

export async function verifyLogin(config: ToteConfig, server: string, creds: Credentials, opts: { tlsVerify?: boolean; reporter?: Reporter } = {}): Promise<void> {
  const conf = await loadRegistriesConf(config);
  const client = new RegistryClient(config, server, { creds, tlsVerify: opts.tlsVerify, insecure: hostIsInsecure(conf, server), reporter: opts.reporter });
  try {
    const res = await client.request('GET', '/v2/');
    const body = await res.bytes();
    if (res.status !== 200) throw new RegistryError('E_REGISTRY', `logging in to ${server}: ${registryMessage(res.status, body)}`, res.status);
  } finally {
    client.close();
  }
}
