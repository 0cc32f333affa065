/**
 * systemd units: run's --cidfile/--pidfile/--replace/--sdnotify, the notify
 * protocol against a socket that plays systemd's part, signals through a
 * foreground run, and `generate systemd` checked by `systemd-analyze verify`.
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { makeEnv, show, CLI } from './harness.js';

const e = makeEnv();

beforeAll(async () => {
  await e.importBusybox('busybox');
});

async function ok(args: string[], env?: Record<string, string>): Promise<string> {
  const r = await e.tote(args, { env });
  expect({ args, code: r.code, out: show(r) }).toMatchObject({ code: 0 });
  return r.stdout.trim();
}

/**
 * systemd's side of sd_notify: a unix datagram socket (which Node cannot
 * create, hence python3) printing every message it receives as a JSON line.
 */
class FakeNotifySocket {
  readonly path: string;
  private child?: ChildProcess;
  private output = '';

  constructor(name: string) {
    this.path = path.join(e.dir, `${name}.sock`);
  }

  async start(): Promise<void> {
    const script = [
      'import json, socket, sys',
      's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
      's.bind(sys.argv[1])',
      'print("listening", flush=True)',
      'while True:',
      '    msg = s.recv(4096)',
      '    print(json.dumps(msg.decode()), flush=True)',
    ].join('\n');
    this.child = spawn('python3', ['-c', script, this.path], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      this.child!.stdout!.setEncoding('utf8');
      this.child!.stdout!.on('data', (d: string) => {
        this.output += d;
        if (this.output.startsWith('listening\n')) resolve();
      });
      this.child!.on('error', reject);
      this.child!.on('exit', (code) => reject(new Error(`fake notify socket exited (${code})`)));
    });
  }

  /** Every message so far, as KEY=VALUE maps (BARRIER=1 messages left out). */
  messages(): Array<Record<string, string>> {
    return this.output
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .map((l) => Object.fromEntries((JSON.parse(l) as string).split('\n').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])))
      .filter((m) => !('BARRIER' in m));
  }

  stop(): void {
    this.child?.removeAllListeners('exit');
    this.child?.kill('SIGKILL');
  }
}

/** Runs the CLI directly (so its pid is known) and collects its result. */
function spawnCli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [CLI, ...e.globalArgs, ...args], { env: { ...e.env, ...env }, cwd: e.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done, output: () => stdout };
}

