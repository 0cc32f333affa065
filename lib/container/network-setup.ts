/**
 * A container's network at start: which namespace the runtime puts it in,
 * the hook that attaches pasta/slirp4netns to the helper's new namespace,
 * and what /etc/hosts and /etc/resolv.conf say.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ToteConfig } from '../config/index.js';
import { ToteError } from '../errors/index.js';
import {
  checkPortsFree,
  containerAddresses,
  helperFiles,
  hookCommand,
  PASTA_DNS_FORWARD,
  requireBackend,
  SLIRP,
  stopLeftoverHelper,
  type HostsInput,
  type NetworkSpec,
  type ResolvInput,
} from '../network/index.js';
import { loadContainer, type ContainerRecord } from '../storage/index.js';
import type { UsernsPlan } from '../userns/index.js';
import { refreshStatus } from './status.js';

export interface NetworkSetup {
  /** Namespace for generateSpec. */
  specNetwork: 'new' | 'inherit' | { path: string };
  bindSys: boolean;
  /** The helper unshares a network namespace and runs `hook` in it. */
  netns: boolean;
  hook?: string;
  /** Join this container's user namespace (container:NAME, rootless). */
  join?: number;
  /** Where the network helper's errors go. */
  helperLog?: string;
  etc: { hosts: HostsInput; resolv: Omit<ResolvInput, 'hostText'> };
}

const NO_NETWORK: NetworkSpec = { mode: 'none', ports: [], dns: [], dnsSearch: [], dnsOptions: [], addHosts: [], noHosts: false };

export function networkOf(record: ContainerRecord): NetworkSpec {
  return record.spec.network ?? NO_NETWORK;
}

async function hostHasRemoteResolver(): Promise<boolean> {
  const text = await fs.readFile('/etc/resolv.conf', 'utf8').catch(() => '');
  return text.split('\n').some((l) => /^\s*nameserver\s/.test(l) && !/^\s*nameserver\s+(127\.|::1\b)/.test(l));
}

export async function prepareNetwork(config: ToteConfig, plan: UsernsPlan, record: ContainerRecord, volatileDir: string): Promise<NetworkSetup> {
  const n = networkOf(record);
  const hosts: HostsInput = { hostname: record.spec.hostname, name: record.name, addHosts: n.addHosts };
  const resolv: Omit<ResolvInput, 'hostText'> = { dns: n.dns, dnsSearch: n.dnsSearch, dnsOptions: n.dnsOptions };
  const base = { bindSys: false, netns: false };
  switch (n.mode) {
    case 'pasta':
    case 'slirp4netns': {
      const backend = requireBackend(config, n.mode);
      // A helper its killed monitor left behind would hold the ports.
      await stopLeftoverHelper(volatileDir);
      await checkPortsFree(n.ports);
      const files = helperFiles(volatileDir);
      await fs.mkdir(volatileDir, { recursive: true, mode: 0o700 });
      await Promise.all([fs.rm(files.pid, { force: true }), fs.rm(files.log, { force: true })]);
      const addrs = containerAddresses(n.mode);
      let dnsForward: string | undefined;
      let fallbackServer: string | undefined = n.mode === 'slirp4netns' ? SLIRP.dns : undefined;
      if (n.mode === 'pasta' && n.dns.length === 0 && !(await hostHasRemoteResolver())) {
        // Only loopback resolvers on the host (systemd-resolved…): pasta forwards DNS to them.
        dnsForward = PASTA_DNS_FORWARD;
        fallbackServer = PASTA_DNS_FORWARD;
      }
      const hook = hookCommand({
        backend: n.mode,
        program: backend.path,
        files,
        ports: n.ports,
        dnsForward,
        rootless: !plan.rootful,
        nodePath: config.nodePath,
        slirpHookScript: path.join(config.distDir, 'cli', 'internal', 'slirp-hook.js'),
      });
      return {
        ...base,
        specNetwork: 'inherit',
        netns: true,
        hook,
        helperLog: files.log,
        etc: { hosts: { ...hosts, address: addrs.address, hostGateway: addrs.hostGateway }, resolv: { ...resolv, fallbackServer } },
      };
    }
    case 'host':
      return {
        ...base,
        specNetwork: 'inherit',
        bindSys: !plan.rootful,
        etc: { hosts: { ...hosts, hostGateway: '127.0.0.1' }, resolv: { ...resolv, keepLoopback: true } },
      };
    case 'container': {
      const other = await loadContainer(config, n.target ?? '');
      const current = other ? await refreshStatus(config, other) : undefined;
      if (!current || current.status !== 'running' || !current.pid) {
        throw new ToteError('E_NETWORK_CONTAINER', `cannot join the network of container ${n.target?.slice(0, 12) ?? ''}: it is not running`, {
          hint: 'start that container first',
        });
      }
      const otherNet = networkOf(current);
      const addrs = otherNet.mode === 'pasta' || otherNet.mode === 'slirp4netns' ? containerAddresses(otherNet.mode) : {};
      return {
        ...base,
        specNetwork: { path: `/proc/${current.pid}/ns/net` },
        // Rootless, its network namespace belongs to its user namespace: join that one.
        join: plan.rootful ? undefined : current.pid,
        etc: {
          hosts: { ...hosts, ...addrs, addHosts: [...otherNet.addHosts, ...n.addHosts] },
          resolv: { ...resolv, dns: n.dns.length ? n.dns : otherNet.dns, fallbackServer: otherNet.mode === 'slirp4netns' ? SLIRP.dns : undefined },
        },
      };
    }
    case 'ns':
      return { ...base, specNetwork: { path: n.target ?? '' }, etc: { hosts, resolv } };
    default:
      return { ...base, specNetwork: 'new', etc: { hosts, resolv } };
  }
}
