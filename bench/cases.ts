/**
 * The benchmark cases. A case is one small object: the argv to time, plus
 * optional setup/teardown around all runs and prepare/after around each run
 * (never timed). Add a case here when its feature lands, and move it out of
 * PENDING.
 */
import path from 'node:path';
import { chownSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { ensureRandomImage } from './registry.js';
import { stampedCopy } from './tarstamp.js';
import { baseWithStorage, removeContainers, startSleeper, tool$, toolTry, type Tool } from './tools.js';

/** Shared inputs for the cases. */
export interface BenchEnv {
  /** The busybox rootfs tar both tools imported as their image. */
  busyboxTar: string;
  work: string;
  runAs: { uid: number; gid: number; switchUser: boolean };
}

/** Per-tool state a case keeps between setup, runs and teardown. */
export type State = Record<string, unknown>;

export interface TimedCase {
  kind: 'time';
  /** Short id for --only. */
  id: string;
  /** The row label in the table. */
  label: string;
  /**
   * tote median / podman median must be at most this; for a throughput
   * case, tote's throughput / podman's must be at least this.
   */
  target: number;
  /** Warm-up runs, not counted (default: the global --warmup). */
  warmups?: number;
  /** Counted runs (default: the global --runs), for slow cases. */
  runs?: number;
  /**
   * A throughput case: the bytes one run moves (known after setup). The row
   * then shows MiB/s from the median time, and the ratio is tote/podman
   * throughput.
   */
  bytes?(state: State): number;
  /** The argv prefix for this run, instead of the tool's (e.g. other storage). */
  base?(tool: Tool, prepared: unknown, state: State): string[];
  setup?(tool: Tool, env: BenchEnv, state: State): Promise<void>;
  /** Before each run, untimed; its result is handed to args() and after(). */
  prepare?(tool: Tool, env: BenchEnv, state: State, run: number): Promise<unknown>;
  /** The timed command's arguments (after the tool's global flags). */
  args(tool: Tool, prepared: unknown, state: State): string[];
  /** After each run, untimed; gets what the timed command printed. */
  after?(tool: Tool, env: BenchEnv, state: State, prepared: unknown, stdout: string): Promise<void>;
  teardown?(tool: Tool, env: BenchEnv, state: State): Promise<void>;
}

export interface MemoryCase {
  kind: 'memory';
  id: string;
  label: string;
  /** Detached containers to start per tool. */
  containers: number;
  /** tote KB / podman KB must be at most this. */
  target: number;
}

export interface PendingCase {
  kind: 'pending';
  id: string;
  label: string;
  target: string;
  note: string;
}

export type Case = TimedCase | MemoryCase | PendingCase;

/** Containers started for a case, per tool, removed in teardown. */
function ids(state: State): string[] {
  return ((state.ids as string[] | undefined) ??= []);
}

const removeAll = async (tool: Tool, _env: BenchEnv, state: State) => removeContainers(tool, ids(state));

/** The pull case's image: 4 gzip layers of 50 MiB of random bytes each. */
const PULL_LAYERS = 4;
const PULL_MIB_PER_LAYER = 50;

/** Fresh, empty storage for one run (the tool initialises it, untimed). */
async function freshStorage(tool: Tool, env: BenchEnv, run: number): Promise<string[]> {
  const dir = path.join(env.work, `fresh-${tool.name}-${run}`);
  mkdirSync(dir);
  if (env.runAs.switchUser) chownSync(dir, env.runAs.uid, env.runAs.gid);
  const base = baseWithStorage(tool, path.join(dir, 'root'), path.join(dir, 'run'));
  await toolTry({ ...tool, base }, ['images']);
  return base;
}

/** Removes what freshStorage made (files owned by subordinate ids: from inside the user namespace). */
async function dropStorage(tool: Tool, base: string[]): Promise<void> {
  const dir = path.dirname(base[base.indexOf('--root') + 1]);
  await toolTry({ ...tool, base }, ['unshare', 'rm', '-rf', dir]);
  rmSync(dir, { recursive: true, force: true });
}

const BUILD_TAG = 'bench-build:latest';

/** A 3-step build context FROM the tool's busybox image, owned by the test user. */
function buildContext(tool: Tool, env: BenchEnv, state: State): void {
  const dir = path.join(env.work, `build-${tool.name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'Dockerfile'), `FROM ${tool.image}\nRUN echo hi > /x\nCOPY f /f\n`);
  writeFileSync(path.join(dir, 'f'), 'bench\n');
  if (env.runAs.switchUser) for (const f of [dir, path.join(dir, 'Dockerfile'), path.join(dir, 'f')]) chownSync(f, env.runAs.uid, env.runAs.gid);
  state.context = dir;
}

const buildArgs = (tool: Tool, state: State) => ['build', ...tool.buildFlags, '-t', BUILD_TAG, state.context as string];

/** Image ids in the tool's storage, intermediate ones included. */
async function imageIds(tool: Tool): Promise<string[]> {
  const r = await tool$(tool, ['images', '-a', '-q', '--no-trunc']);
  return [...new Set(r.stdout.split('\n').map((l) => l.trim()).filter(Boolean))];
}

/** Removes the built image and every intermediate one the build left (its cache). */
async function dropBuild(tool: Tool, _env: BenchEnv, state: State): Promise<void> {
  await toolTry(tool, ['rmi', '-f', BUILD_TAG]);
  const keep = state.keep as string[] | undefined;
  if (!keep) return;
  const extra = (await imageIds(tool)).filter((id) => !keep.includes(id));
  if (extra.length) await tool$(tool, ['rmi', '-f', ...extra]);
}

/**
 * The 3-step build case. Cold and cached share the context and the command;
 * they differ only in what the cache holds when a timed run starts.
 */
function buildCase(cache: 'cold' | 'cached'): TimedCase {
  return {
    kind: 'time',
    id: `build-${cache}`,
    label: `build 3-step Dockerfile (${cache})`,
    target: 0.5,
    setup: async (tool, env, state) => {
      buildContext(tool, env, state);
      state.keep = await imageIds(tool);
      // Cached: one untimed build, so every timed run finds each step in the cache.
      if (cache === 'cached') await tool$(tool, buildArgs(tool, state));
    },
    args: (tool, _p, state) => buildArgs(tool, state),
    // Cold: no cache for the next run; the image and its intermediate images go.
    ...(cache === 'cold' && { after: (tool: Tool, env: BenchEnv, state: State) => dropBuild(tool, env, state) }),
    teardown: dropBuild,
  };
}

export const CASES: Case[] = [
  {
    kind: 'time',
    id: 'run-rm',
    label: 'run --rm IMG true (loopback-only)',
    target: 0.5,
    args: (tool) => ['run', '--rm', ...tool.runFlags, tool.image, 'true'],
  },
  {
    kind: 'time',
    id: 'run-d',
    label: 'run -d IMG sleep 1000',
    target: 0.5,
    args: (tool) => ['run', '-d', ...tool.runFlags, tool.image, 'sleep', '1000'],
    after: async (tool, _env, _state, _p, stdout) => {
      const id = stdout.trim().split('\n').pop();
      if (id) await removeContainers(tool, [id]);
    },
  },
  {
    kind: 'time',
    id: 'exec',
    label: 'exec CTR true',
    target: 0.5,
    setup: async (tool, _env, state) => {
      ids(state).push(await startSleeper(tool));
    },
    args: (_tool, _p, state) => ['exec', ids(state)[0], 'true'],
    teardown: removeAll,
  },
  {
    kind: 'time',
    id: 'ps-0',
    label: 'ps (0 running)',
    target: 0.6,
    args: () => ['ps'],
  },
  {
    kind: 'time',
    id: 'ps-20',
    label: 'ps (20 running)',
    target: 0.6,
    setup: async (tool, _env, state) => {
      for (let i = 0; i < 20; i++) ids(state).push(await startSleeper(tool));
    },
    args: () => ['ps'],
    teardown: removeAll,
  },
  {
    kind: 'time',
    id: 'images',
    label: 'images',
    target: 0.6,
    args: () => ['images'],
  },
  {
    kind: 'time',
    id: 'inspect',
    label: 'inspect IMG',
    target: 0.6,
    args: (tool) => ['inspect', tool.image],
  },
  {
    kind: 'time',
    id: 'stop',
    label: 'stop -t 0 (running)',
    target: 0.5,
    prepare: (tool) => startSleeper(tool),
    args: (_tool, id) => ['stop', '-t', '0', id as string],
    after: (tool, _env, _state, id) => removeContainers(tool, [id as string]),
  },
  {
    kind: 'time',
    id: 'rm',
    label: 'rm -f (running)',
    target: 0.5,
    prepare: (tool) => startSleeper(tool),
    args: (tool, id) => [...tool.forceRm, id as string],
    after: (tool, _env, _state, id) => removeContainers(tool, [id as string]),
  },
  {
    kind: 'time',
    id: 'import',
    label: 'import 2 MB rootfs tar',
    target: 0.5,
    prepare: async (tool, env, _state, run) => {
      // A layer never seen before on every run: the busybox tar plus a stamp file.
      const tar = path.join(env.work, `import-${tool.name}-${run}.tar`);
      stampedCopy(env.busyboxTar, tar, `${tool.name} ${run} ${Date.now()}`);
      if (env.runAs.switchUser) chownSync(tar, env.runAs.uid, env.runAs.gid);
      return tar;
    },
    args: (_tool, tar) => ['import', tar as string, 'bench-import:latest'],
    after: async (tool, _env, _state, tar) => {
      await toolTry(tool, ['rmi', 'bench-import:latest']);
      rmSync(tar as string, { force: true });
    },
  },
  {
    kind: 'memory',
    id: 'memory',
    label: 'memory per detached container',
    containers: 5,
    target: 1,
  },
  {
    kind: 'time',
    id: 'run-rm-net',
    label: 'run --rm IMG true (default network)',
    target: 0.5,
    // Each tool's default rootless network: pasta, else slirp4netns.
    args: (tool) => ['run', '--rm', tool.image, 'true'],
  },
  {
    kind: 'time',
    id: 'run-rm-publish',
    label: 'run --rm -p 80 IMG true (publish setup)',
    target: 0.5,
    args: (tool) => ['run', '--rm', '-p', '80', tool.image, 'true'],
  },
  {
    kind: 'time',
    id: 'pull',
    label: `pull ${PULL_LAYERS * PULL_MIB_PER_LAYER} MiB ${PULL_LAYERS}-layer image, cold`,
    target: 2,
    warmups: 1,
    runs: 3,
    // The local registry (plain HTTP) and its image are made once, for both tools.
    setup: async (_tool, env, state) => {
      const img = await ensureRandomImage(env.work, 'bench/big:latest', PULL_LAYERS, PULL_MIB_PER_LAYER);
      state.ref = img.ref;
      state.bytes = img.layerBytes;
    },
    bytes: (state) => state.bytes as number,
    // Cold: fresh storage on every run, so no layer is there yet.
    prepare: (tool, env, _state, run) => freshStorage(tool, env, run),
    base: (_tool, base) => base as string[],
    args: (_tool, _p, state) => ['pull', '--tls-verify=false', state.ref as string],
    after: (tool, _env, _state, base) => dropStorage(tool, base as string[]),
  },
  buildCase('cold'),
  buildCase('cached'),
];

/** Imports the busybox rootfs as the tool's image (untimed, once). */
export async function importImage(tool: Tool, tar: string): Promise<void> {
  await tool$(tool, ['import', tar, 'busybox']);
}
