/** The CLI's only doors to the terminal: stdout for results, stderr for the rest. */
import type { LogLevel } from '../lib/config/index.js';
import type { Reporter } from '../lib/errors/report.js';

export function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

export function err(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : text + '\n');
}

const LEVELS: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** podman-style log lines on stderr, filtered by --log-level. */
export function makeReporter(level: LogLevel): Reporter {
  const start = Date.now();
  const stamp = () => String(Math.floor((Date.now() - start) / 1000)).padStart(4, '0');
  return {
    info: (m) => LEVELS[level] <= LEVELS.info && err(`INFO[${stamp()}] ${m}`),
    warn: (m) => LEVELS[level] <= LEVELS.warn && err(`WARN[${stamp()}] ${m}`),
    debug: (m) => LEVELS[level] <= LEVELS.debug && err(`DEBU[${stamp()}] ${m}`),
  };
}
