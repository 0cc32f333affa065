/**
 * Crash-safe file writes: temp file + fsync + rename, so a reader sees the
 * old content or the new one, never half of either.
 */
import { promises as fs } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';
import { errnoCode } from '../errors/index.js';

export async function writeJsonAtomic(file: string, value: unknown, mode = 0o644): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n', { mode, fsync: true });
}

export async function writeFileAtomicText(file: string, text: string | Buffer, mode = 0o644): Promise<void> {
  await writeFileAtomic(file, text, { mode, fsync: true });
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