async function until(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('run flags for units', () => {
  test('--cidfile writes the id, and refuses a file that exists', async () => {
    const cidfile = path.join(e.dir, 'c1.cid');
    const id = await ok(['run', '-d', '--cidfile', cidfile, '--name', 'cid1', 'busybox', 'sleep', '30']);
    expect(readFileSync(cidfile, 'utf8')).toBe(id);
    const again = await e.tote(['run', '--rm', '--cidfile', cidfile, 'busybox', 'true']);
    expect(again.code).toBe(125);
    expect(again.stderr).toContain(`container ID file found, make sure the other container isn't running or delete ${cidfile}`);
    // Nothing was created by the refused run.
    expect(await ok(['ps', '-a', '--format', '{{.Names}}'])).not.toMatch(/^(?!cid1$).+$/m);
    await ok(['rm', '-f', 'cid1']);
  });

  test('create --cidfile too', async () => {
    const cidfile = path.join(e.dir, 'c2.cid');
    const id = await ok(['create', '--cidfile', cidfile, 'busybox', 'true']);
    expect(readFileSync(cidfile, 'utf8')).toBe(id);
    await ok(['rm', id]);
  });

  test('--pidfile holds the container process, detached and in the foreground', async () => {
    const pidfile = path.join(e.dir, 'p1.pid');
    await ok(['run', '-d', '--pidfile', pidfile, '--name', 'pid1', 'busybox', 'sleep', '30']);
    const pid = readFileSync(pidfile, 'utf8');
    expect(pid).toBe(await ok(['inspect', '--format', '{{.State.Pid}}', 'pid1']));
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]).toBe('sleep');
    await ok(['rm', '-f', 'pid1']);

    const fg = path.join(e.dir, 'p2.pid');
    const out = await ok(['run', '--rm', '--pidfile', fg, 'busybox', 'sh', '-c', 'echo $$']);
    // The container's init is pid 1 inside, and the file has its host pid.
    expect(out).toBe('1');
    expect(Number(readFileSync(fg, 'utf8'))).toBeGreaterThan(1);
  });

  test('--replace removes the container of that name first, running or not', async () => {
    const old = await ok(['run', '-d', '--name', 'rep', 'busybox', 'sleep', '30']);
    const taken = await e.tote(['run', '-d', '--name', 'rep', 'busybox', 'sleep', '30']);
    expect(taken.code).toBe(125);
    expect(taken.stderr).toContain('is already in use');
    const fresh = await ok(['run', '-d', '--replace', '--name', 'rep', 'busybox', 'sleep', '30']);
    expect(fresh).not.toBe(old);
    expect(await ok(['ps', '-a', '--no-trunc', '--filter', 'name=rep', '--format', '{{.ID}}'])).toBe(fresh);
    // Nothing to replace is fine.
    await ok(['rm', '-f', 'rep']);
    await ok(['run', '--rm', '--replace', '--name', 'rep', 'busybox', 'true']);
    const noName = await e.tote(['run', '--rm', '--replace', 'busybox', 'true']);
    expect(noName.code).toBe(125);
    expect(noName.stderr).toContain('without --name');
  });

  test('create refuses --sdnotify and --pidfile', async () => {
    const r = await e.tote(['create', '--sdnotify=conmon', 'busybox', 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toContain('apply to `tote run` only');
  });
});

describe('sd_notify', () => {
  let sock: FakeNotifySocket;
  afterAll(() => sock?.stop());

  test('--sdnotify=conmon: READY=1 and MAINPID (the foreground CLI) once the container runs', async () => {
    sock = new FakeNotifySocket('notify1');
    await sock.start();
    const marker = path.join(e.dir, 'go1');
    // The container waits for the test's go-ahead: READY must come while it runs, not after.
    const run = spawnCli(['run', '--rm', '--sdnotify=conmon', '-v', `${e.dir}:/host`, 'busybox', 'sh', '-c', 'echo started; while [ ! -e /host/go1 ]; do sleep 0.1; done; exit 3'], {
      NOTIFY_SOCKET: sock.path,
    });
    await until(() => sock.messages().length > 0, 'the notify message');
    expect(run.output()).toContain('started');
    expect(sock.messages()).toEqual([{ READY: '1', MAINPID: String(run.child.pid) }]);
    writeFileSync(marker, '');
    const r = await run.done;
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 3, stderr: '' });
  });

  test('--sdnotify=conmon with -d: MAINPID is the monitor, which outlives the CLI', async () => {
    const before = sock.messages().length;
    const id = await ok(['run', '-d', '--name', 'sdd', '--sdnotify=conmon', 'busybox', 'sleep', '30'], { NOTIFY_SOCKET: sock.path });
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    await until(() => sock.messages().length > before, 'the notify message');
    const msg = sock.messages()[before];
    expect(msg.READY).toBe('1');
    const comm = readFileSync(`/proc/${msg.MAINPID}/comm`, 'utf8').trim();
    expect(comm).toBe('tote-monitor');
    await ok(['rm', '-f', 'sdd']);
  });

  test('--sdnotify=container: the socket and NOTIFY_SOCKET are in the container, tote sends only MAINPID', async () => {
    const before = sock.messages().length;
    const out = await ok(['run', '--rm', '--sdnotify=container', 'busybox', 'sh', '-c', 'echo $NOTIFY_SOCKET; test -S /run/notify/notify.sock && echo socket'], {
      NOTIFY_SOCKET: sock.path,
    });
    expect(out.split('\n')).toEqual(['/run/notify/notify.sock', 'socket']);
    await until(() => sock.messages().length > before, 'the notify message');
    expect(sock.messages()[before].READY).toBeUndefined();
    expect(sock.messages()[before].MAINPID).toMatch(/^\d+$/);
  });

  test('without --sdnotify nothing is sent, and the runtime never sees NOTIFY_SOCKET', async () => {
    const before = sock.messages().length;
    expect(await ok(['run', '--rm', 'busybox', 'sh', '-c', 'echo ${NOTIFY_SOCKET:-none}'], { NOTIFY_SOCKET: sock.path })).toBe('none');
    await new Promise((r) => setTimeout(r, 300));
    expect(sock.messages().length).toBe(before);
  });

  test('no NOTIFY_SOCKET: --sdnotify=conmon is a no-op', async () => {
    expect(await ok(['run', '--rm', '--sdnotify=conmon', 'busybox', 'echo', 'hi'])).toBe('hi');
  });
});

