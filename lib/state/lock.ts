/**
 * Serializes concurrent tote invocations on a lock file with flock(2): the
 * kernel releases it when the holder dies, so a crash never leaves the store
 * locked (a mkdir-style lock would have to go stale first).
 */
import { openSync, closeSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { AsyncLocalStorage } from 'node:async_hooks';

const require = createRequire(import.meta.url);

interface FsExt {
  flock(fd: number, flags: 'ex' | 'sh' | 'exnb' | 'shnb' | 'un', cb: (err: NodeJS.ErrnoException | null) => void): void;
}

let fsExt: FsExt | undefined;
function loadFsExt(): FsExt {
  fsExt ??= require('fs-ext') as FsExt;
  return fsExt;
}

export interface Lock {
  release(): void;
}

/** Takes an exclusive (or shared) lock on `file`, waiting for other holders. */
export async function acquireLock(file: string, shared = false): Promise<Lock> {
  mkdirSync(path.dirname(file), { recursive: true });
  const fd = openSync(file, 'a', 0o600);
  const { flock } = loadFsExt();
  await new Promise<void>((resolve, reject) =>
    flock(fd, shared ? 'sh' : 'ex', (err) => (err ? reject(err) : resolve())),
  );
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      closeSync(fd); // closing the last descriptor drops the flock
    },
  };
}

/**
 * The locks the current async call chain holds. flock is per open file, so
 * a nested withLock on a second descriptor would wait for ourselves forever;
 * within one chain the lock is re-entrant instead.
 */
const held = new AsyncLocalStorage<ReadonlySet<string>>();

/** Runs `fn` while holding the lock (re-entrant within one async call chain). */
export async function withLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const mine = held.getStore();
  if (mine?.has(file)) return fn();
  const lock = await acquireLock(file);
  try {
    return await held.run(new Set([...(mine ?? []), file]), fn);
  } finally {
    lock.release();
  }
}
