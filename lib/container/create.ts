/**
 * `create` (and the first half of `run`): checks every input, then writes the
 * container record and its directories. Nothing is created when a check fails.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ToteConfig } from '../config/index.js';
import { ToteError, UsageError } from '../errors/index.js';
// store.js, not index.js: run and create must not load pull and the registry client (node:https).
import { readImageConfig, resolveImage } from '../image/store.js';
import { generateName } from '../names/index.js';
import { withLock } from '../state/index.js';
import { chooseRuntime } from '../runtime/index.js';
import type { LimitFlags } from '../cgroups/index.js';
import { resolveLimits } from './limits.js';
import {
  containerDir,
  layerDir,
  listContainers,
  probeDriver,
  saveContainer,
  storePaths,
  type ContainerRecord,
  type MountSpec,
} from '../storage/index.js';
import type { UsernsPlan } from '../userns/index.js';
import {
  checkDuplicateDestinations,
  checkMountSource,
  discardVolumesLocked,
  parseMountFlag,
  parseTmpfsFlag,
  parseVolumesFrom,
  prepareMountsLocked,
  sortMounts,
  type MountRequest,
} from '../volume/index.js';
import {
  exposedPortRequests,
  parseAddHost,
  parseNetworkMode,
  parsePortSpec,
  requireBackend,
  resolvePorts,
  type NetworkMode,
  type NetworkSpec,
} from '../network/index.js';
import { checkBindSource, expandEnv, mergeEnv, parseVolume, readEnvFile } from './inputs.js';
import { findContainer } from './query.js';
import { readImageFile } from './image-files.js';
import { resolveUser } from './user.js';

export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface CreateOptions {
  image: string;
  command?: string[];
  name?: string;
  env?: string[];
  envFiles?: string[];
  workdir?: string;
  user?: string;
  /** undefined: the image's; '' clears it; else a single executable. */
  entrypoint?: string;
  hostname?: string;
  volumes?: string[];
  /** `--mount` values (docker CSV syntax). */
  mounts?: string[];
  /** `--tmpfs` values. */
  tmpfs?: string[];
  /** `--volumes-from` values: CONTAINER[:ro|rw]. */
  volumesFrom?: string[];
  readOnly?: boolean;
  interactive?: boolean;
  tty?: boolean;
  rm?: boolean;
  labels?: Record<string, string>;
  restart?: string;
  stopSignal?: string;
  stopTimeout?: number;
  /** `--network` value (pasta, slirp4netns, none, host, container:NAME, ns:PATH). */
  network?: string;
  /** `-p` specs. */
  publish?: string[];
  /** `-P`: publish every EXPOSEd port to a random host port. */
  publishAll?: boolean;
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  /** `--add-host NAME:IP`. */
  addHosts?: string[];
  noHosts?: boolean;
  /** Resource limit flags (--memory, --cpus, --ulimit, …) as given. */
  limits?: LimitFlags;
  /** --cgroups: enabled (default), disabled, no-conmon. */
  cgroups?: string;
  /** --cgroup-parent. */
  cgroupParent?: string;
  /** Where warnings go (e.g. limits this host cannot enforce). */
  warn?: (msg: string) => void;
}

/**
 * The network section: mode and backend chosen, -p/-P resolved to concrete
 * host ports, each checked (allowed, free) before anything is created.
 */
async function networkSpec(config: ToteConfig, o: CreateOptions, exposed: Record<string, object> | undefined): Promise<NetworkSpec> {
  const parsed = parseNetworkMode(o.network);
  const requests = (o.publish ?? []).map(parsePortSpec);
  for (const h of o.addHosts ?? []) parseAddHost(h);
  const wantsPorts = requests.length > 0 || Boolean(o.publishAll);
  let mode: NetworkMode;
  let target = parsed.target;
  if (parsed.mode === undefined || parsed.mode === 'pasta' || parsed.mode === 'slirp4netns') {
    mode = requireBackend(config, parsed.mode).name;
  } else {
    mode = parsed.mode;
    if (requests.length > 0) throw new UsageError(`conflicting options: port publishing and the ${mode} network mode`, 'publish ports with the default network (pasta or slirp4netns)');
    if (mode === 'container') {
      const other = await findContainer(config, target!);
      target = other.id;
    }
  }
  const portable = mode === 'pasta' || mode === 'slirp4netns';
  if (o.publishAll && portable) requests.push(...exposedPortRequests(exposed));
  const ports = portable && wantsPorts ? await resolvePorts(requests, { rootless: !config.isRoot }) : [];
  return {
    mode,
    ...(target ? { target } : {}),
    ports,
    exposed: Object.keys(exposed ?? {}),
    dns: o.dns ?? [],
    dnsSearch: o.dnsSearch ?? [],
    dnsOptions: o.dnsOptions ?? [],
    addHosts: o.addHosts ?? [],
    noHosts: o.noHosts ?? false,
  };
}

