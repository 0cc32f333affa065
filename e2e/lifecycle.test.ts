/**
 * Containers without a daemon: detached containers under their monitor,
 * start/stop/kill/restart/wait, exec, attach, restart policies, and the
 * store under concurrency and crashes.
 */
import { describe, test, expect, beforeAll } from '@jest/globals';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { makeEnv, show, lines, CLI } from './harness.js';
import { PROMPT, spawnTote } from './pty.js';

const e = makeEnv();

beforeAll(async () => {
  await e.importBusybox('busybox');
});


async function ok(args: string[]): Promise<string> {
  const r = await e.tote(args);
  expect({ args, code: r.code, out: show(r) }).toMatchObject({ code: 0 });
  return r.stdout.trim();
}

async function state(name: string): Promise<string> {
  return ok(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', name]);
}

/** Processes of this user whose command line mentions `text`. */
function processesMatching(text: string): number[] {
  const uid = process.getuid?.() ?? 0;
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      if (!new RegExp(`^Uid:\\s+${uid}\\s`, 'm').test(status) || /^State:\s+Z/m.test(status)) continue;
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text)) found.push(Number(pid));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

describe('detached containers', () => {
  test('run -d prints the id and the container keeps running after the CLI exits', async () => {
    const id = await ok(['run', '-d', '--name', 'sleeper', 'busybox', 'sleep', '1000']);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(await state('sleeper')).toBe('running 0');
    expect(await ok(['ps', '--format', '{{.ID}} {{.Names}} {{.Status}}'])).toMatch(new RegExp(`^${id.slice(0, 12)} sleeper Up `, 'm'));
    // One monitor owns it; nothing else of ours outlives the CLI.
    expect(processesMatching(id).length).toBeGreaterThanOrEqual(1);
  });

  test('exec runs in the container, with -e, -u, -w and the exit code', async () => {
    expect(await ok(['exec', 'sleeper', 'ps', '-o', 'pid,comm'])).toMatch(/^\s*1 sleep$/m);
    const r = await e.tote(['exec', '-e', 'X=42', '-u', 'app', '-w', '/tmp', 'sleeper', 'sh', '-c', 'echo $X $(id -u) $(pwd); exit 7']);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 7, stdout: '42 1000 /tmp\n' });
    const missing = await e.tote(['exec', 'sleeper', '/no/such']);
    expect(missing.code).toBe(127);
    const piped = await e.tote(['exec', '-i', 'sleeper', 'cat'], { input: 'through stdin\n' });
    expect(piped.stdout).toBe('through stdin\n');
    await ok(['exec', '-d', 'sleeper', 'sh', '-c', 'echo detached > /tmp/flag']);
    for (let i = 0; i < 50; i++) {
      const r = await e.tote(['exec', 'sleeper', 'cat', '/tmp/flag']);
      if (r.stdout === 'detached\n') return;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error('exec -d did not run');
  });

  test('stop sends the stop signal, then the container is exited with its code; stop again succeeds', async () => {
    await ok(['run', '-d', '--name', 'trapper', 'busybox', 'sh', '-c', 'trap "exit 7" TERM; while true; do sleep 0.1; done']);
    expect(await ok(['stop', 'trapper'])).toBe('trapper');
    expect(await state('trapper')).toBe('exited 7');
    expect(await ok(['stop', 'trapper'])).toBe('trapper');
    expect(await ok(['wait', 'trapper'])).toBe('7');
  });

  test('stop -t 0 kills at once; start and restart bring it back', async () => {
    await ok(['start', 'trapper']);
    expect(await state('trapper')).toBe('running 0');
    await ok(['stop', '-t', '0', 'trapper']);
    expect(await state('trapper')).toBe('exited 137');
    await ok(['restart', 'trapper']);
    expect(await state('trapper')).toMatch(/^running/);
  });

  test('kill -s sends that signal; wait returns the exit code', async () => {
    // PID 1 ignores signals it has no handler for (as under docker), so the
    // container traps the one it is sent.
    await ok(['run', '-d', '--name', 'killme', 'busybox', 'sh', '-c', 'trap "exit 3" USR1; echo trapped; while true; do sleep 0.1; done']);
    const waiter = e.tote(['wait', 'killme']);
    // Signal only once the trap is set: on a loaded machine the shell can take a while to get there.
    for (let i = 0; i < 100 && !(await e.tote(['logs', 'killme'])).stdout.includes('trapped'); i++) await new Promise((r) => setTimeout(r, 100));
    await ok(['kill', '-s', 'USR1', 'killme']);
    const w = await waiter;
    expect(w.stdout.trim()).toBe('3');
    await ok(['run', '-d', '--name', 'killme2', 'busybox', 'sleep', '1000']);
    await ok(['kill', 'killme2']);
    expect(await ok(['wait', 'killme2'])).toBe('137');
    const bad = await e.tote(['kill', '-s', 'NOTASIGNAL', 'killme']);
    expect(bad.code).toBe(125);
  });

  test('errors as docker: rm of a running container needs -f; unknown containers exit 1 for rm/stop/kill', async () => {
    const r = await e.tote(['rm', 'sleeper']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/running/);
    for (const verb of ['rm', 'stop', 'kill']) {
      const u = await e.tote([verb, 'no-such-container']);
      expect({ verb, code: u.code }).toEqual({ verb, code: 1 });
      expect(u.stderr).toMatch(/no such container/);
    }
    const run = await e.tote(['run', '-d', '--name', 'sleeper', 'busybox', 'true']);
    expect(run.code).toBe(125);
    expect(run.stderr).toMatch(/already in use by [0-9a-f]{12}/);
  });

  test('rm -f of a running container leaves no process behind', async () => {
    const id = await ok(['inspect', '--format', '{{.Id}}', 'sleeper']);
    await ok(['rm', '-f', 'sleeper']);
    expect(processesMatching(id)).toEqual([]);
    expect((await e.tote(['inspect', 'sleeper'])).code).not.toBe(0);
  });
});

