import { promises as fs, type Stats } from 'node:fs';
import { errnoCode } from '../../errors/index.js';

/** lstat, or undefined when the path (or a parent) does not exist. */
export async function lstatOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(p);
  } catch (e) {
    const c = errnoCode(e);
    if (c === 'ENOENT' || c === 'ENOTDIR') return undefined;
    throw e;
  }
}
