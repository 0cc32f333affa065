/** Driving the CLI through a real pseudo-terminal (node-pty), for -it tests. */
import * as pty from 'node-pty';
import { CLI, type E2EEnv } from './harness.js';

/** Collects a pty's output and waits for patterns in what arrives next. */
export class Term {
  out = '';
  private pos = 0;
  exit: Promise<{ exitCode: number; signal?: number }>;
  constructor(readonly p: pty.IPty) {
    p.onData((d) => {
      this.out += d;
    });
    this.exit = new Promise((resolve) => p.onExit(resolve));
  }

  /** Waits for the process to exit, at most timeoutMs. */
  async waitExit(timeoutMs: number): Promise<{ exitCode: number; signal?: number }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no exit after ${timeoutMs} ms; output:\n${JSON.stringify(this.out)}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exit, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waits until `re` matches output after the last match; returns the match. */
  async expect(re: RegExp, timeoutMs = 20_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rest = this.out.slice(this.pos);
      const m = re.exec(rest);
      if (m) {
        this.pos += m.index + m[0].length;
        return m;
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${re} in terminal output:\n${JSON.stringify(rest)}\n(full: ${JSON.stringify(this.out)})`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export function spawnTote(e: E2EEnv, args: string[], cols: number, rows: number): Term {
  const p = pty.spawn(process.execPath, [CLI, ...e.globalArgs, ...args], {
    name: 'xterm',
    cols,
    rows,
    cwd: e.dir,
    // The harness's pinned environment; a terminal type the shell can drive.
    env: { ...e.env, TERM: 'xterm' },
  });
  return new Term(p);
}

// busybox ash with TERM=xterm asks for the cursor position (ESC[6n) after the prompt.
export const PROMPT = /[#$] (?:\x1b\[6n)?$/m;