describe('pause and unpause', () => {
  test('a paused container stops counting, shows Paused, refuses exec, and resumes', async () => {
    await ok(['run', '-d', '--name', 'counter', 'busybox', 'sh', '-c', 'i=0; while true; do i=$((i+1)); echo $i > /count.new; mv /count.new /count; sleep 0.05; done']);
    await new Promise((r) => setTimeout(r, 400));
    const read = async () => Number((await e.tote(['cp', 'counter:/count', '-'])).stdout.match(/\b(\d+)\n/)?.[1] ?? NaN);
    expect(await ok(['pause', 'counter'])).toBe('counter');
    expect(await ok(['ps', '--filter', 'name=counter', '--format', '{{.Status}}'])).toMatch(/\(Paused\)$/);
    expect(await state('counter')).toBe('paused 0');
    const a = await read();
    await new Promise((r) => setTimeout(r, 400));
    expect(await read()).toBe(a);
    const exec = await e.tote(['exec', 'counter', 'true']);
    expect(exec.code).toBe(125);
    expect(exec.stderr).toMatch(/unpause/);
    expect((await e.tote(['pause', 'counter'])).code).toBe(1);
    await ok(['unpause', 'counter']);
    await new Promise((r) => setTimeout(r, 400));
    expect(await read()).toBeGreaterThan(a);
    await ok(['pause', 'counter']);
    await ok(['stop', '-t', '1', 'counter']);
    expect(await state('counter')).toMatch(/^exited /);
  });
});

describe('restart policies and --rm without a daemon', () => {
  test('on-failure:2 runs a failing container three times', async () => {
    await ok(['run', '-d', '--name', 'flaky', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'echo ran; exit 1']);
    const deadline = Date.now() + 30_000;
    let out = '';
    while (Date.now() < deadline) {
      out = (await e.tote(['logs', 'flaky'])).stdout;
      const st = await state('flaky');
      if (lines(out).length >= 3 && st === 'exited 1') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(lines(out)).toEqual(['ran', 'ran', 'ran']);
    await new Promise((r) => setTimeout(r, 500));
    expect(lines((await e.tote(['logs', 'flaky'])).stdout)).toHaveLength(3);
  });

  test('run -d --rm is removed by its monitor when it exits', async () => {
    await ok(['run', '-d', '--rm', '--name', 'brief', 'busybox', 'true']);
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && (await e.tote(['inspect', 'brief'])).code === 0) await new Promise((r) => setTimeout(r, 100));
    expect((await e.tote(['inspect', 'brief'])).code).not.toBe(0);
  });
});

