/**
 * The namespace side of cp/diff/export/commit: run by cli/internal/fs-op.js
 * inside the user namespace (the rootfs mounted, or the running container's
 * namespace joined), where every file of the container is readable and
 * writable. One JSON request in argv; streams on stdin/stdout:
 *
 *  cp-out     stdout: one JSON line (the source's stat, or {"error":…}), then the tar
 *  cp-in      stdin: the tar; stdout: one JSON line (stats or {"error":…})
 *  export     stdout: the tar of the whole rootfs
 *  layer-tar  stdout: the upper dir as an OCI layer tar (commit)
 *  diff       stdout: one JSON line {"changes":[…]}
 *
 * Errors after a stream started are one JSON line on stderr, with exit 1.
 */
import { promises as fs } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { ToteError } from '../../errors/index.js';
import { computeChanges, type Change } from './changes.js';
import { baseName, copyError, planCopy, type CopySource } from './plan.js';
import { cleanContainerPath, hasTrailingSeparator, isContentsOnly, joinRoot, resolveInRoot } from './resolve.js';
import { packTree, unpackTar, type UnpackStats } from './tar.js';
import { lstatOrUndefined } from './lstat.js';

export type FsRequest =
  | { op: 'cp-out'; root: string; path: string; follow: boolean; container: string }
  | { op: 'cp-in'; root: string; path: string; container: string; source?: CopySource; keepOwner: boolean }
  | { op: 'export'; root: string }
  | { op: 'layer-tar'; upper: string }
  | { op: 'diff'; upper: string; lowers: string[] };

/** What cp-out says about its source before the tar. */
export interface SourceInfo {
  isDir: boolean;
  base: string;
  contentsOnly: boolean;
}

/**
 * Files the runtime bind-mounts over (docker keeps them in its hidden init
 * layer): the upper dir only holds their empty mount points, which are no
 * change of the container's, so diff and commit leave them out when empty.
 */
export const RUNTIME_FILES: ReadonlySet<string> = new Set(['etc/hosts', 'etc/hostname', 'etc/resolv.conf']);

export function notFound(p: string, container: string): ToteError {
  return new ToteError('E_CP_NOT_FOUND', `Could not find the file ${p} in container ${container}`, { exitCode: 1 });
}


/** A container path as docker cleans it, keeping a trailing `/` or `/.`. */
function containerPath(given: string): string {
  const clean = cleanContainerPath(given);
  if (isContentsOnly(given)) return clean === '/' ? '/.' : `${clean}/.`;
  if (given.endsWith('/') && clean !== '/') return `${clean}/`;
  return clean;
}

/** Devices of the pseudo filesystems a running container has mounted: never archived. */
async function pseudoDevices(root: string): Promise<Set<number>> {
  const out = new Set<number>();
  const rootSt = await fs.lstat(joinRoot(root, ''));
  for (const d of ['proc', 'sys']) {
    const st = await lstatOrUndefined(joinRoot(root, d));
    if (st?.isDirectory() && st.dev !== rootSt.dev) out.add(st.dev);
  }
  return out;
}

export async function resolveSource(root: string, given: string, follow: boolean, container: string): Promise<{ abs: string; info: SourceInfo }> {
  const p = containerPath(given);
  const rel = await resolveInRoot(root, p, follow || hasTrailingSeparator(p));
  const abs = joinRoot(root, rel);
  const st = await lstatOrUndefined(abs);
  if (!st) throw notFound(given, container);
  if (hasTrailingSeparator(p) && !st.isDirectory()) throw copyError(`${given}: not a directory`);
  const b = baseName(p);
  const base = b === '/' || b === '.' ? '' : b;
  return { abs, info: { isDir: st.isDirectory(), base, contentsOnly: isContentsOnly(p) && st.isDirectory() } };
}

export interface CopyInResult extends UnpackStats {
  dest: string;
}

export async function copyIn(
  req: Extract<FsRequest, { op: 'cp-in' }>,
  input: Readable,
  onDebug?: (m: string) => void,
): Promise<CopyInResult> {
  const p = containerPath(req.path);
  const destRel = await resolveInRoot(req.root, p, true);
  const st = await lstatOrUndefined(joinRoot(req.root, destRel));
  let dirRel: string;
  let rename: { from: string; to: string } | undefined;
  if (!req.source) {
    if (!st) throw notFound(req.path, req.container);
    if (!st.isDirectory()) throw copyError(`destination "${req.container}:${req.path}" must be a directory`);
    dirRel = destRel;
  } else {
    const plan = planCopy(req.source, { path: p, exists: Boolean(st), isDir: Boolean(st?.isDirectory()) });
    dirRel = await resolveInRoot(req.root, plan.dir, true);
    const dst = await lstatOrUndefined(joinRoot(req.root, dirRel));
    if (!dst) throw notFound(plan.dir, req.container);
    if (!dst.isDirectory()) throw copyError(`${plan.dir}: not a directory`);
    rename = plan.rename;
  }
  const dest = joinRoot(req.root, dirRel);
  const stats = await unpackTar(input, {
    dest,
    mode: 'scoped',
    root: req.root,
    rename,
    owner: req.keepOwner ? 'tar' : 'root',
    onDebug,
  });
  return { ...stats, dest: `/${dirRel}` };
}

function writeLine(out: Writable, value: unknown): Promise<void> {
  return new Promise((resolve, reject) => out.write(`${JSON.stringify(value)}\n`, (e) => (e ? reject(e) : resolve())));
}

/** Runs one request; returns the JSON result for ops that end with one (undefined for pure streams). */
export async function runFsOp(
  req: FsRequest,
  io: {
    stdin: Readable;
    stdout: Writable;
    onDebug?: (m: string) => void;
    /** Set once stdout carries stream data: an error must then go to stderr. */
    state?: { streaming: boolean };
  },
): Promise<unknown> {
  const streaming = () => {
    if (io.state) io.state.streaming = true;
  };
  switch (req.op) {
    case 'cp-out': {
      const { abs, info } = await resolveSource(req.root, req.path, req.follow, req.container);
      streaming();
      await writeLine(io.stdout, info);
      await packTree({ source: abs, name: info.base, skipDevices: await pseudoDevices(req.root) }, io.stdout);
      return undefined;
    }
    case 'cp-in':
      return copyIn(req, io.stdin, io.onDebug);
    case 'export':
      streaming();
      await packTree({ source: joinRoot(req.root, ''), name: '', oneFileSystem: true }, io.stdout);
      return undefined;
    case 'layer-tar':
      streaming();
      await packTree({ source: req.upper, name: '', layer: true, exclude: RUNTIME_FILES }, io.stdout);
      return undefined;
    case 'diff': {
      const changes: Change[] = await computeChanges(req.upper, req.lowers, RUNTIME_FILES);
      return { changes };
    }
    default:
      throw new ToteError('E_USAGE', `unknown fs operation ${JSON.stringify((req as { op?: unknown }).op)}`);
  }
}