describe('signals through a foreground run (KillMode=mixed sends SIGTERM to the CLI)', () => {
  test.each<[NodeJS.Signals, string]>([
    ['SIGTERM', 'TERM'],
    ['SIGHUP', 'HUP'],
    ['SIGINT', 'INT'],
  ])('%s reaches the container and the CLI exits with its code', async (signal, trapName) => {
    const run = spawnCli(['run', '--rm', 'busybox', 'sh', '-c', `trap 'echo got-${trapName}; exit 42' ${trapName}; echo ready; while true; do sleep 0.1; done`]);
    await until(() => run.output().includes('ready'), 'the container');
    run.child.kill(signal);
    const r = await run.done;
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 42, stdout: `ready\ngot-${trapName}\n` });
  });
});

/** Exec lines with their continuations joined. */
const flat = (unit: string) => unit.replace(/ \\\n\t/g, ' ');

describe('generate systemd', () => {
  const analyze = spawnSync('systemd-analyze', ['--version']).status === 0;

  function verify(unitText: string, name: string): { status: number | null; output: string } {
    const file = path.join(e.dir, name);
    writeFileSync(file, unitText);
    chmodSync(file, 0o644);
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', file], { encoding: 'utf8', env: { ...e.env, SYSTEMD_LOG_LEVEL: 'warning' } });
    // Only complaints about this unit count (the host's own units may have issues of their own).
    const output = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.includes(name)).join('\n');
    return { status: r.status, output };
  }

  test('--new --name: a notify unit that runs a fresh container in the foreground', async () => {
    await ok(['create', '--name', 'web', '-e', 'GREETING=hello world', '-l', 'a=b', '--rm', '-it', 'busybox', 'sh', '-c', 'echo "$GREETING"; sleep 1000']);
    const raw = await ok(['generate', 'systemd', '--new', '--name', '--restart-sec', '5', 'web']);
    expect(raw).toMatch(/ \\\n\t/); // long Exec lines are continued
    const unit = flat(raw);
    const lines = unit.split('\n');
    expect(lines[0]).toBe('# container-web.service');
    for (const expected of [
      '[Unit]',
      'Description=tote container-web.service',
      '[Service]',
      'Environment=TOTE_SYSTEMD_UNIT=%n',
      'Restart=on-failure',
      'RestartSec=5',
      'TimeoutStopSec=70',
      'ExecStartPre=/bin/rm -f %t/%n.ctr-id',
      'Type=notify',
      'NotifyAccess=all',
      'KillMode=mixed',
      '[Install]',
      'WantedBy=default.target',
    ]) {
      expect(lines).toContain(expected);
    }
    const exec = (key: string) => unit.split('\n' + key + '=')[1].split('\n')[0];
    const start = exec('ExecStart');
    expect(start).toContain(`--root ${e.root} --runroot ${e.runroot} run --cidfile=%t/%n.ctr-id --rm --sdnotify=conmon --replace`);
    // The original flags are kept (quoted for systemd), those the unit sets itself are not repeated.
    expect(start).toContain('-e "GREETING=hello world" -l a=b --name web busybox sh -c "echo \\"$$GREETING\\"; sleep 1000"');
    expect(start.match(/--rm/g)).toHaveLength(1);
    expect(start).not.toMatch(/ -it | -i | -t /);
    expect(exec('ExecStop')).toMatch(/ stop --ignore -t 10 web$/);
    expect(unit).toMatch(/\nExecStopPost=.* rm -f --ignore web\n/);
    if (analyze) expect(verify(raw + '\n', 'container-web.service')).toEqual({ status: 0, output: '' });
  });

  test('the ExecStart line, run as written (after systemd unquoting), creates the container', async () => {
    const unit = flat(await ok(['generate', 'systemd', '--new', '--name', 'web']));
    const start = unit.split('\nExecStart=')[1].split('\n')[0];
    // systemd's unquoting: the shell's is close enough for these words ($$ → $, %t/%n are specifiers).
    const words = JSON.parse(
      spawnSync('python3', ['-c', 'import shlex, sys, json; print(json.dumps(shlex.split(sys.argv[1])))', start.replace(/\$\$/g, '$').replace('%t/%n.ctr-id', path.join(e.dir, 'unit.ctr-id'))], { encoding: 'utf8' }).stdout,
    ) as string[];
    const args = words.slice(words.indexOf('run')).map((w) => w.replace('sleep 1000', 'true'));
    const r = await e.tote(args);
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 0, stdout: 'hello world\n', stderr: '' });
    expect(existsSync(path.join(e.dir, 'unit.ctr-id'))).toBe(true);
    // --replace removed the original `web`; --rm removed the new one.
    expect(await ok(['ps', '-a', '--filter', 'name=web', '--format', '{{.Names}}'])).toBe('');
  });

  test('an existing container: start --attach, Type=simple; --files writes container-ID.service', async () => {
    const id = await ok(['create', '--name', 'plain', 'busybox', 'sleep', '1000']);
    const unit = flat(await ok(['generate', 'systemd', '--restart-policy', 'always', '-t', '3', 'plain']));
    expect(unit).toContain(`# container-${id}.service`);
    expect(unit).toMatch(/\nExecStart=.* start --attach plain\n/);
    expect(unit).toMatch(/\nExecStop=.* stop -t 3 plain\n/);
    expect(unit).toContain('\nRestart=always\n');
    expect(unit).toContain('\nTimeoutStopSec=63\n');
    expect(unit).toContain('\nType=simple\n');
    if (analyze) expect(verify(await ok(['generate', 'systemd', 'plain']) + '\n', `container-${id}.service`)).toEqual({ status: 0, output: '' });

    const written = await e.tote(['generate', 'systemd', '--files', '--name', '--container-prefix', 'app', '--separator', '_', 'plain'], { cwd: e.dir });
    expect({ code: written.code, out: show(written) }).toMatchObject({ code: 0 });
    expect(written.stdout.trim()).toBe(path.join(e.dir, 'app_plain.service'));
    expect(readFileSync(path.join(e.dir, 'app_plain.service'), 'utf8')).toContain('Description=tote app_plain.service');
    await ok(['rm', 'plain']);
  });

  test('bad input fails clearly', async () => {
    const missing = await e.tote(['generate', 'systemd', 'nosuch']);
    expect(missing.code).toBe(125);
    expect(missing.stderr).toContain('nosuch');
    await ok(['create', '--name', 'web2', 'busybox', 'true']);
    const policy = await e.tote(['generate', 'systemd', '--restart-policy', 'sometimes', 'web2']);
    expect(policy.code).toBe(125);
    expect(policy.stderr).toContain('sometimes is not a valid restart policy');
  });
});
