/**
 * The part of applying a layer that needs namespace root. Rootless tote
 * extracts layers in its own process, as the user, who is container root:
 * files owned by container root need nothing more. What is left — other
 * owners, attributes outside `user.`, whiteout devices — is recorded while
 * extracting and done here, by a short process inside the user namespace
 * (cli/internal/apply-layer.js --fixups), usually on a handful of paths.
 */
import { promises as fs } from 'node:fs';
import { errnoCode, ToteError } from '../../errors/index.js';
import { ID_HINT, mknodWhiteouts, xattrErrno, xattrLib } from './apply.js';

export interface Fixups {
  /** [path, uid, gid, mode to set again after chown (null: a symlink)] */
  owners: Array<[string, number, number, number | null]>;
  /** [path, xattr name, base64 value] */
  xattrs: Array<[string, string, string]>;
  /** Whiteout devices (0/0 character devices) to create. */
  whiteouts: string[];
  /** [directory, atime, mtime] (seconds): set again after whiteouts were created in it. */
  times: Array<[string, number, number]>;
}

export function emptyFixups(): Fixups {
  return { owners: [], xattrs: [], whiteouts: [], times: [] };
}

export function hasFixups(f: Fixups): boolean {
  return f.owners.length > 0 || f.xattrs.length > 0 || f.whiteouts.length > 0;
}

/** The same xattr errnos applyLayer ignores: "not permitted here". */
const IGNORABLE = new Set([1, 13, 7, 22, 28, 34, 61, 95]);

/** Paths are layer-relative, as the applier recorded them (cleaned, no ".."). */
function under(root: string, rel: string): string {
  if (rel.split('/').some((p) => p === '..')) throw new ToteError('E_LAYER_FIXUPS', `bad path in layer fixups: ${rel}`);
  return rel === '' ? root : `${root}/${rel}`;
}

/**
 * Order matters: whiteouts first (they change their directory's mtime),
 * then owners (chown clears setuid/setgid and security.capability, so the
 * mode and the attributes come after it), then directory times.
 */
export async function applyFixups(root: string, f: Fixups): Promise<{ owners: number; xattrs: number; whiteouts: number }> {
  if (f.whiteouts.length) {
    const paths = f.whiteouts.map((w) => under(root, w));
    await mknodWhiteouts(paths);
    for (const p of paths) await fs.lchown(p, 0, 0);
  }
  for (const [rel, uid, gid, mode] of f.owners) {
    const p = under(root, rel);
    try {
      await fs.lchown(p, uid, gid);
    } catch (e) {
      if (errnoCode(e) === 'EINVAL') {
        throw new ToteError('E_ID_NOT_MAPPED', `layer entry "${rel}" is owned by uid ${uid} / gid ${gid}, which is not mapped in the user namespace`, { hint: ID_HINT, cause: e });
      }
      throw e;
    }
    if (mode !== null) await fs.chmod(p, mode);
  }
  let xattrs = 0;
  for (const [rel, key, value] of f.xattrs) {
    try {
      await xattrLib().setAttribute(under(root, rel), key, Buffer.from(value, 'base64'));
      xattrs++;
    } catch (e) {
      const errno = xattrErrno(e);
      if (errno === undefined || !IGNORABLE.has(errno)) throw e;
    }
  }
  for (const [rel, atime, mtime] of f.times) await fs.utimes(under(root, rel), atime, mtime);
  return { owners: f.owners.length, xattrs, whiteouts: f.whiteouts.length };
}
