/**
 * `tote build -`: the context as a tar on standard input, unpacked into a
 * temp dir as the user (names cleaned, no `..`, links kept as links, no
 * devices). Or, when stdin is not a tar, it is the Dockerfile itself.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import type { ToteConfig } from '../config/index.js';
import { ToteError } from '../errors/index.js';
import { detectCompression, maybeDecompress, storePaths } from '../storage/index.js';

export function isTarHeader(head: Buffer): boolean {
  if (detectCompression(head) !== 'none') return true;
  return head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar';
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer | string>) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks);
}

/** Unpacks a context tar; returns the directory and a cleanup function. */
export async function extractContextTar(config: ToteConfig, data: Buffer): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const tmp = storePaths(config).tmp;
  await fs.mkdir(tmp, { recursive: true });
  const dir = path.join(tmp, `context-${randomBytes(8).toString('hex')}`);
  await fs.mkdir(dir, { mode: 0o700 });
  const cleanup = () => fs.rm(dir, { recursive: true, force: true });
  try {
    const extract = tar.extract();
    const feeding = pipeline(maybeDecompress(Readable.from([data])), extract).catch((e: unknown) => extract.destroy(e as Error));
    const dirModes: Array<[string, number]> = [];
    for await (const entry of extract) {
      const h = entry.header;
      const rel = path.posix.normalize('/' + h.name).slice(1).replace(/\/+$/, '');
      if (!rel) {
        entry.resume();
        continue;
      }
      const abs = path.join(dir, rel);
      await fs.mkdir(path.dirname(abs), { recursive: true, mode: 0o755 });
      const mtime = h.mtime ?? new Date();
      if (h.type === 'directory') {
        await fs.mkdir(abs, { recursive: true, mode: 0o700 });
        dirModes.push([abs, (h.mode ?? 0o755) & 0o7777]);
        entry.resume();
      } else if (h.type === 'symlink') {
        await fs.rm(abs, { force: true, recursive: true });
        await fs.symlink(h.linkname ?? '', abs);
        entry.resume();
      } else if (h.type === 'file' || h.type === 'contiguous-file') {
        await fs.rm(abs, { force: true, recursive: true });
        await pipeline(entry, createWriteStream(abs, { mode: (h.mode ?? 0o644) & 0o777 }));
        await fs.utimes(abs, mtime, mtime);
      } else if (h.type === 'link') {
        const target = path.join(dir, path.posix.normalize('/' + (h.linkname ?? '')).slice(1));
        await fs.rm(abs, { force: true, recursive: true });
        await fs.link(target, abs);
        entry.resume();
      } else entry.resume();
    }
    await feeding;
    for (const [d, mode] of dirModes.reverse()) await fs.chmod(d, mode | 0o700);
    return { dir, cleanup };
  } catch (e) {
    await cleanup();
    throw new ToteError('E_BUILD_CONTEXT_TAR', `reading the build context from standard input: ${(e as Error).message}`);
  }
}

export interface BuildInput {
  contextDir?: string;
  dockerfile: { text: string; name: string };
  cleanup(): Promise<void>;
}

/**
 * The build's inputs from the CLI's arguments: CONTEXT is a directory or `-`
 * (a tar, or a lone Dockerfile, on stdin); `-f FILE` (relative to the current
 * directory, or inside a stdin tar), `-f -` for a Dockerfile on stdin.
 */
export async function prepareBuildInput(config: ToteConfig, o: { context: string; file?: string; stdin: NodeJS.ReadableStream }): Promise<BuildInput> {
  const noop = async () => undefined;
  const readDockerfile = async (p: string, shown: string) => {
    try {
      return { text: await fs.readFile(p, 'utf8'), name: shown };
    } catch (e) {
      throw new ToteError('E_BUILD_DOCKERFILE', `the Dockerfile (${shown}) cannot be read: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`, {
        hint: 'give its path with -f, or run the build in a directory that has a Dockerfile',
      });
    }
  };
  if (o.context === '-') {
    if (o.file === '-') throw new ToteError('E_USAGE', 'cannot read both the context and the Dockerfile from standard input');
    const data = await readAll(o.stdin);
    if (!isTarHeader(data.subarray(0, 512))) return { dockerfile: { text: data.toString('utf8'), name: 'Dockerfile' }, cleanup: noop };
    const ctx = await extractContextTar(config, data);
    try {
      const rel = path.posix.normalize('/' + (o.file ?? 'Dockerfile')).slice(1);
      const candidates = o.file ? [rel] : ['Dockerfile', 'dockerfile'];
      for (const c of candidates) {
        const st = await fs.lstat(path.join(ctx.dir, c)).catch(() => undefined);
        if (st?.isFile()) return { contextDir: ctx.dir, dockerfile: await readDockerfile(path.join(ctx.dir, c), c), cleanup: ctx.cleanup };
      }
      throw new ToteError('E_BUILD_DOCKERFILE', `the build context on standard input has no ${candidates[0]}`);
    } catch (e) {
      await ctx.cleanup();
      throw e;
    }
  }
  const contextDir = path.resolve(o.context);
  const st = await fs.stat(contextDir).catch(() => undefined);
  if (!st?.isDirectory()) {
    throw new ToteError('E_BUILD_CONTEXT', `unable to prepare context: path "${o.context}" not found or not a directory`, { hint: 'give a directory (usually .) or - for a tar on standard input' });
  }
  if (o.file === '-') return { contextDir, dockerfile: { text: (await readAll(o.stdin)).toString('utf8'), name: 'Dockerfile' }, cleanup: noop };
  if (o.file) return { contextDir, dockerfile: await readDockerfile(path.resolve(o.file), o.file), cleanup: noop };
  for (const c of ['Dockerfile', 'dockerfile', 'Containerfile']) {
    const p = path.join(contextDir, c);
    if ((await fs.stat(p).catch(() => undefined))?.isFile()) return { contextDir, dockerfile: await readDockerfile(p, c), cleanup: noop };
  }
  return { contextDir, dockerfile: await readDockerfile(path.join(contextDir, 'Dockerfile'), path.join(o.context, 'Dockerfile')), cleanup: noop };
}
