/**
 * Layer extraction for the store. The tar is applied in tote's own process
 * (no second Node process, no pipe to copy every byte through): as root
 * directly; rootless as the user, who is container root, with what needs
 * namespace root (other owners, whiteout devices, security xattrs) recorded
 * and done afterwards by one short process inside the user namespace, only
 * when the layer has any. The tar-split is recorded on the way, so the tar
 * can be rebuilt later (assembleLayerTar) without keeping a copy of it.
 *
 * Callers should extract into a temporary directory and rename it into place
 * on success, so a half-applied layer is never visible.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import type { ToteConfig } from '../../config/index.js';
import { errnoCode, SystemError, ToteError } from '../../errors/index.js';
import { silentReporter, type Reporter } from '../../errors/report.js';
import { spawnInUserns, waitExit, type UsernsPlan } from '../../userns/index.js';
import { applyLayer, type ApplyStats } from './apply.js';
import { emptyFixups, hasFixups } from './fixups.js';
import { applyOwnerFixups } from './owner-fixups.js';
import { TarSplitRecorder } from './tarsplit.js';

export function applyLayerScript(config: ToteConfig): string {
  return path.join(config.distDir, 'cli', 'internal', 'apply-layer.js');
}

interface ChildResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Parses the last JSON line the entry script printed. */
function parseResult<T>(what: string, r: ChildResult): T {
  const lines = r.stdout.split('\n').filter((l) => l.trim().startsWith('{'));
  const last = lines[lines.length - 1];
  let parsed: unknown;
  if (last !== undefined) {
    try {
      parsed = JSON.parse(last);
    } catch {
      parsed = undefined;
    }
  }
  if (parsed && typeof parsed === 'object' && 'error' in parsed) {
    const err = (parsed as { error: { code?: string; message?: string; hint?: string } }).error;
    throw new ToteError(err.code || 'E_LAYER_APPLY', err.message || `${what} failed`, { hint: err.hint });
  }
  if (r.code !== 0 || parsed === undefined) {
    throw new SystemError('E_LAYER_APPLY', `${what} failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim() || 'no output'}`);
  }
  return parsed as T;
}

export interface ExtractedLayer extends ApplyStats {
  /** The stored tar-split (see tarsplit.ts): written beside the layer when it is committed. */
  tarSplit: Buffer;
}

export async function extractLayer(
  config: ToteConfig,
  plan: UsernsPlan,
  input: NodeJS.ReadableStream,
  targetDir: string,
  reporter: Reporter = silentReporter,
  release?: (chunk: Buffer) => void,
): Promise<ExtractedLayer> {
  const target = path.resolve(targetDir);
  const split = new TarSplitRecorder(target);
  const fixups = plan.rootful ? undefined : emptyFixups();
  // An error of the input itself (network, decompression) is reported as
  // that, not as the corrupt tar the applier then sees.
  let inputError: unknown;
  const onInputError = (e: unknown) => (inputError ??= e);
  input.once('error', onInputError);
  let stats: ApplyStats;
  try {
    stats = await applyLayer(input, target, { onDebug: (m) => reporter.debug(m), split, fixups, release });
  } catch (e) {
    if (inputError === undefined) throw e;
    if (inputError instanceof ToteError) throw inputError;
    throw new SystemError('E_LAYER_READ', `reading layer: ${inputError instanceof Error ? inputError.message : String(inputError)}`, { cause: inputError });
  } finally {
    input.removeListener('error', onInputError);
  }
  if (fixups && hasFixups(fixups) && fixups.xattrs.length === 0 && fixups.whiteouts.length === 0) {
    await applyOwnerFixups(config, plan, target, fixups.owners, (argv, stdin) => runInUserns(config, plan, argv, stdin));
    reporter.debug(`layer owners set in the user namespace: ${fixups.owners.length}`);
  } else if (fixups && hasFixups(fixups)) {
    const r = await runInUserns(config, plan, [config.nodePath, applyLayerScript(config), '--fixups', target], JSON.stringify(fixups));
    for (const line of r.stderr.split('\n')) if (line.trim()) reporter.debug(line);
    const done = parseResult<{ owners: number; xattrs: number; whiteouts: number }>('applying layer ownership', r);
    reporter.debug(`layer fixups in the user namespace: ${JSON.stringify(done)}`);
  }
  reporter.debug(`layer applied to ${targetDir}: ${JSON.stringify(stats)}`);
  return { ...stats, tarSplit: split.serialize() };
}

/**
 * The exact layer tar, rebuilt from the extracted layer and its tar-split
 * inside the user namespace (the files may belong to subordinate ids). The
 * caller checks the result against the diff id.
 */
export function assembleLayerTar(config: ToteConfig, plan: UsernsPlan, layerPath: string, tarSplitPath: string): Readable {
  const child = spawnInUserns(config, plan, [config.nodePath, applyLayerScript(config), '--assemble', path.resolve(layerPath), path.resolve(tarSplitPath)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 65536) stderr += d;
  });
  child.stdout!.pipe(out, { end: false });
  // The stream ends only after the process exited 0, so a failure is never a silently short tar.
  waitExit(child).then(
    (code) => {
      if (code === 0) return out.end();
      try {
        parseResult('rebuilding the layer tar', { code, stdout: stderr, stderr });
        out.destroy(new SystemError('E_LAYER_ASSEMBLE', `rebuilding the layer tar failed (exit ${code})`));
      } catch (e) {
        out.destroy(e as Error);
      }
    },
    (e: unknown) => out.destroy(e as Error),
  );
  out.once('close', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return out;
}

/** Runs a command inside the namespace and collects its output (`stdin`: text for its standard input). */
export async function runInUserns(config: ToteConfig, plan: UsernsPlan, argv: string[], stdin?: string): Promise<ChildResult> {
  const child = spawnInUserns(config, plan, argv, { stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (stdin !== undefined) {
    child.stdin!.on('error', () => {});
    child.stdin!.end(stdin);
  }
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code = await waitExit(child);
  return { code, stdout, stderr };
}

/**
 * Removes a tree whose files belong to subordinate ids (which the user cannot
 * delete from outside the namespace). No-op when `dir` does not exist.
 */
export async function removeTree(config: ToteConfig, plan: UsernsPlan, dir: string): Promise<void> {
  const abs = path.resolve(dir);
  if (abs === '/') throw new SystemError('E_REMOVE_TREE', 'refusing to remove /');
  try {
    await fs.lstat(abs);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return;
    throw e;
  }
  if (plan.rootful) {
    await fs.rm(abs, { recursive: true, force: true });
    return;
  }
  const r = await runInUserns(config, plan, ['rm', '-rf', '--', abs]);
  if (r.code !== 0) throw new SystemError('E_REMOVE_TREE', `removing ${abs} failed (exit ${r.code}): ${r.stderr.trim()}`);
}

export { parseResult as parseEntryResult };
