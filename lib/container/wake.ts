/**
 * Waiting for a container's exit without oversleeping it: polling alone
 * (5, 10, 20, 40… ms) notices the monitor's exit file up to one interval
 * late, ~10–20 ms on `stop -t 0`. An inotify watch on the container's
 * directory wakes the poller as soon as the exit file is renamed into place;
 * the poll stays as the fallback (and for what happens elsewhere, e.g. a
 * process that dies without its monitor).
 */
import { watch, type FSWatcher } from 'node:fs';

export interface Waker {
  /** Resolves after `ms`, or sooner when something in the directory changes. */
  sleep(ms: number): Promise<void>;
  close(): void;
}

/** Wakes on changes to `name` in `dir` only: the log beside it changes all the time. */
export function fileWaker(dir: string, name: string): Waker {
  let wake: (() => void) | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, (_event, file) => (file === null || file === name ? wake?.() : undefined));
    watcher.on('error', () => wake?.());
  } catch {
    // No such directory (removed meanwhile) or no inotify: plain polling.
  }
  return {
    sleep: (ms) =>
      new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, ms);
        wake = done;
      }),
    close: () => watcher?.close(),
  };
}
