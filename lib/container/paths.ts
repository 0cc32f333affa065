/** Per-container paths shared by the bundle, status and removal code. */
import path from 'node:path';
import type { ToteConfig } from '../config/index.js';

/**
 * Volatile per-container files (sockets, pid file). Unix socket paths are
 * limited to 108 bytes, so they use the short id under the run dir.
 */
export function volatilePaths(config: ToteConfig, id: string): { dir: string; attach: string; console: string; pid: string } {
  const dir = path.join(config.runDir, 'c', id.slice(0, 12));
  return { dir, attach: path.join(dir, 'attach'), console: path.join(dir, 'console'), pid: path.join(dir, 'pid') };
}
