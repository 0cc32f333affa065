/**
 * The tote-process side of layer extraction: runs cli/internal/apply-layer.js
 * inside the user namespace (so ownership lands in the subuid range) and
 * streams the uncompressed tar into it.
 *
 * Callers should extract into a temporary directory and rename it into place
 * on success, so a half-applied layer is never visible.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ToteConfig } from '../../config/index.js';
import { errnoCode, SystemError, ToteError } from '../../errors/index.js';
import { silentReporter, type Reporter } from '../../errors/report.js';
import { spawnInUserns, waitExit, type UsernsPlan } from '../../userns/index.js';
import type { ApplyStats } from './apply.js';

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

export async function extractLayer(
  config: ToteConfig,
  plan: UsernsPlan,
  input: NodeJS.ReadableStream,
  targetDir: string,
  reporter: Reporter = silentReporter,
): Promise<ApplyStats> {
  const child = spawnInUserns(config, plan, [config.nodePath, applyLayerScript(config), path.resolve(targetDir)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  // The child may stop reading early (it failed): EPIPE here is not the error to report.
  child.stdin!.on('error', () => {});
  let inputError: unknown;
  const onInputError = (e: unknown) => {
    inputError = e;
    child.kill('SIGKILL');
  };
  input.once('error', onInputError);
  input.pipe(child.stdin!);
  let code: number;
  try {
    code = await waitExit(child);
  } finally {
    input.removeListener('error', onInputError);
    input.unpipe(child.stdin!);
  }
  if (inputError !== undefined) {
    if (inputError instanceof ToteError) throw inputError;
    throw new SystemError('E_LAYER_READ', `reading layer: ${inputError instanceof Error ? inputError.message : String(inputError)}`, {
      cause: inputError,
    });
  }
  for (const line of stderr.split('\n')) if (line.trim()) reporter.debug(line);
  const stats = parseResult<ApplyStats>('applying layer', { code, stdout, stderr });
  reporter.debug(`layer applied to ${targetDir}: ${JSON.stringify(stats)}`);
  return stats;
}

/** Runs a command inside the namespace and collects its output. */
export async function runInUserns(config: ToteConfig, plan: UsernsPlan, argv: string[]): Promise<ChildResult> {
  const child = spawnInUserns(config, plan, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
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
