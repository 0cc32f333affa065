/**
 * The benchmark cases. A case is one small object: the argv to time, plus
 * optional setup/teardown around all runs and prepare/after around each run
 * (never timed). Add a case here when its feature lands, and move it out of
 * PENDING.
 */
import path from 'node:path';
import { chownSync, rmSync } from 'node:fs';
import { stampedCopy } from './tarstamp.js';
import { removeContainers, startSleeper, tool$, toolTry, type Tool } from './tools.js';

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
  /** tote median / podman median must be at most this. */
  target: number;
  /** Warm-up runs, not counted (default: the global --warmup). */
  warmups?: number;
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
    kind: 'pending',
    id: 'pull',
    label: 'pull 200 MiB 4-layer image, cold',
    target: 'throughput ≥ 2×',
    note: 'not yet (needs issue 6: registries)',
  },
  {
    kind: 'pending',
    id: 'build',
    label: 'build 3-step Dockerfile, cold and cached',
    target: '≤ 0.5',
    note: 'not yet (needs issue 7: build)',
  },
];

/** Imports the busybox rootfs as the tool's image (untimed, once). */
export async function importImage(tool: Tool, tar: string): Promise<void> {
  await tool$(tool, ['import', tar, 'busybox']);
}
