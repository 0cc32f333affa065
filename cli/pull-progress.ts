/**
 * docker's pull output from lib's PullEvents: plain lines when stderr/stdout
 * is not a terminal, live per-layer bars (cli-progress) on a terminal.
 */
import type { PullEvent, PullProgress } from '../lib/image/pull.js';
import { familiarRepository } from '../lib/image/reference.js';
import { err, out } from './output.js';

function familiar(repository: string, tag?: string, digest?: string): string {
  const name = familiarRepository(repository);
  return digest && !tag ? `${name}@${digest}` : `${name}:${tag ?? 'latest'}`;
}

export interface PullRenderer extends PullProgress {
  /** Stops live bars (call before printing anything else). */
  stop(): void;
}

/**
 * `quiet`: nothing but the final reference. `toStderr`: everything goes to
 * stderr (run/create, whose stdout belongs to the container).
 */
export function pullRenderer(opts: { quiet?: boolean; toStderr?: boolean; explicitTag?: boolean } = {}): PullRenderer {
  const print = opts.toStderr ? err : out;
  const stream = opts.toStderr ? process.stderr : process.stdout;
  const live = Boolean(stream.isTTY) && !opts.quiet && process.env.TERM !== 'dumb';
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let multibar: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const bars = new Map<string, any>();
  let barsModule: typeof import('cli-progress') | undefined;
  const seen = new Map<string, string>();
  const human = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)}GB` : n >= 1e6 ? `${(n / 1e6).toFixed(2)}MB` : n >= 1e3 ? `${(n / 1e3).toFixed(2)}kB` : `${n}B`);
  const renderer: PullRenderer = {
    event(e: PullEvent) {
      switch (e.type) {
        case 'missing':
          err(`Unable to find image '${familiar(e.reference.repository, e.reference.tag, e.reference.digest)}' locally`);
          return;
        case 'start':
          if (opts.quiet) return;
          print(`${e.reference.digest && !e.reference.tag ? e.reference.digest.replace(/^sha256:/, '') : (e.reference.tag ?? 'latest')}: Pulling from ${e.reference.repository.slice(e.reference.repository.indexOf('/') + 1)}`);
          return;
        case 'layer': {
          if (opts.quiet) return;
          if (live && barsModule) {
            let bar = bars.get(e.id);
            if (!bar) {
              bar = multibar.create(e.total ?? 1, 0, { id: e.id, status: e.status, size: '' });
              bars.set(e.id, bar);
            }
            if (e.total) bar.setTotal(e.total);
            bar.update(e.current ?? (e.status === 'Pull complete' || e.status === 'Already exists' ? (e.total ?? bar.getTotal()) : bar.value), {
              status: e.status,
              size: e.total && e.status === 'Downloading' ? `${human(e.current ?? 0)}/${human(e.total)}` : '',
            });
            return;
          }
          // Plain lines: one per state change, no byte counts (docker's non-TTY output).
          if (seen.get(e.id) === e.status) return;
          seen.set(e.id, e.status);
          if (e.status === 'Waiting' || e.status === 'Verifying Checksum' || e.status === 'Extracting') return;
          print(`${e.id}: ${e.status}`);
          return;
        }
        case 'done':
          renderer.stop();
          if (opts.quiet) return;
          print(`Digest: ${e.digest}`);
          print(`Status: ${e.upToDate ? 'Image is up to date' : 'Downloaded newer image'} for ${familiar(e.reference.repository, e.reference.tag, e.reference.digest)}`);
          return;
      }
    },
    stop() {
      if (multibar) {
        multibar.stop();
        multibar = undefined;
      }
    },
  };
  if (live) {
    // Loaded on demand: plain output (scripts, CI) never pays for it.
    void import('cli-progress').then((m) => {
      barsModule = m;
      multibar = new m.MultiBar(
        { stream, format: '{id}: {status} [{bar}] {size}', hideCursor: true, clearOnComplete: false, barsize: 40, autopadding: true, forceRedraw: false },
        m.Presets.legacy,
      );
    });
  }
  return renderer;
}
