/** What `tote info` reports: host, id mappings, storage, runtime, network helpers. */
import os from 'node:os';
import type { ToteConfig } from '../config/index.js';
import { defaultBackend, findNetworkProgram } from '../network/index.js';
import { cgroupSupport, detectCgroupMode, hostHierarchies } from '../cgroups/index.js';
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
    cgroupControllers: string[];
    cgroupParent: string | null;
    cgroupManager: string | null;
    cgroupUnavailable?: { reason: string; hint: string | null };
    /** The helper a container's default network uses (pasta, else slirp4netns); null: none installed. */
    networkBackend: string | null;
    networkBackends: Record<string, string | null>;
    ociRuntime: { name: string; path: string; version: string } | { error: string };
  };
  store: { graphRoot: string; runRoot: string; graphDriverName: string; imageCount: number; containerCount: number };
  version: { version: string; node: string };
}

/** Where this user's containers get cgroups, and which controllers are usable there (podman's cgroupControllers). */
function cgroupInfo(config: ToteConfig): { controllers: string[]; parent: string | null; manager: string | null; reason: string | null; hint: string | null } {
  const s = cgroupSupport({ isRoot: config.isRoot, uid: config.uid, cgroupRoot: config.cgroups.root }, hostHierarchies());
  const usable = s.usable.length > 0;
  return {
    controllers: s.usable,
    parent: usable ? s.parent : null,
    manager: usable ? (s.manager === 'runtime' ? 'runtime (rootful)' : 'tote (delegated subtree)') : null,
    reason: s.reason ?? null,
    hint: s.hint ?? null,
  };
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
  const [driver, images, containers] = await Promise.all([probeDriver(config, plan, config.storageDriver), loadImages(config), listContainers(config)]);
  const cg = cgroupInfo(config);
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
      cgroupControllers: cg.controllers,
      cgroupParent: cg.parent,
      cgroupManager: cg.manager,
      ...(cg.reason ? { cgroupUnavailable: { reason: cg.reason, hint: cg.hint } } : {}),
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
