/**
 * The caller's terminal during an attached session: raw mode for -t (so
 * Ctrl-C and friends reach the container as bytes), size and resizes.
 */
import type { AttachIo } from '../lib/container/index.js';
import { setOutputProcessing } from '../lib/tty/index.js';

export function terminalIo(options: { tty: boolean; interactive: boolean; sigProxy: boolean; detachKeys?: Buffer }): {
  io: AttachIo;
  restore: () => void;
} {
  const stdin = process.stdin;
  const raw = options.tty && options.interactive && stdin.isTTY;
  if (raw) {
    stdin.setRawMode(true);
    setOutputProcessing(false);
  }
  // Not resumed here: stdin stays paused (buffering) until the attach
  // client listens, or piped input would be read and dropped meanwhile.
  const io: AttachIo = {
    stdin: options.interactive ? stdin : undefined,
    stdout: process.stdout,
    stderr: process.stderr,
    // As docker: the detach sequence is only watched for on a terminal;
    // piped binary input may contain it by chance.
    detachKeys: options.interactive && options.tty ? options.detachKeys : undefined,
    // In raw mode the terminal sends no SIGINT: signals only come from kill(1).
    sigProxy: options.sigProxy,
    size: () => {
      const out = process.stdout.isTTY ? process.stdout : process.stderr.isTTY ? process.stderr : undefined;
      return out ? { rows: out.rows, cols: out.columns } : undefined;
    },
    onResize: (cb) => {
      process.on('SIGWINCH', cb);
      return () => process.off('SIGWINCH', cb);
    },
  };
  return {
    io,
    restore: () => {
      if (raw) {
        stdin.setRawMode(false);
        setOutputProcessing(true);
      }
      stdin.pause();
    },
  };
}
