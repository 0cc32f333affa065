/**
 * The two tools under comparison. Each gets its own isolated storage under
 * the benchmark's work directory, the same busybox rootfs, and the same user.
 */
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { mustRun, runCommand, type Outcome, type RunAs } from './proc.js';

export type ToolName = 'tote' | 'podman';

export interface Tool {
  name: ToolName;
  /** argv prefix: the program and its global flags. */
  base: string[];
  /** The image reference for the busybox image in this tool's storage. */
  image: string;
  /**
   * Flags every `run` gets: `--network none` for both tools, so that the
   * rows other than the network ones time the container, not the network
   * helper (the network rows leave the flag out).
   */
  runFlags: string[];
  /**
   * `rm -f` of a running container. podman's `rm -f` first stops with the
   * stop timeout (10 s for a `sleep` that ignores SIGTERM as PID 1); `-t 0`
   * makes it kill at once, which is what tote's (and docker's) `rm -f` does.
   */
  forceRm: string[];
  /**
   * Flags every `build` gets: no network for RUN steps on both tools (as for
   * `run`); podman's build (buildah) is told the runtime again, as its own
   * flag.
   */
  buildFlags: string[];
  /** Per-container processes whose RSS is the tool's memory cost. */
  residentNames: string[];
  /** Dirs whose presence in a process's command line marks it as ours. */
  ownDirs: string[];
  /** For files the tool writes (captured output). */
  scratch: string;
  runAs: RunAs;
  /** What the OCI runtime is, for the report. */
  runtimeNote: string;
}

export interface ToolPaths {
  work: string;
  toteMain: string;
  podman?: string;
  runAs: RunAs;
}

export function makeTools(p: ToolPaths): Tool[] {
  const tools: Tool[] = [];
  const toteRoot = path.join(p.work, 'tote-root');
  const toteRun = path.join(p.work, 'tote-run');
  tools.push({
    name: 'tote',
    base: [process.execPath, p.toteMain, '--root', toteRoot, '--runroot', toteRun],
    image: 'busybox',
    runFlags: ['--network', 'none'],
    forceRm: ['rm', '-f'],
    buildFlags: ['--network', 'none'],
    residentNames: ['tote-monitor'],
    ownDirs: [toteRoot, toteRun],
    scratch: scratchDir(p.work, 'tote'),
    runAs: p.runAs,
    runtimeNote: 'its default (crun, else runc)',
  });
  if (p.podman) {
    const podRoot = path.join(p.work, 'podman-root');
    const podRun = path.join(p.work, 'podman-run');
    tools.push({
      name: 'podman',
      base: [
        p.podman,
        '--runtime', 'runc',
        '--root', podRoot,
        '--runroot', podRun,
        '--storage-driver', 'overlay',
        '--cgroup-manager', 'cgroupfs',
        '--events-backend', 'file',
      ],
      image: 'localhost/busybox',
      runFlags: ['--network', 'none'],
      forceRm: ['rm', '-f', '-t', '0'],
      buildFlags: ['--runtime', 'runc', '--network', 'none'],
      residentNames: ['conmon', 'slirp4netns', 'pasta', 'pasta.avx2'],
      ownDirs: [podRoot, podRun],
      scratch: scratchDir(p.work, 'podman'),
      runAs: p.runAs,
      runtimeNote: 'runc (crun refuses hybrid cgroups here)',
    });
  }
  return tools;
}

function scratchDir(work: string, name: string): string {
  const dir = path.join(work, 'out', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Runs `tool ARGS` (untimed), failing loudly. */
export function tool$(tool: Tool, args: string[]): Promise<Outcome> {
  return mustRun([...tool.base, ...args], tool.runAs, tool.scratch);
}

/** Runs `tool ARGS` and returns the outcome whatever the exit status. */
export function toolTry(tool: Tool, args: string[]): Promise<Outcome> {
  return runCommand([...tool.base, ...args], tool.runAs, tool.scratch);
}

/** Starts a detached `sleep 1000` container and returns its id. */
export async function startSleeper(tool: Tool): Promise<string> {
  const r = await tool$(tool, ['run', '-d', ...tool.runFlags, tool.image, 'sleep', '1000']);
  const id = r.stdout.trim().split('\n').pop() ?? '';
  if (!/^[0-9a-f]{12,64}$/.test(id)) throw new Error(`${tool.name} run -d printed no container id: ${JSON.stringify(r.stdout)}`);
  return id;
}

/** Force-removes containers (untimed), ignoring ones already gone. */
export async function removeContainers(tool: Tool, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await toolTry(tool, [...tool.forceRm, ...ids]);
}

/**
 * The tool's argv prefix with other storage (--root/--runroot) in place of
 * its own: for cases that need fresh storage on every run (cold pull).
 */
export function baseWithStorage(tool: Tool, root: string, runroot: string): string[] {
  const base = [...tool.base];
  const set = (flag: string, value: string) => {
    const i = base.indexOf(flag);
    if (i < 0 || i + 1 >= base.length) throw new Error(`${tool.name}: no ${flag} in its argv prefix`);
    base[i + 1] = value;
  };
  set('--root', root);
  set('--runroot', runroot);
  return base;
}
