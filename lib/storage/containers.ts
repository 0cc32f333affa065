/**
 * Container records: one JSON file per container under
 * containers/<id>/container.json, written atomically. Orchestration lives in
 * lib/container; this module only stores and finds records.
 */
import type { NetworkSpec } from '../network/index.js';
import type { CgroupPlace, ResourceLimits } from '../cgroups/index.js';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ToteConfig } from '../config/index.js';
import { errnoCode } from '../errors/index.js';
import { readJson, withLock, writeJsonAtomic } from '../state/index.js';
import { storePaths } from './paths.js';

export type ContainerStatus = 'created' | 'running' | 'paused' | 'stopping' | 'exited' | 'removing';

export interface MountSpec {
  type: 'bind' | 'volume' | 'tmpfs';
  source: string;
  destination: string;
  readOnly: boolean;
  options?: string[];
  /** The named (or anonymous) volume this mount uses. */
  name?: string;
}

export interface ContainerRecord {
  id: string;
  name: string;
  image: string;
  imageId: string;
  created: string;
  status: ContainerStatus;
  /** The container's init process, as seen from the host. */
  pid?: number;
  /** The monitor that owns the running container. */
  monitorPid?: number;
  exitCode?: number;
  startedAt?: string;
  finishedAt?: string;
  /** What the user asked for, kept for inspect and restart. */
  spec: ContainerSpec;
  labels: Record<string, string>;
  /** Restarts done under the restart policy. */
  restartCount?: number;
  /** Set by `stop`/`kill`: an unless-stopped/always policy must not restart it. */
  stoppedByUser?: boolean;
  driver: string;
  runtime: string;
  /** The container's cgroup (absent: this host gives this user none, or --cgroups=disabled). */
  cgroup?: CgroupPlace;
  /** The last exit was the kernel's OOM killer (a memory limit). */
  oomKilled?: boolean;
  /** How a paused container was paused: the cgroup freezer, or SIGSTOP to every process. */
  pausedWith?: 'freezer' | 'signals';
}

export interface ContainerSpec {
  entrypoint: string[];
  cmd: string[];
  env: string[];
  workingDir: string;
  user: string;
  hostname: string;
  tty: boolean;
  interactive: boolean;
  readOnly: boolean;
  autoRemove: boolean;
  mounts: MountSpec[];
  /** Signal `stop` sends first (the image's StopSignal, else SIGTERM). */
  stopSignal?: string;
  /** Seconds `stop` waits before SIGKILL. */
  stopTimeout?: number;
  restartPolicy?: { name: 'no' | 'always' | 'on-failure' | 'unless-stopped'; maximumRetryCount: number };
  /** Network mode, published ports, DNS and hosts settings (absent in old records: no network). */
  network?: NetworkSpec;
  /** Resource limits as requested (inspect shows them); absent when none were. */
  resources?: ResourceLimits;
  /** Set when cgroups could not enforce the limits at create: only ulimits and oom-score-adj apply. */
  resourcesUnenforced?: boolean;
  /** --cgroups, when not `enabled`. */
  cgroups?: 'disabled' | 'no-conmon';
  /** --cgroup-parent, as given. */
  cgroupParent?: string;
}

export function containerDir(config: ToteConfig, id: string): string {
  return path.join(storePaths(config).containers, id);
}

export async function loadContainer(config: ToteConfig, id: string): Promise<ContainerRecord | undefined> {
  const rec = await readJson<ContainerRecord | null>(path.join(containerDir(config, id), 'container.json'), null);
  return rec ?? undefined;
}

export async function saveContainer(config: ToteConfig, record: ContainerRecord): Promise<void> {
  const dir = containerDir(config, record.id);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  await writeJsonAtomic(path.join(dir, 'container.json'), record);
}

export async function listContainers(config: ToteConfig): Promise<ContainerRecord[]> {
  let ids: string[];
  try {
    ids = await fs.readdir(storePaths(config).containers);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return [];
    throw e;
  }
  const records = await Promise.all(ids.filter((i) => /^[0-9a-f]{64}$/.test(i)).map((id) => loadContainer(config, id)));
  return records.filter((r): r is ContainerRecord => r !== undefined).sort((a, b) => b.created.localeCompare(a.created));
}

/**
 * Read-modify-write of one record under the store lock, so concurrent
 * invocations (a rename, the monitor's cleanup, a status refresh) never put
 * back fields another one just changed. Returns the saved record, or
 * undefined when it no longer exists.
 */
export async function updateContainer(
  config: ToteConfig,
  id: string,
  mutate: (current: ContainerRecord) => ContainerRecord,
): Promise<ContainerRecord | undefined> {
  return withLock(storePaths(config).lock, async () => {
    const current = await loadContainer(config, id);
    if (!current) return undefined;
    const next = mutate(current);
    await saveContainer(config, next);
    return next;
  });
}
