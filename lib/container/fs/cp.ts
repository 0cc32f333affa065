/**
 * `tote cp`: copies between a container and the host, both directions, with
 * `-` for a tar stream. The container side always runs inside the namespace
 * and resolves container paths inside the container root (ops.ts); the host
 * side is ours: a copy out is extracted with no symlink followed below the
 * destination directory, so a container's link (to `/`, to a host path)
 * stays a link and can never redirect a write onto the host.
 */
import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import type { ToteConfig } from '../../config/index.js';
import { errnoCode, ToteError } from '../../errors/index.js';
import type { Reporter } from '../../errors/report.js';
import { silentReporter } from '../../errors/report.js';
import type { ContainerRecord } from '../../storage/index.js';
import { waitExit, type UsernsPlan } from '../../userns/index.js';
import { findContainer } from '../query.js';
import { errorFromLines, opFailed, spawnFsOp } from './access.js';
import type { CopyInResult, SourceInfo } from './ops.js';
import { baseName, copyError, parseCpArgs, planCopy } from './plan.js';
import { hasTrailingSeparator, isContentsOnly } from './resolve.js';
import { packTree, unpackTar, type UnpackStats } from './tar.js';

export interface CopyOptions {
  /** As typed: `CTR:PATH`, a host path, or `-`. */
  src: string;
  dest: string;
  /** -a: keep uid/gid from the source. */
  archive?: boolean;
  /** -L: follow a symlink given as SRC. */
  followLink?: boolean;
  /** Host paths are relative to this (default: the process's cwd). */
  cwd?: string;
  stdin?: Readable;
  stdout?: Writable;
  reporter?: Reporter;
}

export interface CopyResult {
  direction: 'in' | 'out';
  container: string;
  entries: number;
  bytes: number;
}

export async function copyFiles(config: ToteConfig, plan: UsernsPlan, options: CopyOptions): Promise<CopyResult> {
  const { src, dest } = parseCpArgs(options.src, options.dest);
  if (src.container !== undefined) {
    const record = await findContainer(config, src.container);
    const stats = await copyOut(config, plan, record, src.path, dest.path, options);
    return { direction: 'out', container: record.name, ...stats };
  }
  const record = await findContainer(config, dest.container!);
  const stats = await copyIn(config, plan, record, src.path, dest.path, options);
  return { direction: 'in', container: record.name, entries: stats.entries, bytes: stats.bytes };
}

/** Splits "JSON line\n<stream>" into the parsed line and the rest. */
function readHeaderLine(input: Readable): Promise<{ header: unknown; body: Readable }> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const cleanup = () => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const nl = buf.indexOf(10);
      if (nl < 0) {
        if (buf.length > 1 << 20) {
          cleanup();
          reject(new ToteError('E_FS_OP', 'no header from the copy helper'));
        }
        return;
      }
      cleanup();
      input.pause();
      let header: unknown;
      try {
        header = JSON.parse(buf.subarray(0, nl).toString('utf8'));
      } catch {
        reject(new ToteError('E_FS_OP', `unexpected output from the copy helper: ${buf.subarray(0, Math.min(nl, 200)).toString('utf8')}`));
        return;
      }
      const body = new PassThrough({ highWaterMark: 1 << 20 });
      body.write(buf.subarray(nl + 1));
      input.pipe(body);
      resolve({ header, body });
    };
    const onEnd = () => {
      cleanup();
      resolve({ header: undefined, body: new PassThrough().end() as PassThrough });
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    input.on('data', onData);
    input.once('end', onEnd);
    input.once('error', onError);
  });
}

async function statOrUndefined(p: string, follow: boolean): Promise<Stats | undefined> {
  try {
    return follow ? await fs.stat(p) : await fs.lstat(p);
  } catch (e) {
    const c = errnoCode(e);
    if (c === 'ENOENT' || c === 'ENOTDIR') return undefined;
    throw e;
  }
}

