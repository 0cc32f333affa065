/**
 * cp (both directions, `-` archives, symlink safety), diff, export and
 * commit against real containers, as the unprivileged user.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { lines, makeEnv, show } from './harness.js';

const e = makeEnv();

/** Lists a tar archive's names with the system tar. */
function tarList(file: string): string[] {
  const r = spawnSync('tar', ['tf', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tar tf ${file}: ${r.stderr}`);
  return lines(r.stdout);
}

beforeAll(async () => {
  await e.importBusybox();
  const r = await e.tote(['run', '--name', 'x', 'busybox', 'sh', '-c', 'echo hi > /f; ln -s /etc /link; ln -s / /rootlink; mkdir -p /d/sub; echo s > /d/sub/s; rm /bin/cat.gone 2>/dev/null; rm /etc/group']);
  if (r.code !== 0) throw new Error(`run failed\n${show(r)}`);
});

describe('cp out of a stopped container', () => {
  test('a file to a new host path', async () => {
    const out = path.join(e.dir, 'out-f');
    const r = await e.tote(['cp', 'x:/f', out]);
    expect(r.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('hi\n');
  });

  test('a directory into an existing directory, and its contents with /.', async () => {
    const dest = path.join(e.dir, 'outdir');
    mkdirSync(dest);
    expect((await e.tote(['cp', 'x:/d', dest])).code).toBe(0);
    expect(readFileSync(path.join(dest, 'd/sub/s'), 'utf8')).toBe('s\n');
    const dest2 = path.join(e.dir, 'outdir2');
    mkdirSync(dest2);
    expect((await e.tote(['cp', 'x:/d/.', dest2])).code).toBe(0);
    expect(readFileSync(path.join(dest2, 'sub/s'), 'utf8')).toBe('s\n');
  });

  test('through a container symlink to a directory (resolved inside the container)', async () => {
    const out = path.join(e.dir, 'passwd-copy');
    const r = await e.tote(['cp', 'x:/link/passwd', out]);
    expect(r.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('root:');
  });

  test('a missing file: docker error, exit 1', async () => {
    const r = await e.tote(['cp', 'x:/nope', e.dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error: Could not find the file /nope in container x');
  });

  test('to - writes a tar stream', async () => {
    const r = await e.tote(['cp', 'x:/f', '-']);
    expect(r.code).toBe(0);
    const file = path.join(e.dir, 'f.tar');
    writeFileSync(file, r.stdout, 'latin1');
    expect(tarList(file)).toEqual(['f']);
  });
});

describe('cp never follows container symlinks onto the host', () => {
  test('a link to / copied out stays a link', async () => {
    const out = path.join(e.dir, 'rl-out');
    const r = await e.tote(['cp', 'x:/rootlink', out]);
    expect(r.code).toBe(0);
    expect(lstatSync(out).isSymbolicLink()).toBe(true);
    expect(readlinkSync(out)).toBe('/');
  });

  test('a link to a host directory copied out into a dir holding it: nothing written through it', async () => {
    // The host has a dir where the link's target would lead; a container file
    // "inside" the link must land under DEST, never in that host dir.
    const victim = path.join(e.dir, 'victim');
    mkdirSync(victim);
    const ctr = `hl-${Date.now()}`;
    const r = await e.tote(['run', '--name', ctr, 'busybox', 'sh', '-c', `mkdir /p; ln -s ${victim} /p/hostlink; echo evil > /p/evil`]);
    expect(r.code).toBe(0);
    const dest = path.join(e.dir, 'hl-out');
    mkdirSync(dest);
    expect((await e.tote(['cp', `${ctr}:/p`, dest])).code).toBe(0);
    expect(readlinkSync(path.join(dest, 'p/hostlink'))).toBe(victim);
    expect(readFileSync(path.join(dest, 'p/evil'), 'utf8')).toBe('evil\n');
    // Reading through the link resolves inside the container, where the path does not exist.
    const r2 = await e.tote(['cp', `${ctr}:/p/hostlink/`, path.join(e.dir, 'nothing')]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain('Could not find the file');
    expect(existsSync(path.join(victim, 'evil'))).toBe(false);
  });

  test('copying in through a link to / stays inside the container', async () => {
    const src = path.join(e.dir, 'in.txt');
    writeFileSync(src, 'data\n');
    expect((await e.tote(['cp', src, 'x:/rootlink/tmp/'])).code).toBe(0);
    expect(existsSync('/tmp/in.txt') && readFileSync('/tmp/in.txt', 'utf8') === 'data\n').toBe(false);
    const back = await e.tote(['cp', 'x:/tmp/in.txt', '-']);
    expect(back.code).toBe(0);
    expect(back.stdout).toContain('data');
  });

  test('copying in through a link to a host path writes inside the container root', async () => {
    const hostDir = path.join(e.dir, 'host-target');
    mkdirSync(hostDir);
    const ctr = `hl2-${Date.now()}`;
    expect((await e.tote(['run', '--name', ctr, 'busybox', 'sh', '-c', `ln -s ${hostDir} /out`])).code).toBe(0);
    const src = path.join(e.dir, 'payload');
    writeFileSync(src, 'payload\n');
    const r = await e.tote(['cp', src, `${ctr}:/out/`]);
    // Either refused (the target does not exist in the container) or written inside it — never on the host.
    expect(existsSync(path.join(hostDir, 'payload'))).toBe(false);
    if (r.code === 0) {
      const back = await e.tote(['cp', `${ctr}:${hostDir}/payload`, '-']);
      expect(back.stdout).toContain('payload');
    }
  });
});

describe('cp into a container', () => {
  test('a file and a directory, then read back with run', async () => {
    const dir = path.join(e.dir, 'indir');
    mkdirSync(path.join(dir, 'sub'), { recursive: true });
    writeFileSync(path.join(dir, 'sub/x'), 'x\n');
    expect((await e.tote(['cp', dir, 'x:/newdir'])).code).toBe(0);
    const r = await e.tote(['cp', 'x:/newdir/sub/x', '-']);
    expect(r.stdout).toContain('x\n');
  });

  test('a tar on stdin with -', async () => {
    const dir = path.join(e.dir, 'tarsrc');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'z'), 'zz\n');
    const t = spawnSync('tar', ['c', '-C', dir, 'z']);
    const r = await e.tote(['cp', '-', 'x:/tmp'], { input: t.stdout });
    expect(r.code).toBe(0);
    const back = await e.tote(['cp', 'x:/tmp/z', '-']);
    expect(back.stdout).toContain('zz');
    const bad = await e.tote(['cp', '-', 'x:/f'], { input: t.stdout });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('must be a directory');
  });
});

describe('a running container (its namespace joined, /proc/PID/root)', () => {
  test('cp both ways, diff and export while it runs', async () => {
    const d = await e.tote(['run', '-d', '--name', 'live', 'busybox', 'sh', '-c', 'echo live > /live; ln -s / /rl; sleep 60']);
    expect(d.code).toBe(0);
    try {
      let out = '';
      for (let i = 0; i < 50 && !out.includes('live'); i++) {
        out = (await e.tote(['cp', 'live:/live', '-'])).stdout;
        if (!out.includes('live')) await new Promise((r) => setTimeout(r, 100));
      }
      expect(out).toContain('live\n');
      const src = path.join(e.dir, 'to-live');
      writeFileSync(src, 'sent\n');
      const cin = await e.tote(['cp', src, 'live:/rl/tmp/']);
      expect(cin.code).toBe(0);
      expect(existsSync('/tmp/to-live')).toBe(false);
      const ex = await e.tote(['exec', 'live', 'cat', '/tmp/to-live']);
      if (ex.code === 0) expect(ex.stdout).toBe('sent\n');
      const diff = lines((await e.tote(['diff', 'live'])).stdout);
      expect(diff).toContain('A /live');
      expect(diff).toContain('A /tmp/to-live');
      const file = path.join(e.dir, 'live.tar');
      expect((await e.tote(['export', '-o', file, 'live'])).code).toBe(0);
      const names = tarList(file);
      expect(names).toContain('live');
      expect(names).toContain('proc/');
      expect(names.some((n) => n.startsWith('proc/') && n !== 'proc/')).toBe(false);
    } finally {
      await e.tote(['rm', '-f', 'live']);
    }
  });
});

describe('diff, export, commit', () => {
  test('diff lists A/C/D in docker order without the runtime mount points', async () => {
    const r = await e.tote(['diff', 'x']);
    expect(r.code).toBe(0);
    const l = lines(r.stdout);
    expect(l).toContain('A /f');
    expect(l).toContain('A /link');
    expect(l).toContain('A /rootlink');
    expect(l).toContain('D /etc/group');
    expect(l).toContain('C /etc');
    expect(l).not.toContain('A /etc/hosts');
    expect(l.indexOf('C /etc')).toBeLessThan(l.indexOf('D /etc/group'));
    expect(l.indexOf('A /d')).toBeLessThan(l.indexOf('A /d/sub'));
  });

  test('export writes the merged rootfs as a tar', async () => {
    const file = path.join(e.dir, 'x.tar');
    const r = await e.tote(['export', '-o', file, 'x']);
    expect(r.code).toBe(0);
    const names = tarList(file);
    expect(names).toContain('f');
    expect(names).toContain('bin/busybox');
    expect(names).not.toContain('etc/group');
    const piped = await e.tote(['export', 'x']);
    expect(piped.code).toBe(0);
    expect(piped.stdout.length).toBeGreaterThan(1024);
  });

  test('commit makes an image that has the changes', async () => {
    const r = await e.tote(['commit', '-m', 'msg', '-c', 'ENV COMMITTED=yes', 'x', 'committed:v1']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^sha256:[0-9a-f]{64}$/);
    const run = await e.tote(['run', '--rm', 'committed:v1', 'sh', '-c', 'cat /f; echo $COMMITTED; ls /etc/group 2>&1; readlink /rootlink']);
    expect(run.code).toBe(0);
    const out = lines(run.stdout);
    expect(out[0]).toBe('hi');
    expect(out[1]).toBe('yes');
    expect(out[2]).toContain('No such file');
    expect(out[3]).toBe('/');
  });

  test('unknown container', async () => {
    const r = await e.tote(['diff', 'nope']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('no such container');
  });
});

describe('commit --pause of a running container', () => {
  test('the container is held during the commit and resumes after it', async () => {
    const run = await e.tote(['run', '-d', '--name', 'counter', 'busybox', 'sh', '-c', 'i=0; while true; do i=$((i+1)); echo $i > /count.new; mv /count.new /count; sleep 0.05; done']);
    expect({ code: run.code, out: show(run) }).toMatchObject({ code: 0 });
    await new Promise((r) => setTimeout(r, 500));
    const commit = await e.tote(['commit', 'counter', 'counted:v1']);
    expect({ code: commit.code, out: show(commit) }).toMatchObject({ code: 0 });
    const inImage = Number((await e.tote(['run', '--rm', 'counted:v1', 'cat', '/count'])).stdout.trim());
    expect(inImage).toBeGreaterThan(0);
    const before = Number((await e.tote(['exec', 'counter', 'cat', '/count'])).stdout.trim());
    await new Promise((r) => setTimeout(r, 400));
    const after = Number((await e.tote(['exec', 'counter', 'cat', '/count'])).stdout.trim());
    // Resumed (SIGCONT): the loop goes on after the commit.
    expect(after).toBeGreaterThan(before);
    const state = await e.tote(['exec', 'counter', 'sh', '-c', 'grep State /proc/1/status']);
    expect(state.stdout).not.toMatch(/stopped/);
    await e.tote(['rm', '-f', 'counter']);
  });
});
