/** Finding containers by name or id, and docker-shaped views of them. */
import type { ToteConfig } from '../config/index.js';
import { NoSuchContainerError, ToteError } from '../errors/index.js';
// reference.js, not index.js: ps and inspect must not load pull, push and the registry client.
import { familiarName } from '../image/reference.js';
import { containerDir, listContainers, loadImages, type ContainerRecord } from '../storage/index.js';
import { containerAddresses, dockerPortMap, networkModeText } from '../network/index.js';
import { refreshStatus } from './status.js';
import { hostConfigLimits } from '../cgroups/index.js';

export async function allContainers(config: ToteConfig): Promise<ContainerRecord[]> {
  return Promise.all((await listContainers(config)).map((c) => refreshStatus(config, c)));
}

/** By exact name, full id, or unique id prefix (docker's lookup order). */
export async function findContainer(config: ToteConfig, text: string): Promise<ContainerRecord> {
  const all = await allContainers(config);
  const byName = all.find((c) => c.name === text || c.id === text);
  if (byName) return byName;
  if (/^[0-9a-f]+$/.test(text)) {
    const matches = all.filter((c) => c.id.startsWith(text));
    if (matches.length === 1) return matches[0];
    if (matches.length > 1) throw new ToteError('E_AMBIGUOUS_CONTAINER', `short id "${text}" matches ${matches.length} containers`, { hint: 'use more characters of the id' });
  }
  throw new NoSuchContainerError(text);
}

/** docker's human status: "Up 5 minutes", "Exited (1) 2 hours ago", "Created". */
export function statusText(c: ContainerRecord, since: (iso: string) => string): string {
  switch (c.status) {
    case 'running':
      return `Up ${since(c.startedAt ?? c.created)}`;
    case 'paused':
      return `Up ${since(c.startedAt ?? c.created)} (Paused)`;
    case 'exited':
      return `Exited (${c.exitCode ?? 0}) ${since(c.finishedAt ?? c.created)} ago`;
    default:
      return c.status.charAt(0).toUpperCase() + c.status.slice(1);
  }
}

/** docker's NetworkSettings: published ports only while running (docker shows them then). */
function networkSettings(c: ContainerRecord): Record<string, unknown> {
  const n = c.spec.network;
  const running = c.status === 'running' || c.status === 'paused';
  const exposed = (n?.exposed ?? []).map((e) => (e.includes('/') ? e : `${e}/tcp`));
  const helper = n && (n.mode === 'pasta' || n.mode === 'slirp4netns') ? containerAddresses(n.mode) : {};
  const ip = running ? (helper.address ?? '') : '';
  const gateway = running ? (helper.hostGateway ?? '') : '';
  return {
    Ports: running ? dockerPortMap(n?.ports ?? [], exposed) : {},
    IPAddress: ip,
    Gateway: gateway,
    Networks: n && (n.mode === 'pasta' || n.mode === 'slirp4netns') ? { [n.mode]: { IPAddress: ip, Gateway: gateway } } : {},
  };
}

export async function inspectContainer(config: ToteConfig, c: ContainerRecord): Promise<Record<string, unknown>> {
  const image = (await loadImages(config)).find((i) => i.id === c.imageId);
  const zero = '0001-01-01T00:00:00Z';
  return {
    Id: c.id,
    Created: c.created,
    Path: [...c.spec.entrypoint, ...c.spec.cmd][0] ?? '',
    Args: [...c.spec.entrypoint, ...c.spec.cmd].slice(1),
    State: {
      Status: c.status,
      Running: c.status === 'running' || c.status === 'paused',
      Paused: c.status === 'paused',
      Restarting: false,
      OOMKilled: Boolean(c.oomKilled),
      Dead: false,
      Pid: c.pid ?? 0,
      ExitCode: c.exitCode ?? 0,
      Error: '',
      StartedAt: c.startedAt ?? zero,
      FinishedAt: c.finishedAt ?? zero,
    },
    Image: 'sha256:' + c.imageId,
    ResolvConfPath: `${containerDir(config, c.id)}/resolv.conf`,
    HostnamePath: `${containerDir(config, c.id)}/hostname`,
    HostsPath: `${containerDir(config, c.id)}/hosts`,
    Name: '/' + c.name,
    Driver: c.driver,
    HostConfig: {
      AutoRemove: c.spec.autoRemove,
      ReadonlyRootfs: c.spec.readOnly,
      Binds: c.spec.mounts.filter((m) => m.type === 'bind').map((m) => `${m.source}:${m.destination}${m.readOnly ? ':ro' : ''}`),
      NetworkMode: networkModeText(c.spec.network),
      PortBindings: dockerPortMap(c.spec.network?.ports ?? []),
      Dns: c.spec.network?.dns ?? [],
      DnsSearch: c.spec.network?.dnsSearch ?? [],
      DnsOptions: c.spec.network?.dnsOptions ?? [],
      ExtraHosts: c.spec.network?.addHosts ?? [],
      Runtime: c.runtime,
      ...hostConfigLimits(c.spec.resources),
      CgroupParent: c.spec.cgroupParent ?? '',
      Cgroups: c.spec.cgroups ?? 'enabled',
      // podman's key: the container's cgroup path (empty without one).
      CgroupPath: c.cgroup?.path ?? '',
    },
    Mounts: c.spec.mounts.map((m) => ({
      Type: m.type,
      Source: m.source,
      Destination: m.destination,
      Mode: '',
      RW: !m.readOnly,
      Propagation: 'rprivate',
    })),
    Config: {
      Hostname: c.spec.hostname,
      User: c.spec.user,
      Tty: c.spec.tty,
      OpenStdin: c.spec.interactive,
      Env: c.spec.env,
      Cmd: c.spec.cmd,
      Image: image?.names[0] ? familiarName(image.names[0]) : c.image,
      WorkingDir: c.spec.workingDir,
      Entrypoint: c.spec.entrypoint.length ? c.spec.entrypoint : null,
      Labels: c.labels,
    },
    NetworkSettings: networkSettings(c),
  };
}
