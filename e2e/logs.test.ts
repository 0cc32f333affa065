/**
 * `tote logs`: what a detached container wrote, on the right streams, with
 * --tail, -t, --since and -f.
 */
import { describe, test, expect, beforeAll } from '@jest/globals';
import { makeEnv, show, lines } from './harness.js';

const e = makeEnv();

/** Polls `ps -a` until the named container has exited. */
async function waitExited(name: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await e.tote(['ps', '-a', '--format', '{{.Names}} {{.Status}}']);
    const mine = lines(r.stdout).find((l) => l.startsWith(name + ' '));
    if (mine?.includes('Exited')) return;
    if (Date.now() > deadline) throw new Error(`${name} did not exit: ${mine ?? '(not listed)'}\n${show(r)}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

async function runDetached(name: string, script: string): Promise<void> {
  const r = await e.tote(['run', '-d', '--name', name, 'busybox', 'sh', '-c', script]);
  expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
}

beforeAll(async () => {
  await e.importBusybox('busybox');
  // The sleeps order the records: the monitor reads stdout and stderr from
  // two pipes, so writes close together may be logged in either order.
  await runDetached('three', 'echo one; sleep 0.1; echo two >&2; sleep 0.1; echo -n three');
  await waitExited('three');
});

describe('tote logs', () => {
  test('stdout and stderr come back on their own streams, bytes as written', async () => {
    const r = await e.tote(['logs', 'three']);
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 0, stdout: 'one\nthree', stderr: 'two\n' });
    const c = await e.tote(['container', 'logs', 'three']);
    expect({ code: c.code, stdout: c.stdout, stderr: c.stderr }).toEqual({ code: 0, stdout: 'one\nthree', stderr: 'two\n' });
  });

  test('--tail counts lines across both streams; -n is the same; all is everything', async () => {
    const one = await e.tote(['logs', '--tail', '1', 'three']);
    expect({ code: one.code, stdout: one.stdout, stderr: one.stderr }).toEqual({ code: 0, stdout: 'three', stderr: '' });
    const two = await e.tote(['logs', '-n', '2', 'three']);
    expect({ stdout: two.stdout, stderr: two.stderr }).toEqual({ stdout: 'three', stderr: 'two\n' });
    const all = await e.tote(['logs', '--tail', 'all', 'three']);
    expect({ stdout: all.stdout, stderr: all.stderr }).toEqual({ stdout: 'one\nthree', stderr: 'two\n' });
    const bad = await e.tote(['logs', '--tail', 'ten', 'three']);
    expect(bad.code).toBe(125);
    expect(bad.stderr).toMatch(/^Error: .*--tail/m);
  });

  test('-t prefixes every line with its RFC3339Nano time and a space', async () => {
    const r = await e.tote(['logs', '-t', 'three']);
    expect(r.code).toBe(0);
    const stamp = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{9}Z';
    expect(r.stdout).toMatch(new RegExp(`^${stamp} one\\n${stamp} three$`));
    expect(r.stderr).toMatch(new RegExp(`^${stamp} two\\n$`));
    const t = Date.parse(r.stdout.slice(0, 23) + 'Z');
    expect(Math.abs(Date.now() - t)).toBeLessThan(10 * 60_000);
  });

  test('--since and --until: relative, Unix and RFC3339 forms', async () => {
    const recent = await e.tote(['logs', '--since', '1h', 'three']);
    expect({ stdout: recent.stdout, stderr: recent.stderr }).toEqual({ stdout: 'one\nthree', stderr: 'two\n' });
    const future = await e.tote(['logs', '--since', String(Math.floor(Date.now() / 1000) + 3600), 'three']);
    expect({ code: future.code, stdout: future.stdout, stderr: future.stderr }).toEqual({ code: 0, stdout: '', stderr: '' });
    const old = await e.tote(['logs', '--until', '2000-01-01T00:00:00Z', 'three']);
    expect({ code: old.code, stdout: old.stdout, stderr: old.stderr }).toEqual({ code: 0, stdout: '', stderr: '' });
    const bad = await e.tote(['logs', '--since', 'yesterday', 'three']);
    expect(bad.code).toBe(125);
    expect(bad.stderr).toMatch(/^Error: invalid --since value "yesterday"/m);
  });

  test('an unknown container is exit 125 with podman\'s message', async () => {
    const r = await e.tote(['logs', 'nosuchcontainer']);
    expect(r.code).toBe(125);
    expect(r.stderr).toContain('Error: no container with name or ID "nosuchcontainer" found: no such container');
    expect(r.stdout).toBe('');
  });

  test('-f follows a running container and returns once it has exited, with every line', async () => {
    await runDetached('ticker', 'for i in 1 2 3 4 5; do echo tick$i; sleep 0.2; done; echo done >&2');
    const started = Date.now();
    const r = await e.tote(['logs', '-f', 'ticker'], { timeoutMs: 30_000 });
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
    expect(r.stdout).toBe('tick1\ntick2\ntick3\ntick4\ntick5\n');
    expect(r.stderr).toBe('done\n');
    // It waited for the container: ~1 s of sleeps.
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    const ps = await e.tote(['ps', '-a', '--format', '{{.Names}} {{.Status}}']);
    expect(lines(ps.stdout).find((l) => l.startsWith('ticker '))).toMatch(/Exited \(0\)/);
  });

  test('-f on an exited container prints the log and returns', async () => {
    const r = await e.tote(['logs', '-f', '--tail', '1', 'three'], { timeoutMs: 15_000 });
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 0, stdout: 'three', stderr: '' });
  });
});
