/**
 * The 'vfs' driver: where neither kernel overlay nor fuse-overlayfs works,
 * a container's rootfs is a full copy of its image's layers.
 *
 * copyLayerInto() runs INSIDE the user namespace (via
 * `cli/internal/apply-layer.js --populate-vfs`), applying one layer directory
 * in overlay form onto the rootfs: 0/0 character devices delete the path,
 * directories marked `user.overlay.opaque=y` replace (not merge with) what the
 * lower layers had, a directory replaces a non-directory and vice versa.
 * Nothing is followed: the layer is walked with lstat, and every rootfs
 * directory we descend into was checked (or created) as a real directory.
 */
import { constants as fsConstants, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import type { ToteConfig } from '../../config/index.js';
import { errnoCode } from '../../errors/index.js';
import { applyLayerScript, parseEntryResult, runInUserns } from '../layer/extract.js';
import { OPAQUE_XATTR, xattrLib } from '../layer/apply.js';
import type { UsernsPlan } from '../../userns/index.js';

export interface VfsCopyStats {
  layers: number;
  entries: number;
}

async function lstatOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(p);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return undefined;
    throw e;
  }
}

async function isOpaque(dir: string): Promise<boolean> {
  try {
    const v = await xattrLib().getAttribute(dir, OPAQUE_XATTR);
    return v !== null && v.toString() === 'y';
  } catch {
    return false;
  }
}

async function copyXattrs(src: string, dst: string): Promise<void> {
  const x = xattrLib();
  let names: string[];
  try {
    names = await x.listAttributes(src);
  } catch {
    return;
  }
  for (const name of names) {
    if (/^(user|trusted)\.overlay\./.test(name)) continue;
    try {
      const v = await x.getAttribute(src, name);
      if (v !== null) await x.setAttribute(dst, name, v);
    } catch {
      // Not permitted here (as during extraction): ignored.
    }
  }
}

async function copyMeta(src: string, dst: string, st: Stats): Promise<void> {
  if (st.isSymbolicLink()) {
    await fs.lchown(dst, st.uid, st.gid);
    await fs.lutimes(dst, st.atime, st.mtime);
    return;
  }
  await fs.lchown(dst, st.uid, st.gid);
  await fs.chmod(dst, st.mode & 0o7777);
  await copyXattrs(src, dst);
  await fs.utimes(dst, st.atime, st.mtime);
}

/** Applies one extracted layer directory (overlay form) onto rootfsDir. */
export async function copyLayerInto(layerDir: string, rootfsDir: string): Promise<number> {
  const links = new Map<string, string>();
  let entries = 0;
  const walk = async (src: string, dst: string): Promise<void> => {
    for (const name of await fs.readdir(src)) {
      const s = path.join(src, name);
      const d = path.join(dst, name);
      const st = await fs.lstat(s);
      let existing = await lstatOrUndefined(d);
      entries++;
      if (st.isCharacterDevice() && st.rdev === 0) {
        if (existing) await fs.rm(d, { recursive: true, force: true });
        continue;
      }
      if (st.isDirectory()) {
        if (existing && (!existing.isDirectory() || (await isOpaque(s)))) {
          await fs.rm(d, { recursive: true, force: true });
          existing = undefined;
        }
        if (!existing) await fs.mkdir(d, 0o700);
        await walk(s, d);
        await copyMeta(s, d, st);
        continue;
      }
      if (existing) await fs.rm(d, { recursive: true, force: true });
      if (st.isSymbolicLink()) {
        await fs.symlink(await fs.readlink(s), d);
        await copyMeta(s, d, st);
      } else if (st.isFile()) {
        const key = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1 ? links.get(key) : undefined;
        if (first) {
          await fs.link(first, d);
          continue;
        }
        // d does not exist (removed above), so copyFile cannot follow a symlink there.
        await fs.copyFile(s, d, fsConstants.COPYFILE_FICLONE | fsConstants.COPYFILE_EXCL);
        await copyMeta(s, d, st);
        if (st.nlink > 1) links.set(key, d);
      }
      // fifos, sockets and devices other than whiteouts never come out of applyLayer.
    }
  };
  await walk(layerDir, rootfsDir);
  await copyMeta(layerDir, rootfsDir, await fs.lstat(layerDir));
  return entries;
}

/** Applies layers (given bottom first) onto rootfsDir; runs inside the namespace. */
export async function copyLayersInto(layerDirsBottomFirst: string[], rootfsDir: string): Promise<VfsCopyStats> {
  let entries = 0;
  for (const dir of layerDirsBottomFirst) entries += await copyLayerInto(dir, rootfsDir);
  return { layers: layerDirsBottomFirst.length, entries };
}

/**
 * Builds a vfs container rootfs once, at container creation: copies the
 * layers (lowerDirs: top layer first, as for overlay) bottom-up into rootfsDir
 * inside the user namespace.
 */
export async function populateVfsRootfs(config: ToteConfig, plan: UsernsPlan, lowerDirs: string[], rootfsDir: string): Promise<VfsCopyStats> {
  await fs.mkdir(rootfsDir, { recursive: true });
  const bottomFirst = [...lowerDirs].reverse().map((d) => path.resolve(d));
  const r = await runInUserns(config, plan, [config.nodePath, applyLayerScript(config), '--populate-vfs', path.resolve(rootfsDir), ...bottomFirst]);
  return parseEntryResult<VfsCopyStats>('populating the vfs rootfs', r);
}
