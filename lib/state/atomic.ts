/**
 * Crash-safe file writes: temp file + fsync + rename, so a reader sees the
 * old content or the new one, never half of either.
 *
 * Written here rather than with write-file-atomic: that package (and its
 * signal-exit dependency) cost ~25 ms of module loading on every command,
 * for the dozen lines below.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { errnoCode } from '../errors/index.js';

export async function writeFileAtomicText(file: string, data: string | Buffer, mode = 0o644): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await fs.open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  try {
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

export async function writeJsonAtomic(file: string, value: unknown, mode = 0o644): Promise<void> {
  await writeFileAtomicText(file, JSON.stringify(value, null, 2) + '\n', mode);
}

/** Reads JSON, or returns `fallback` when the file does not exist. */
export async function readJson<T>(file: string, fallback: T): Promise<T> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return fallback;
    throw e;
  }
  return JSON.parse(text) as T;
}
