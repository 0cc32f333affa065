/** Chooses the OCI runtime: --runtime if given, else crun, else runc. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { findProgram, type ToteConfig } from '../config/index.js';
import { SystemError } from '../errors/index.js';

export interface RuntimeInfo {
  /** `crun`, `runc`, or the basename of a custom path. */
  name: string;
  path: string;
}

export const SUPPORTED_RUNTIMES = ['crun', 'runc'] as const;

export function chooseRuntime(config: ToteConfig): RuntimeInfo {
  if (config.runtime) {
    const found = findProgram(config, config.runtime);
    if (!found) {
      throw new SystemError('E_NO_RUNTIME', `OCI runtime "${config.runtime}" not found`, {
        hint: 'install crun or runc (apt-get install crun), or pass --runtime with a path',
      });
    }
    return { name: path.basename(found), path: found };
  }
  for (const name of SUPPORTED_RUNTIMES) {
    const found = findProgram(config, name);
    if (found) return { name, path: found };
  }
  throw new SystemError('E_NO_RUNTIME', 'no OCI runtime found: tote needs crun or runc', { hint: 'apt-get install crun' });
}

/** First line of `RUNTIME --version`, for `info`. */
export function runtimeVersion(runtime: RuntimeInfo): Promise<string> {
  return new Promise((resolve) => {
    execFile(runtime.path, ['--version'], { timeout: 5000 }, (err, stdout) => {
      resolve(err ? 'unknown' : stdout.split('\n')[0].trim());
    });
  });
}

export function isCrun(runtime: RuntimeInfo): boolean {
  return runtime.name.startsWith('crun');
}
