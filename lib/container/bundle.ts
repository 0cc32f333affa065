/**
 * Turns a container record into what the OCI runtime needs: the rootfs
 * mount plan, generated /etc files, and config.json in the bundle directory.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ToteConfig } from '../config/index.js';
import { writeJsonAtomic } from '../state/index.js';
import { detectCgroupMode, hybridUnifiedPath, joinFiles, ociResources, processLimitsOnly, type OciLimits } from '../cgroups/index.js';
import { chooseRuntime, generateSpec, isCrun, type RuntimeInfo, type SpecOptions } from '../runtime/index.js';
import {
  containerDir,
  layerDir,
  loadImages,
  populateVfsRootfs,
  rootfsMountPlan,
  type ContainerRecord,
} from '../storage/index.js';
import type { StorageDriver } from '../storage/index.js';
import { spawnInUserns, toHostId, waitExit, type HelperMount, type UsernsPlan } from '../userns/index.js';
import { NoSuchImageError } from '../errors/index.js';
import { writeEtcFiles } from './etc-files.js';
import { prepareNetwork } from './network-setup.js';
import { volatilePaths } from './paths.js';

export { volatilePaths };
import { readImageFile } from './image-files.js';
import { resolveUser } from './user.js';

export interface PreparedBundle {
  dir: string;
  /** Detached mode: where the runtime writes the container's pid. */
  pidFile: string;
  /** Detached mode with a tty: where the runtime sends the pty master. */
  consoleSocket?: string;
  runtime: RuntimeInfo;
  /** Mounts the helper performs in its private mount namespace. */
  mounts: HelperMount[];
  /** cgroup.procs files the helper joins before starting the runtime (tote-managed cgroups). */
  cgroupJoin: string[];
  /** Command the helper runs: the runtime, possibly behind a fuse-overlayfs prefix. */
  command: string[];
  logFile: string;
  /** Network: the helper creates a network namespace and attaches pasta/slirp4netns with this hook. */
  netns: boolean;
  hook?: string;
  /** Join this process's user namespace (network of another container). */
  join?: number;
  /** The network helper's error log. */
  networkLog?: string;
}

/** crun refuses hybrid cgroup hosts: hide the v2 tree in our mount namespace. */
export function runtimeQuirkMounts(runtime: RuntimeInfo): HelperMount[] {
  if (isCrun(runtime) && detectCgroupMode() === 'hybrid') {
    return [{ type: 'tmpfs', source: 'tmpfs', target: hybridUnifiedPath(), options: 'size=4k,mode=755' }];
  }
  return [];
}

/**
 * How the runtime meets the container's cgroup. Rootful, the runtime creates
 * it from cgroupsPath and applies the limits (and the devices rules).
 * Rootless, tote created it and the helper joined it: crun is told to leave
 * cgroups alone; runc, which cannot be, makes a child of it (limits apply
 * to the whole subtree).
 */
export function cgroupRuntimeSettings(
  record: Pick<ContainerRecord, 'cgroup' | 'spec'>,
  runtime: RuntimeInfo,
): { limits: OciLimits; cgroupsPath?: string; runtimeFlags: string[] } {
  const place = record.cgroup;
  const processOnly = ociResources(processLimitsOnly(record.spec.resources));
  const crunDisabled = isCrun(runtime) ? ['--cgroup-manager=disabled'] : [];
  if (!place) {
    const limits = record.spec.resourcesUnenforced ? processOnly : ociResources(record.spec.resources);
    return { limits, runtimeFlags: record.spec.cgroups === 'disabled' ? crunDisabled : [] };
  }
  if (place.manager === 'runtime') return { limits: ociResources(record.spec.resources), cgroupsPath: place.path, runtimeFlags: [] };
  // runc (no "disabled" manager) nests its own cgroup under the one the
  // helper joined; without an explicit cgroupsPath it ignores what it may not create.
  return { limits: processOnly, runtimeFlags: crunDisabled };
}

/** What the container sees at /sys/fs/cgroup: its own cgroup, read-only. */
function cgroupMount(place: ContainerRecord['cgroup']): SpecOptions['mountCgroup'] {
  if (!place) return undefined;
  if (place.manager === 'runtime') return 'runtime';
  return place.version === 2 ? { '': place.dirs.unified! } : (place.dirs as Record<string, string>);
}

export function runtimeRoot(config: ToteConfig, runtime: RuntimeInfo): string {
  return path.join(config.runDir, 'runtime', runtime.name);
}