/** Container → host path or stdout. */
export async function copyOut(
  config: ToteConfig,
  plan: UsernsPlan,
  record: ContainerRecord,
  srcPath: string,
  destPath: string,
  options: CopyOptions,
): Promise<{ entries: number; bytes: number }> {
  const reporter = options.reporter ?? silentReporter;
  const cwd = options.cwd ?? process.cwd();
  // Check the host side first: nothing is started for a destination that cannot work.
  let destAbs: string | undefined;
  let destSt: Stats | undefined;
  if (destPath !== '-') {
    destAbs = path.resolve(cwd, destPath);
    destSt = await statOrUndefined(destAbs, true);
    if (!destSt) {
      const parent = await statOrUndefined(path.dirname(destAbs), true);
      if (!parent?.isDirectory()) throw copyError(`${path.dirname(destAbs)}: no such directory`);
    }
  }
  const { child } = await spawnFsOp(
    config,
    plan,
    record,
    (root) => ({ op: 'cp-out', root, path: srcPath, follow: Boolean(options.followLink), container: options.src.split(':', 1)[0]! }),
    ['ignore', 'pipe', 'pipe'],
  );
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = waitExit(child);
  const { header, body } = await readHeaderLine(child.stdout!);
  if (header === undefined || (typeof header === 'object' && header !== null && 'error' in header)) {
    const code = await exited;
    throw errorFromLines(JSON.stringify(header ?? {})) ?? opFailed('copying from the container', code, stderr);
  }
  const info = header as SourceInfo;
  let result: UnpackStats | { entries: number; bytes: number };
  try {
    if (destPath === '-') {
      const out = options.stdout ?? process.stdout;
      let bytes = 0;
      body.on('data', (c: Buffer) => (bytes += c.length));
      await new Promise<void>((resolve, reject) => {
        body.once('end', resolve);
        body.once('error', reject);
        out.once('error', reject);
        body.pipe(out, { end: false });
      });
      result = { entries: 0, bytes };
    } else {
      const copyPlan = planCopy(info, { path: destPath, exists: Boolean(destSt), isDir: Boolean(destSt?.isDirectory()) });
      const dir = await fs.realpath(path.resolve(cwd, copyPlan.dir)).catch(() => undefined);
      const dirSt = dir ? await statOrUndefined(dir, false) : undefined;
      if (!dir || !dirSt?.isDirectory()) throw copyError(`${copyPlan.dir}: no such directory`);
      result = await unpackTar(body, {
        dest: dir,
        mode: 'strict',
        rename: copyPlan.rename,
        owner: options.archive && process.getuid?.() === 0 ? 'tar' : 'none',
        onDebug: (m) => reporter.debug(m),
      });
    }
  } catch (e) {
    child.kill('SIGKILL');
    await exited.catch(() => undefined);
    throw e;
  }
  const code = await exited;
  if (code !== 0) throw opFailed('copying from the container', code, stderr);
  return { entries: result.entries, bytes: result.bytes };
}

/** Host path or stdin (`-`) → container. */
export async function copyIn(
  config: ToteConfig,
  plan: UsernsPlan,
  record: ContainerRecord,
  srcPath: string,
  destPath: string,
  options: CopyOptions,
): Promise<CopyInResult> {
  const cwd = options.cwd ?? process.cwd();
  let source: SourceInfo | undefined;
  let srcAbs: string | undefined;
  if (srcPath !== '-') {
    const abs = path.resolve(cwd, srcPath);
    const follow = Boolean(options.followLink) || hasTrailingSeparator(srcPath);
    const st = await statOrUndefined(abs, follow);
    if (!st) throw copyError(`lstat ${abs}: no such file or directory`);
    if (hasTrailingSeparator(srcPath) && !st.isDirectory()) throw copyError(`${srcPath}: not a directory`);
    srcAbs = follow ? await fs.realpath(abs) : abs;
    let b = baseName(srcPath);
    if (b === '..') b = path.basename(abs);
    source = { isDir: st.isDirectory(), base: b === '/' || b === '.' ? '' : b, contentsOnly: isContentsOnly(srcPath) && st.isDirectory() };
  } else if (!options.stdin) {
    throw copyError('copying from "-" needs a tar archive on standard input');
  }
  const { child } = await spawnFsOp(
    config,
    plan,
    record,
    (root) => ({ op: 'cp-in', root, path: destPath, container: options.dest.split(':', 1)[0]!, source, keepOwner: Boolean(options.archive) }),
    ['pipe', 'pipe', 'pipe'],
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin!.on('error', () => {}); // the helper may stop reading early (it failed): its error is the one to report
  const exited = waitExit(child);
  let feedError: unknown;
  const feeding = (async () => {
    try {
      if (srcAbs !== undefined) {
        await packTree({ source: srcAbs, name: source!.base }, child.stdin!);
      } else {
        const input = options.stdin!;
        await new Promise<void>((resolve, reject) => {
          input.once('end', resolve);
          input.once('error', reject);
          child.stdin!.once('close', resolve);
          input.pipe(child.stdin!);
        });
        child.stdin!.end();
      }
    } catch (e) {
      feedError = e;
      child.stdin!.destroy();
    }
  })();
  const code = await exited;
  await feeding;
  const failure = errorFromLines(stdout);
  if (failure) throw failure;
  if (code !== 0) throw opFailed('copying into the container', code, stderr);
  if (feedError !== undefined && errnoCode(feedError) !== 'EPIPE') throw feedError;
  const last = stdout.trim().split('\n').pop() ?? '{}';
  return JSON.parse(last) as CopyInResult;
}
