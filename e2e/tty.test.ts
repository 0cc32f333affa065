/**
 * `tote run -it` through a real pseudo-terminal (node-pty): the container
 * gets /dev/pts/0, the caller's window size, resizes, and Ctrl-C.
 */
import { describe, test, expect, beforeAll } from '@jest/globals';
import { makeEnv } from './harness.js';
import { PROMPT, spawnTote } from './pty.js';

const e = makeEnv();

beforeAll(async () => {
  await e.importBusybox('busybox');
});


describe('run -it', () => {
  test('tty, window size, resize, Ctrl-C and exit code', async () => {
    const t = spawnTote(e, ['run', '--rm', '-it', 'busybox', 'sh'], 100, 30);
    try {
      await t.expect(PROMPT);
      t.p.write('tty; stty size\r');
      // docker's client puts the caller's terminal fully raw, so lines end "\r\n"; Node's raw
      // mode keeps ONLCR, giving "\r\r\n" — same on screen, so accept either.
      await t.expect(/\/dev\/pts\/0\r*\n/);
      await t.expect(/\b30 100\r*\n/);

      t.p.resize(120, 40);
      // Give the SIGWINCH a moment to be forwarded before asking again.
      await new Promise((r) => setTimeout(r, 300));
      t.p.write('stty size\r');
      await t.expect(/\b40 120\r*\n/);

      t.p.write('sleep 100\r');
      await new Promise((r) => setTimeout(r, 500));
      t.p.write('\x03');
      t.p.write('echo back-$((40+2))\r');
      await t.expect(/back-42/, 10_000);

      t.p.write('exit 3\r');
      const { exitCode } = await t.waitExit(20_000);
      expect(exitCode).toBe(3);
    } finally {
      t.p.kill('SIGKILL');
    }
  });

  test('TERM is passed to the container with -t', async () => {
    const t = spawnTote(e, ['run', '--rm', '-t', 'busybox', 'sh', '-c', 'echo "term=$TERM"; test -t 0 && echo stdin-tty; test -t 1 && echo stdout-tty'], 80, 24);
    try {
      await t.expect(/term=xterm/);
      await t.expect(/stdout-tty/);
      const { exitCode } = await t.waitExit(20_000);
      expect(exitCode).toBe(0);
    } finally {
      t.p.kill('SIGKILL');
    }
  });

  test('without -t the container has no terminal', async () => {
    const r = await e.tote(['run', '--rm', '-i', 'busybox', 'sh', '-c', 'tty; echo "code=$?"']);
    expect(r.stdout).toMatch(/not a tty/);
    expect(r.stdout).toMatch(/code=1/);
  });
});