/** docker's --restart: no | on-failure[:N] | always | unless-stopped. */
export function parseRestartPolicy(text: string | undefined): { name: 'no' | 'always' | 'on-failure' | 'unless-stopped'; maximumRetryCount: number } {
  if (!text) return { name: 'no', maximumRetryCount: 0 };
  const [name, count] = text.split(':', 2);
  if (name === 'on-failure') {
    const n = count === undefined ? 0 : Number(count);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`invalid restart policy "${text}": the retry count must be a non-negative integer`);
    return { name, maximumRetryCount: n };
  }
  if ((name === 'no' || name === 'always' || name === 'unless-stopped') && count === undefined) return { name, maximumRetryCount: 0 };
  throw new UsageError(`invalid restart policy "${text}"`, 'use no, on-failure[:max-retries], always or unless-stopped');
}

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export async function createContainer(config: ToteConfig, plan: UsernsPlan, o: CreateOptions): Promise<ContainerRecord> {
  if (o.name !== undefined && !NAME_RE.test(o.name)) {
    throw new UsageError(`invalid container name "${o.name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  const restartPolicy = parseRestartPolicy(o.restart);
  if (restartPolicy.name !== 'no' && o.rm) throw new UsageError('the --restart and --rm options conflict');
  const runtime = chooseRuntime(config);
  const id = randomBytes(32).toString('hex');
  const limits = resolveLimits(config, { id, flags: o.limits, cgroups: o.cgroups, cgroupParent: o.cgroupParent, runtimeName: runtime.name });
  const image = await resolveImage(config, o.image);
  const imageConfig = (await readImageConfig(config, image)).config ?? {};

  const volumes = (o.volumes ?? []).map(parseVolume);
  for (const v of volumes) await checkBindSource(v);
  const mountFlags = (o.mounts ?? []).map((m) => parseMountFlag(m));
  for (const m of mountFlags) await checkMountSource(m);
  const mountRequests: MountRequest[] = [
    ...volumes.map((v): MountRequest => ({ type: v.kind, source: v.source, destination: v.destination, readOnly: v.readOnly, ...(v.noCopy ? { noCopy: true } : {}) })),
    ...mountFlags,
    ...(o.tmpfs ?? []).map(parseTmpfsFlag),
  ];
  checkDuplicateDestinations(mountRequests);
  const mountPoints = new Set(mountRequests.map((m) => m.destination));
  // --volumes-from: the other container's volumes and binds (not its tmpfs), unless mounted explicitly.
  const inherited: MountSpec[] = [];
  for (const spec of o.volumesFrom ?? []) {
    const from = parseVolumesFrom(spec);
    const other = await findContainer(config, from.container);
    for (const m of other.spec.mounts) {
      if (m.type === 'tmpfs' || mountPoints.has(m.destination)) continue;
      mountPoints.add(m.destination);
      inherited.push({ ...m, readOnly: from.mode ? from.mode === 'ro' : m.readOnly });
    }
  }
  // The image's VOLUMEs get anonymous volumes, unless something is mounted there.
  for (const dst of Object.keys(imageConfig.Volumes ?? {})) {
    const destination = path.posix.normalize(dst).replace(/(.)\/$/, '$1');
    if (!destination.startsWith('/') || mountPoints.has(destination)) continue;
    mountPoints.add(destination);
    mountRequests.push({ type: 'volume', source: '', destination, readOnly: false });
  }
  const fileEnv: string[] = [];
  for (const f of o.envFiles ?? []) fileEnv.push(...(await readEnvFile(f, config.hostEnv)));
  const userEnv = [...fileEnv, ...expandEnv(o.env ?? [], config.hostEnv)];

  const layersTopFirst = [...image.layers].reverse().map((l) => layerDir(config, l));
  const userSpec = o.user ?? imageConfig.User ?? '';
  // Resolved now so a bad --user fails before anything exists; kept as text
  // in the record and resolved again at start (the image may change /etc/passwd).
  const [passwd, group] = await Promise.all([readImageFile(layersTopFirst, '/etc/passwd'), readImageFile(layersTopFirst, '/etc/group')]);
  const user = resolveUser(userSpec, passwd, group);

  let entrypoint = imageConfig.Entrypoint ?? [];
  if (o.entrypoint !== undefined) entrypoint = o.entrypoint === '' ? [] : [o.entrypoint];
  let cmd = o.command && o.command.length > 0 ? o.command : (imageConfig.Cmd ?? []);
  // docker: --entrypoint resets the image's Cmd too.
  if (o.entrypoint !== undefined && !(o.command && o.command.length > 0)) cmd = [];
  if (entrypoint.length + cmd.length === 0) {
    throw new ToteError('E_NO_COMMAND', 'no command specified', { hint: 'give a command after the image name, or use an image with CMD or ENTRYPOINT' });
  }

  const hostname = o.hostname ?? id.slice(0, 12);
  let env = mergeEnv(imageConfig.Env ?? [], userEnv);
  if (!env.some((e) => e.startsWith('PATH='))) env = [DEFAULT_PATH, ...env];
  env = mergeEnv([`HOSTNAME=${hostname}`, `HOME=${user.home}`, ...(o.tty ? ['TERM=xterm'] : [])], env);
  if (userEnv.some((e) => e.startsWith('HOSTNAME='))) env = mergeEnv(env, userEnv.filter((e) => e.startsWith('HOSTNAME=')));

  const driver = await probeDriver(config, plan, config.storageDriver);
  // Last of the checks: it binds the requested host ports to see they are free.
  const network = await networkSpec(config, o, imageConfig.ExposedPorts);
  for (const w of limits.warnings) o.warn?.(w);

  return withLock(storePaths(config).lock, async () => {
    const existing = await listContainers(config);
    const taken = new Set(existing.map((c) => c.name));
    if (o.name !== undefined && taken.has(o.name)) {
      const other = existing.find((c) => c.name === o.name)!;
      throw new ToteError('E_NAME_IN_USE', `the container name "${o.name}" is already in use by ${other.id.slice(0, 12)}`, {
        hint: 'remove that container (`tote rm`), or choose another --name',
      });
    }
    const name = o.name ?? generateName((n) => taken.has(n));
    const dir = containerDir(config, id);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    let createdVolumes: string[] = [];
    try {
      const prepared = await prepareMountsLocked(config, plan, mountRequests, layersTopFirst);
      createdVolumes = prepared.createdVolumes;
      const mounts: MountSpec[] = sortMounts([...prepared.mounts, ...inherited]);
      const record: ContainerRecord = {
        id,
        name,
        image: o.image,
        imageId: image.id,
        created: new Date().toISOString(),
        status: 'created',
        spec: {
          entrypoint,
          cmd,
          env,
          workingDir: o.workdir ?? imageConfig.WorkingDir ?? '/',
          user: userSpec,
          hostname,
          tty: o.tty ?? false,
          interactive: o.interactive ?? false,
          readOnly: o.readOnly ?? false,
          autoRemove: o.rm ?? false,
          mounts,
          stopSignal: o.stopSignal ?? imageConfig.StopSignal,
          stopTimeout: o.stopTimeout,
          restartPolicy,
          network,
          ...(limits.resources ? { resources: limits.resources } : {}),
          ...(limits.unenforced ? { resourcesUnenforced: true } : {}),
          ...(o.cgroups && o.cgroups !== 'enabled' ? { cgroups: o.cgroups as 'disabled' | 'no-conmon' } : {}),
          ...(o.cgroupParent ? { cgroupParent: o.cgroupParent } : {}),
        },
        ...(limits.cgroup ? { cgroup: limits.cgroup } : {}),
        labels: { ...(imageConfig.Labels ?? {}), ...(o.labels ?? {}) },
        driver,
        runtime: runtime.name,
      };
      if (!record.spec.workingDir.startsWith('/')) {
        throw new UsageError(`the working directory "${record.spec.workingDir}" is invalid: it needs to be an absolute path`);
      }
      await saveContainer(config, record);
      return record;
    } catch (e) {
      await discardVolumesLocked(config, plan, createdVolumes);
      await fs.rm(dir, { recursive: true, force: true });
      throw e;
    }
  });
}
