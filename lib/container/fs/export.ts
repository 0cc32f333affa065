/**
 * `tote export`: the container's whole root filesystem as a tar (without the
 * contents of other mounts: volumes, /proc, /sys, /dev of a running one).
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { ToteConfig } from '../../config/index.js';
import type { ContainerRecord } from '../../storage/index.js';
import { waitExit, type UsernsPlan } from '../../userns/index.js';
import { opFailed, spawnFsOp } from './access.js';

export interface ExportOptions {
  /** Write to this file (created or truncated); else to `stdout`. */
  output?: string;
  stdout?: Writable;
}

export async function exportContainer(config: ToteConfig, plan: UsernsPlan, record: ContainerRecord, options: ExportOptions = {}): Promise<{ bytes: number }> {
  const out: Writable = options.output ? createWriteStream(options.output, { mode: 0o644 }) : (options.stdout ?? process.stdout);
  const opened = options.output
    ? new Promise<void>((resolve, reject) => {
        out.once('open', () => resolve());
        out.once('error', reject);
      })
    : Promise.resolve();
  await opened;
  const { child } = await spawnFsOp(config, plan, record, (root) => ({ op: 'export', root }), ['ignore', 'pipe', 'pipe']);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let bytes = 0;
  child.stdout!.on('data', (c: Buffer) => (bytes += c.length));
  const streamed = new Promise<void>((resolve, reject) => {
    child.stdout!.once('end', resolve);
    out.once('error', (e) => {
      child.kill('SIGKILL');
      reject(e);
    });
  });
  child.stdout!.pipe(out, { end: false });
  const [code] = await Promise.all([waitExit(child), streamed]);
  if (options.output) {
    await new Promise<void>((resolve, reject) => {
      out.once('error', reject);
      out.end(() => resolve());
    });
  }
  if (code !== 0) throw opFailed('exporting the container', code, stderr);
  return { bytes };
}
