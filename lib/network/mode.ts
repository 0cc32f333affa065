/**
 * Network modes (`--network`), the helper that serves the default one
 * (pasta, else slirp4netns), and what a container's network looks like.
 */
import type { ToteConfig } from '../config/index.js';
import { findProgram } from '../config/index.js';
import { ToteError, UsageError } from '../errors/index.js';
import type { PortMapping } from './ports.js';

export type NetworkBackend = 'pasta' | 'slirp4netns';
export type NetworkMode = NetworkBackend | 'none' | 'host' | 'container' | 'ns';

/** The `network` section of a container record. */
export interface NetworkSpec {
  mode: NetworkMode;
  /** container: the other container's id; ns: the namespace path. */
  target?: string;
  ports: PortMapping[];
  /** The image's ExposedPorts keys ("80/tcp"), for inspect. */
  exposed?: string[];
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  /** NAME:IP entries (--add-host). */
  addHosts: string[];
  noHosts: boolean;
}

export interface ParsedNetworkMode {
  /** undefined: the default backend. */
  mode?: NetworkMode;
  target?: string;
}

/** `--network` value → mode. `bridge`/`default` (docker's default) mean the default backend. */
export function parseNetworkMode(text: string | undefined): ParsedNetworkMode {
  if (text === undefined || text === '' || text === 'bridge' || text === 'default' || text === 'private') return {};
  if (text === 'pasta' || text === 'slirp4netns' || text === 'none' || text === 'host') return { mode: text };
  const colon = text.indexOf(':');
  if (colon > 0) {
    const kind = text.slice(0, colon);
    const target = text.slice(colon + 1);
    if (kind === 'container' && target) return { mode: 'container', target };
    if (kind === 'ns' && target.startsWith('/')) return { mode: 'ns', target };
    if (kind === 'ns') throw new UsageError(`invalid network "${text}": ns: needs an absolute path`);
  }
  throw new UsageError(`network ${text} not found`, 'use --network pasta, slirp4netns, none, host, container:NAME or ns:PATH');
}

/** Where the network helpers are looked up: $TOTE_HELPER_BINARIES_DIR only, if set, else PATH. */
export function findNetworkProgram(config: ToteConfig, name: NetworkBackend): string | undefined {
  if (config.helperBinariesDir !== undefined) return findProgram(config, `${config.helperBinariesDir.replace(/\/$/, '')}/${name}`);
  return findProgram(config, name);
}

export class NoNetworkHelperError extends ToteError {
  constructor(wanted?: NetworkBackend) {
    super(
      'E_NO_NETWORK_HELPER',
      wanted ? `the network helper ${wanted} is not installed` : 'no rootless network helper found: neither pasta nor slirp4netns is installed',
      {
        hint: wanted
          ? `install it (\`apt-get install ${wanted === 'pasta' ? 'passt' : 'slirp4netns'}\`), or choose another --network`
          : 'install pasta (`apt-get install passt`) or slirp4netns (`apt-get install slirp4netns`), or run with --network none',
      },
    );
    this.name = 'NoNetworkHelperError';
  }
}

/**
 * The backend used when none is named: pasta, else slirp4netns. As root the
 * order is reversed: pasta (Debian 12's 2023-03 build) refuses to open
 * another process's network namespace when started as root, slirp4netns
 * serves rootful containers fine.
 */
export function defaultBackend(config: ToteConfig): NetworkBackend | undefined {
  const order: NetworkBackend[] = config.isRoot ? ['slirp4netns', 'pasta'] : ['pasta', 'slirp4netns'];
  return order.find((name) => findNetworkProgram(config, name));
}

export function requireBackend(config: ToteConfig, wanted?: NetworkBackend): { name: NetworkBackend; path: string } {
  const name = wanted ?? defaultBackend(config);
  if (!name) throw new NoNetworkHelperError();
  const path = findNetworkProgram(config, name);
  if (!path) throw new NoNetworkHelperError(name);
  return { name, path };
}

/** docker's HostConfig.NetworkMode text. */
export function networkModeText(n: NetworkSpec | undefined): string {
  if (!n) return 'none';
  if (n.mode === 'container') return `container:${n.target ?? ''}`;
  if (n.mode === 'ns') return `ns:${n.target ?? ''}`;
  return n.mode;
}
