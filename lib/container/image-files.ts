/**
 * Reads small files (/etc/passwd, /etc/group) from an image's layers without
 * mounting it: the topmost layer that has the path wins, a whiteout hides it.
 * Symlinks are not followed, so a layer cannot point tote at a host file.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

export async function readImageFile(layerDirsTopFirst: string[], file: string): Promise<string | undefined> {
  const rel = path.posix.normalize(file).replace(/^\/+/, '');
  for (const dir of layerDirsTopFirst) {
    const p = path.join(dir, rel);
    let st;
    try {
      st = await fs.lstat(p);
    } catch {
      continue;
    }
    if (st.isCharacterDevice() && st.rdev === 0) return undefined; // overlay whiteout
    if (!st.isFile()) return undefined;
    return fs.readFile(p, 'utf8');
  }
  return undefined;
}
