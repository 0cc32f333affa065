/**
 * Content-addressed blobs. A blob becomes visible under its digest only
 * after its bytes were hashed and matched: written to a temp file, fsynced,
 * then renamed into place.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import type { ToteConfig } from '../config/index.js';
import { SystemError, errnoCode } from '../errors/index.js';
import { hexOf, storePaths } from './paths.js';

export function sha256Digest(data: string | Buffer): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

export function blobPath(config: ToteConfig, digest: string): string {
  return path.join(storePaths(config).blobs, hexOf(digest));
}

export async function hasBlob(config: ToteConfig, digest: string): Promise<boolean> {
  try {
    await fs.access(blobPath(config, digest));
    return true;
  } catch {
    return false;
  }
}

/** Stores a small blob (manifest, config) whose bytes are in memory. */
export async function putBlobBytes(config: ToteConfig, data: Buffer | string, expected?: string): Promise<{ digest: string; size: number }> {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  const digest = sha256Digest(buf);
  if (expected && expected !== digest) {
    throw new SystemError('E_DIGEST_MISMATCH', `content digest ${digest} does not match expected ${expected}`);
  }
  const dest = blobPath(config, digest);
  if (!(await hasBlob(config, digest))) {
    await fs.mkdir(path.dirname(dest), { recursive: true });
    const tmp = `${dest}.tmp-${randomBytes(6).toString('hex')}`;
    const fh = await fs.open(tmp, 'w', 0o644);
    try {
      await fh.writeFile(buf);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, dest);
  }
  return { digest, size: buf.length };
}

export async function readBlob(config: ToteConfig, digest: string): Promise<Buffer> {
  try {
    return await fs.readFile(blobPath(config, digest));
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') throw new SystemError('E_BLOB_MISSING', `blob ${digest} is missing from the store`, { hint: 'remove and pull or import the image again' });
    throw e;
  }
}

export function openBlob(config: ToteConfig, digest: string): Readable {
  return createReadStream(blobPath(config, digest));
}

/** A pass-through stream that hashes and counts what flows through it. */
export class DigestStream extends Transform {
  private readonly hash = createHash('sha256');
  size = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null, data?: Buffer) => void): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    cb(null, chunk);
  }

  digest(): string {
    return 'sha256:' + this.hash.digest('hex');
  }
}

/**
 * Begins writing a streamed blob to a temp file. The caller pipes data in,
 * then calls `commit(digest)` once the digest is known (and verified), or
 * `abort()` on failure.
 */
export async function beginBlobWrite(config: ToteConfig): Promise<{
  stream: NodeJS.WritableStream;
  done: Promise<void>;
  commit(digest: string): Promise<void>;
  abort(): Promise<void>;
}> {
  const dir = storePaths(config).blobs;
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.tmp-${randomBytes(8).toString('hex')}`);
  const out = createWriteStream(tmp, { mode: 0o644 });
  const done = new Promise<void>((resolve, reject) => {
    out.once('finish', resolve);
    out.once('error', reject);
  });
  return {
    stream: out,
    done,
    async commit(digest: string) {
      await done;
      const fh = await fs.open(tmp, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fs.rename(tmp, blobPath(config, digest));
    },
    async abort() {
      out.destroy();
      await fs.rm(tmp, { force: true });
    },
  };
}

export async function removeBlob(config: ToteConfig, digest: string): Promise<void> {
  await fs.rm(blobPath(config, digest), { force: true });
}

export { pipeline };