export async function prepareBundle(
  config: ToteConfig,
  plan: UsernsPlan,
  record: ContainerRecord,
  mode: 'foreground' | 'detached' = 'foreground',
): Promise<PreparedBundle> {
  const dir = containerDir(config, record.id);
  const runtime = chooseRuntime({ ...config, runtime: config.runtime ?? record.runtime });
  const image = (await loadImages(config)).find((i) => i.id === record.imageId);
  if (!image) throw new NoSuchImageError(record.image);
  const lowerTopFirst = [...image.layers].reverse().map((l) => layerDir(config, l));

  const upper = path.join(dir, 'diff');
  const work = path.join(dir, 'work');
  const merged = path.join(dir, 'merged');
  await Promise.all([upper, work, merged].map((d) => fs.mkdir(d, { recursive: true, mode: 0o755 })));
  // The rootfs root is the upper dir's root in overlay: make it 0755 like an image's /.
  await fs.chmod(upper, 0o755);

  const rootfsPlan = rootfsMountPlan(record.driver as StorageDriver, lowerTopFirst, upper, work, merged);
  const mounts: HelperMount[] = [];
  let prefix: string[] = [];
  let rootfs = merged;
  if ('mount' in rootfsPlan && rootfsPlan.mount) mounts.push(rootfsPlan.mount);
  if ('prefix' in rootfsPlan && rootfsPlan.prefix) prefix = rootfsPlan.prefix;
  if ('copy' in rootfsPlan && rootfsPlan.copy) {
    rootfs = upper;
    const marker = path.join(dir, 'vfs-populated');
    if (!(await fs.access(marker).then(() => true, () => false))) {
      await populateVfsRootfs(config, plan, lowerTopFirst, upper);
      await fs.writeFile(marker, '');
    }
  }
  mounts.push(...runtimeQuirkMounts(runtime));

  const [passwd, group] = await Promise.all([readImageFile(lowerTopFirst, '/etc/passwd'), readImageFile(lowerTopFirst, '/etc/group')]);
  const user = resolveUser(record.spec.user, passwd, group);
  const vol = volatilePaths(config, record.id);
  const network = await prepareNetwork(config, plan, record, vol.dir);
  const etc = await writeEtcFiles(dir, network.etc);
  const noHosts = record.spec.network?.noHosts ?? false;
  const cg = cgroupRuntimeSettings(record, runtime);

  const spec = generateSpec({
    rootfs,
    readOnlyRoot: record.spec.readOnly,
    args: [...record.spec.entrypoint, ...record.spec.cmd],
    env: record.spec.env,
    cwd: record.spec.workingDir,
    uid: user.uid,
    gid: user.gid,
    additionalGids: user.additionalGids,
    terminal: record.spec.tty,
    hostname: record.spec.hostname,
    network: network.specNetwork,
    bindSys: network.bindSys,
    binds: [
      ...(noHosts ? [] : [{ source: etc.hosts, destination: '/etc/hosts', readOnly: false }]),
      { source: etc.hostname, destination: '/etc/hostname', readOnly: false },
      { source: etc.resolv, destination: '/etc/resolv.conf', readOnly: false },
      ...record.spec.mounts.filter((m) => m.type !== 'tmpfs').map((m) => ({ source: m.source, destination: m.destination, readOnly: m.readOnly })),
    ],
    tmpfs: record.spec.mounts
      .filter((m) => m.type === 'tmpfs')
      .map((m) => ({ destination: m.destination, options: [...(m.options ?? []), ...(m.readOnly ? ['ro'] : [])] })),
    ttyGroupMapped: plan.rootful || toHostId(plan.gidMap, 5) !== undefined,
    ...cg.limits,
    cgroupsPath: cg.cgroupsPath,
    mountCgroup: cgroupMount(record.cgroup),
  });
  await writeJsonAtomic(path.join(dir, 'config.json'), spec);

  const logFile = path.join(dir, 'runtime.log');
  await fs.rm(logFile, { force: true });
  const root = runtimeRoot(config, runtime);
  await fs.mkdir(root, { recursive: true, mode: 0o700 });
  const detached = mode === 'detached';
  if (detached) {
    await fs.mkdir(vol.dir, { recursive: true, mode: 0o700 });
    await fs.rm(vol.pid, { force: true });
  }
  const consoleSocket = detached && record.spec.tty ? vol.console : undefined;
  const command = [
    ...prefix,
    runtime.path,
    '--root',
    root,
    '--log',
    isCrun(runtime) ? `file:${logFile}` : logFile,
    '--log-format',
    'json',
    ...cg.runtimeFlags,
    'run',
    ...(detached ? ['-d', '--pid-file', vol.pid] : []),
    ...(consoleSocket ? ['--console-socket', consoleSocket] : []),
    '--bundle',
    dir,
    record.id,
  ];
  return {
    dir,
    runtime,
    cgroupJoin: record.cgroup?.manager === 'tote' ? joinFiles(record.cgroup) : [],
    mounts,
    command,
    logFile,
    pidFile: vol.pid,
    consoleSocket,
    netns: network.netns,
    hook: network.hook,
    join: network.join,
    networkLog: network.helperLog,
  };
}

/**
 * A container started detached keeps its runtime state after it exits
 * until `delete`: clear it before starting again and on removal. Runs in
 * a namespace like the runtime itself (it may own cgroups there).
 */
export async function deleteRuntimeState(config: ToteConfig, plan: UsernsPlan, record: ContainerRecord): Promise<void> {
  const runtime = chooseRuntime({ ...config, runtime: config.runtime ?? record.runtime });
  const root = runtimeRoot(config, runtime);
  if (!(await fs.access(path.join(root, record.id)).then(() => true, () => false))) return;
  const child = spawnInUserns(config, plan, [runtime.path, '--root', root, 'delete', '--force', record.id], {
    mounts: runtimeQuirkMounts(runtime),
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  await waitExit(child).catch(() => undefined);
  // Whatever the runtime left (it refuses states it cannot parse) goes too.
  await fs.rm(path.join(root, record.id), { recursive: true, force: true }).catch(() => undefined);
}