describe('attach and exec through a real terminal', () => {
  test('attach to a -it container, type, detach with ctrl-p ctrl-q; it keeps running', async () => {
    await ok(['run', '-dit', '--name', 'shell', 'busybox', 'sh']);
    const t = spawnTote(e, ['attach', 'shell'], 80, 24);
    try {
      t.p.write('echo attached-$((1+1))\r');
      await t.expect(/attached-2/);
      t.p.write('\x10\x11');
      const { exitCode } = await t.waitExit(20_000);
      expect(exitCode).toBe(0);
    } finally {
      t.p.kill('SIGKILL');
    }
    expect(await state('shell')).toBe('running 0');
  });

  test('exec -it gets a terminal of the caller\'s size', async () => {
    const t = spawnTote(e, ['exec', '-it', 'shell', 'sh'], 90, 33);
    try {
      await t.expect(PROMPT);
      t.p.write('tty; stty size\r');
      await t.expect(/\/dev\/pts\/\d+\r*\n/);
      await t.expect(/\b33 90\r*\n/);
      t.p.write('exit 5\r');
      expect((await t.waitExit(20_000)).exitCode).toBe(5);
    } finally {
      t.p.kill('SIGKILL');
    }
  });
});

describe('the store under concurrency and crashes', () => {
  test('50 parallel run -d give 50 distinct ids, names and records', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, () => e.tote(['run', '-d', '--label', 'batch=par', 'busybox', 'sleep', '1000'], { timeoutMs: 120_000 })),
    );
    for (const r of results) expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
    const ids = new Set(results.map((r) => r.stdout.trim()));
    expect(ids.size).toBe(50);
    const listed = lines(await ok(['ps', '-a', '--no-trunc', '--filter', 'label=batch=par', '--format', '{{.ID}} {{.Names}}']));
    expect(listed).toHaveLength(50);
    expect(new Set(listed.map((l) => l.split(' ')[1])).size).toBe(50);
    for (const l of listed) expect(ids.has(l.split(' ')[0])).toBe(true);
    await ok(['rm', '-f', ...ids]);
  }, 300_000);

  test('two rm of the same container: one succeeds, the other says it is gone', async () => {
    await ok(['create', '--name', 'twice', 'busybox', 'true']);
    const [a, b] = await Promise.all([e.tote(['rm', 'twice']), e.tote(['rm', 'twice'])]);
    expect([a.code, b.code].sort()).toEqual([0, 1]);
    expect((a.code ? a : b).stderr).toMatch(/no such container/);
  });

  test('a monitor killed with its container is reconciled to exited on the next read', async () => {
    const id = await ok(['run', '-d', '--name', 'orphan', 'busybox', 'sleep', '1000']);
    const pid = Number(await ok(['inspect', '--format', '{{.State.Pid}}', 'orphan']));
    for (const p of processesMatching(id)) process.kill(p, 'SIGKILL');
    process.kill(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    expect(await ok(['ps', '--format', '{{.Names}}'])).not.toMatch(/^orphan$/m);
    expect(await state('orphan')).toMatch(/^exited /);
  });

  test('a CLI killed in the middle of run leaves a readable store', async () => {
    for (let i = 0; i < 5; i++) {
      const child = spawn(process.execPath, [CLI, ...e.globalArgs, 'run', '--rm', '--label', 'crash=1', 'busybox', 'sleep', '1'], { env: e.env, stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, 100 + i * 60));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    await new Promise((r) => setTimeout(r, 1500));
    const ps = await e.tote(['ps', '-a', '--filter', 'label=crash=1', '--format', '{{.Names}} {{.Status}}']);
    expect(ps.code).toBe(0);
    expect(ps.stdout).not.toMatch(/ Up /);
    expect((await e.tote(['images', '-q'])).code).toBe(0);
  });
});
