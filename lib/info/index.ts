/** What `tote info` reports: host, id mappings, storage, runtime, network helpers. */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import type { ToteConfig } from '../config/index.js';
import { defaultBackend, findNetworkProgram } from '../network/index.js';
import { detectCgroupMode } from '../cgroups/index.js';
import { chooseRuntime, runtimeVersion } from '../runtime/index.js';
import { listContainers, loadImages, probeDriver } from '../storage/index.js';
import type { UsernsPlan } from '../userns/index.js';

import { TOTE_VERSION } from '../config/version.js';
export { TOTE_VERSION };

export interface InfoReport {
  host: {
    arch: string;
    os: string;
    kernel: string;
    hostname: string;
    rootless: boolean;
    idMappings: { uidmap: Array<{ container_id: number; host_id: number; size: number }>; gidmap: Array<{ container_id: number; host_id: number; size: number }> };
    cgroupVersion: string;
    cgroupLimits: string[];
    /** The helper a container's default network uses (pasta, else slirp4netns); null: none installed. */
    networkBackend: string | null;
    networkBackends: Record<string, string | null>;
    ociRuntime: { name: string; path: string; version: string } | { error: string };
  };
  store: { graphRoot: string; runRoot: string; graphDriverName: string; imageCount: number; containerCount: number };
  version: { version: string; node: string };
}

/** Which limits can be enforced: none without a writable (delegated) cgroup. */
async function enforceableLimits(config: ToteConfig, mode: string): Promise<string[]> {
  if (mode !== 'v2') return config.isRoot && mode !== 'none' ? ['cpu', 'memory', 'pids', 'io'] : [];
  if (config.isRoot) {
    const text = await fs.readFile('/sys/fs/cgroup/cgroup.controllers', 'utf8').catch(() => '');
    return text.trim().split(/\s+/).filter(Boolean);
  }
  // Rootless v2: what systemd delegated to the user's slice.
  const text = await fs.readFile(`/sys/fs/cgroup/user.slice/user-${config.uid}.slice/user@${config.uid}.service/cgroup.controllers`, 'utf8').catch(() => '');
  return text.trim().split(/\s+/).filter(Boolean);
}

export async function collectInfo(config: ToteConfig, plan: UsernsPlan): Promise<InfoReport> {
  const mode = detectCgroupMode();
  let ociRuntime: InfoReport['host']['ociRuntime'];
  try {
    const rt = chooseRuntime(config);
    ociRuntime = { name: rt.name, path: rt.path, version: await runtimeVersion(rt) };
  } catch (e) {
    ociRuntime = { error: (e as Error).message };
  }
  const [driver, images, containers, limits] = await Promise.all([
    probeDriver(config, plan, config.storageDriver),
    loadImages(config),
    listContainers(config),
    enforceableLimits(config, mode),
  ]);
  const toInfo = (m: UsernsPlan['uidMap']) => m.map((x) => ({ container_id: x.containerId, host_id: x.hostId, size: x.size }));
  return {
    host: {
      arch: process.arch === 'x64' ? 'amd64' : process.arch,
      os: os.platform(),
      kernel: os.release(),
      hostname: os.hostname(),
      rootless: !config.isRoot,
      idMappings: { uidmap: toInfo(plan.uidMap), gidmap: toInfo(plan.gidMap) },
      cgroupVersion: mode === 'v2' ? 'v2' : mode === 'none' ? 'none' : `v1 (${mode})`,
      cgroupLimits: limits,
      networkBackend: defaultBackend(config) ?? null,
      networkBackends: {
        pasta: findNetworkProgram(config, 'pasta') ?? null,
        slirp4netns: findNetworkProgram(config, 'slirp4netns') ?? null,
      },
      ociRuntime,
    },
    store: {
      graphRoot: config.dataDir,
      runRoot: config.runDir,
      graphDriverName: driver,
      imageCount: images.length,
      containerCount: containers.length,
    },
    version: { version: TOTE_VERSION, node: process.version },
  };
}
