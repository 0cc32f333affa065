/**
 * `tote build` end to end as the unprivileged user: the classic output, the
 * cache (hit, miss after an edit, --no-cache), a failing RUN, multi-stage
 * with COPY --from and --target, .dockerignore, context safety, history,
 * -q/--iidfile, stdin inputs and parse errors.
 */
import { describe, test, expect, beforeAll } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeEnv, show, lines } from './harness.js';

const e = makeEnv();

beforeAll(async () => {
  await e.importBusybox('busybox');
});

async function ok(args: string[], opts: { input?: string | Buffer; cwd?: string } = {}): Promise<string> {
  const r = await e.tote(args, { timeoutMs: 90_000, ...opts });
  expect({ args, code: r.code, out: show(r) }).toMatchObject({ code: 0 });
  return r.stdout;
}

function context(name: string, files: Record<string, string>): string {
  const dir = path.join(e.dir, name);
  for (const [f, body] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), body);
  }
  return dir;
}

const APP_DOCKERFILE = `FROM busybox
# a comment
ARG NAME=world
ENV GREETING="hi \${NAME}" \\
    OTHER=\${NAME:-x}
COPY hello.txt /app/
RUN echo "$GREETING" > /app/greet && \\
    cat /app/hello.txt
WORKDIR /app
EXPOSE 8080
USER app
CMD ["cat", "/app/greet"]
`;

describe('build', () => {
  let appDir: string;
  let firstId: string;

  test('the classic output, and the image runs with its config', async () => {
    appDir = context('app', { 'hello.txt': 'hello from the context\n', Dockerfile: APP_DOCKERFILE });
    const stdout = await ok(['build', '-t', 'busybox-app', '-t', 'busybox-app:v1', appDir]);
    const l = lines(stdout);
    expect(l[0]).toBe('Step 1/9 : FROM busybox');
    expect(l[1]).toMatch(/^ ---> [0-9a-f]{12}$/);
    expect(l).toContain('Step 3/9 : ENV GREETING="hi ${NAME}"     OTHER=${NAME:-x}');
    const run = l.indexOf('Step 5/9 : RUN echo "$GREETING" > /app/greet &&     cat /app/hello.txt');
    expect(run).toBeGreaterThan(0);
    expect(l[run + 1]).toMatch(/^ ---> Running in [0-9a-f]{12}$/);
    expect(l[run + 2]).toBe('hello from the context');
    expect(l[run + 3]).toBe(`Removing intermediate container ${l[run + 1].slice(-12)}`);
    expect(l[run + 4]).toMatch(/^ ---> [0-9a-f]{12}$/);
    expect(l).toContain('Step 9/9 : CMD ["cat", "/app/greet"]');
    const built = l.find((x) => x.startsWith('Successfully built '))!;
    firstId = built.slice('Successfully built '.length);
    expect(firstId).toMatch(/^[0-9a-f]{12}$/);
    expect(l.slice(-2)).toEqual(['Successfully tagged busybox-app:latest', 'Successfully tagged busybox-app:v1']);

    expect(await ok(['run', '--rm', 'busybox-app'])).toBe('hi world\n');
    const cfg = JSON.parse(await ok(['image', 'inspect', '--format', '{{json .Config}}', 'busybox-app'])) as Record<string, unknown>;
    expect(cfg).toMatchObject({ User: 'app', WorkingDir: '/app', Cmd: ['cat', '/app/greet'], ExposedPorts: { '8080/tcp': {} } });
    expect(cfg.Env).toEqual(expect.arrayContaining(['GREETING=hi world', 'OTHER=world']));
    expect(await ok(['run', '--rm', 'busybox-app', 'sh', '-c', 'id -u; pwd; stat -c "%u %a" /app/hello.txt'])).toBe('1000\n/app\n0 644\n');
    // No intermediate container is left.
    expect((await ok(['ps', '-a', '-q'])).trim()).toBe('');
  });

  test('a second identical build comes entirely from the cache', async () => {
    const l = lines(await ok(['build', '-t', 'busybox-app', appDir]));
    const steps = l.filter((x) => x.startsWith('Step '));
    expect(steps).toHaveLength(9);
    for (let i = 1; i < steps.length; i++) {
      const at = l.indexOf(steps[i]);
      expect({ step: steps[i], next: l[at + 1] }).toEqual({ step: steps[i], next: ' ---> Using cache' });
    }
    expect(l.some((x) => x.includes('Running in'))).toBe(false);
    expect(l).toContain(`Successfully built ${firstId}`);
  });

  test('changing one copied file rebuilds from that step on; --no-cache rebuilds all', async () => {
    writeFileSync(path.join(appDir, 'hello.txt'), 'changed\n');
    const l = lines(await ok(['build', appDir]));
    const after = (s: string) => l[l.findIndex((x) => x.startsWith(s)) + 1];
    expect(after('Step 3/9')).toBe(' ---> Using cache');
    expect(after('Step 4/9')).not.toBe(' ---> Using cache');
    expect(after('Step 5/9')).toMatch(/Running in/);
    expect(l).toContain('changed');
    const nc = lines(await ok(['build', '--no-cache', appDir]));
    expect(nc.some((x) => x === ' ---> Using cache')).toBe(false);
  });

  test('history shows the steps, newest first', async () => {
    const out = lines(await ok(['history', 'busybox-app']));
    expect(out[0]).toMatch(/^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
    expect(out[1]).toMatch(new RegExp(`^${firstId}\\s+.* ago\\s+/bin/sh -c #\\(nop\\) CMD \\["cat", "/app/greet"\\]\\s+0B`));
    expect(out.some((x) => /\/bin\/sh -c #\(nop\) USER app/.test(x))).toBe(true);
    expect(out.at(-1)).toMatch(/tote import/);
    const full = await ok(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'busybox-app']);
    expect(full).toContain('|1 NAME=world /bin/sh -c echo "$GREETING" > /app/greet &&     cat /app/hello.txt');
    expect(lines(await ok(['history', '-q', 'busybox-app']))[0]).toBe(firstId);
  });

  test('-q prints only the id, --iidfile writes it, --label and --build-arg apply', async () => {
    const iid = path.join(e.dir, 'iid');
    const out = await ok(['build', '-q', '--iidfile', iid, '--label', 'team=tote', '--build-arg', 'NAME=there', '--build-arg', 'UNUSED=1', appDir]);
    expect(out).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect(readFileSync(iid, 'utf8')).toBe(out.trim());
    const id = out.trim();
    expect(await ok(['inspect', '--format', '{{index .Config.Labels "team"}}', id])).toBe('tote\n');
    expect(await ok(['run', '--rm', id])).toBe('hi there\n');
    const warn = await ok(['build', '--build-arg', 'UNUSED=1', appDir]);
    expect(warn).toContain('[Warning] One or more build-args [UNUSED] were not consumed');
  });

  test('a failing RUN stops the build: step, command and exit code; nothing tagged, nothing left', async () => {
    const dir = context('fail', { Dockerfile: 'FROM busybox\nRUN echo before\nRUN false\nRUN echo never\n' });
    const r = await e.tote(['build', '-t', 'broken', dir], { timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error: building at STEP "RUN false": while running runtime: exit status 1');
    expect(r.stdout).not.toContain('never');
    expect(r.stdout).not.toContain('Successfully');
    expect((await e.tote(['image', 'inspect', 'broken'])).code).not.toBe(0);
    expect((await ok(['ps', '-a', '-q'])).trim()).toBe('');
  });

  test('multi-stage: COPY --from a stage, --target stops at a stage', async () => {
    const dir = context('multi', {
      Dockerfile: [
        'ARG BASE=busybox',
        'FROM ${BASE} AS builder',
        'RUN mkdir /out && echo artifact > /out/a.txt && chmod 600 /out/a.txt',
        'FROM busybox AS tester',
        'RUN echo tester-stage',
        'FROM scratch',
        'COPY --from=builder --chown=1000:1000 /out/ /result/',
        'COPY --from=busybox /bin/busybox /bin/busybox',
        'CMD ["/bin/busybox", "cat", "/result/a.txt"]',
        '',
      ].join('\n'),
    });
    const l = lines(await ok(['build', '-t', 'multi', dir]));
    expect(l[0]).toBe('Step 1/9 : ARG BASE=busybox');
    expect(l).toContain('Step 2/9 : FROM ${BASE} AS builder');
    expect(await ok(['run', '--rm', 'multi'])).toBe('artifact\n');
    expect(await ok(['run', '--rm', '--entrypoint', '/bin/busybox', 'multi', 'stat', '-c', '%u:%g %a', '/result/a.txt'])).toBe('1000:1000 600\n');
    const t = lines(await ok(['build', '--target', 'builder', '-t', 'multi-builder', dir]));
    expect(t.filter((x) => x.startsWith('Step '))).toHaveLength(3);
    expect(t.some((x) => x.includes('tester-stage'))).toBe(false);
    expect(await ok(['run', '--rm', 'multi-builder', 'cat', '/out/a.txt'])).toBe('artifact\n');
  });

  test('.dockerignore excludes files from the context', async () => {
    const dir = context('ignore', {
      '.dockerignore': '# comment\n*.secret\nlogs\n!logs/keep.log\n',
      'a.txt': 'a\n',
      'x.secret': 'no\n',
      'sub/y.secret': 'nested is not matched by *.secret\n',
      'logs/drop.log': 'drop\n',
      'logs/keep.log': 'keep\n',
      Dockerfile: 'FROM busybox\nCOPY . /ctx/\nCMD ["find", "/ctx", "-type", "f"]\n',
    });
    const files = lines(await ok(['build', '-q', dir]).then((id) => ok(['run', '--rm', id.trim()]))).sort();
    expect(files).toEqual(['/ctx/.dockerignore', '/ctx/Dockerfile', '/ctx/a.txt', '/ctx/logs/keep.log', '/ctx/sub/y.secret']);
    const missing = context('ignore2', { '.dockerignore': 'x.secret\n', 'x.secret': 's', Dockerfile: 'FROM busybox\nCOPY x.secret /\n' });
    const r = await e.tote(['build', missing]);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/x\.secret/);
  });

  test('the context cannot be left: ../ and symlinks pointing outside are refused or kept as links', async () => {
    const secret = path.join(e.dir, 'outside-secret');
    writeFileSync(secret, 'TOP SECRET\n');
    const dir = context('escape', { Dockerfile: 'FROM busybox\nCOPY link /x\n', 'd/file': 'f\n' });
    symlinkSync(secret, path.join(dir, 'link'));
    symlinkSync('../../outside-secret', path.join(dir, 'd', 'rel-link'));
    let r = await e.tote(['build', dir]);
    expect({ code: r.code, err: r.stderr }).toMatchObject({ code: 125, err: expect.stringContaining('forbidden path outside the build context: link') });
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM busybox\nCOPY ../outside-secret /x\n');
    r = await e.tote(['build', dir]);
    expect({ code: r.code, err: r.stderr }).toMatchObject({ code: 125, err: expect.stringContaining('forbidden path outside the build context') });
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM busybox\nCOPY d/rel-link /x\n');
    r = await e.tote(['build', dir]);
    expect(r.code).toBe(125);
    // Inside a copied directory a symlink stays a symlink: its target is never read.
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM busybox\nCOPY d /d\nCMD ["sh", "-c", "readlink /d/rel-link; cat /d/rel-link 2>&1 || true"]\n');
    const id = (await ok(['build', '-q', dir])).trim();
    const out = await ok(['run', '--rm', id]);
    expect(out).toContain('../../outside-secret');
    expect(out).not.toContain('TOP SECRET');
  });

  test('more instructions: SHELL, heredocs, ADD of a local tar, ONBUILD, HEALTHCHECK, VOLUME, STOPSIGNAL, ENTRYPOINT', async () => {
    const dir = context('more', { 'payload/inner.txt': 'from the tar\n' });
    execFileSync('tar', ['-czf', path.join(dir, 'p.tar.gz'), '-C', path.join(dir, 'payload'), '.']);
    writeFileSync(
      path.join(dir, 'Dockerfile'),
      [
        '# syntax=docker/dockerfile:1',
        'FROM busybox',
        'SHELL ["/bin/sh", "-ec"]',
        'RUN <<EOF',
        'echo line1 > /h.txt',
        'echo line2 >> /h.txt',
        'EOF',
        'ADD p.tar.gz /unpacked/',
        'COPY <<EOT /inline.txt',
        'inline body',
        'EOT',
        'ONBUILD RUN echo triggered > /onbuild.txt',
        'HEALTHCHECK --interval=5s --retries=2 CMD true',
        'VOLUME /data',
        'STOPSIGNAL SIGINT',
        'ENTRYPOINT ["/bin/cat"]',
        'CMD ["/h.txt", "/unpacked/inner.txt", "/inline.txt"]',
        '',
      ].join('\n'),
    );
    const stdout = await ok(['build', '-t', 'more', dir]);
    expect(stdout).toContain('NOTE: the "# syntax=docker/dockerfile:1" directive is ignored');
    expect(await ok(['run', '--rm', 'more'])).toBe('line1\nline2\nfrom the tar\ninline body\n');
    const cfg = JSON.parse(await ok(['image', 'inspect', '--format', '{{json .Config}}', 'more'])) as Record<string, unknown>;
    expect(cfg).toMatchObject({
      Shell: ['/bin/sh', '-ec'],
      OnBuild: ['RUN echo triggered > /onbuild.txt'],
      Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 5e9, Retries: 2 },
      Volumes: { '/data': {} },
      StopSignal: 'SIGINT',
      Entrypoint: ['/bin/cat'],
    });
    const child = context('child', { Dockerfile: 'FROM more\nCMD ["/onbuild.txt"]\n' });
    const cl = await ok(['build', '-t', 'child', child]);
    expect(cl).toContain('# Executing 1 build trigger');
    expect(await ok(['run', '--rm', 'child'])).toBe('triggered\n');
  });

  test('-f -, a Dockerfile alone on stdin, and a tar context on stdin', async () => {
    const dir = context('stdin', { 'f.txt': 'from context\n' });
    let out = await ok(['build', '-q', '-f', '-', dir], { input: 'FROM busybox\nCOPY f.txt /\nCMD ["cat", "/f.txt"]\n' });
    expect(await ok(['run', '--rm', out.trim()])).toBe('from context\n');
    out = await ok(['build', '-q', '-'], { input: 'FROM busybox\nCMD ["echo", "no context"]\n' });
    expect(await ok(['run', '--rm', out.trim()])).toBe('no context\n');
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM busybox\nCOPY f.txt /g.txt\nCMD ["cat", "/g.txt"]\n');
    const tarball = execFileSync('tar', ['-c', '-C', dir, '.']);
    out = await ok(['build', '-q', '-'], { input: tarball });
    expect(await ok(['run', '--rm', out.trim()])).toBe('from context\n');
  });

  test('bad input: syntax errors name the file and line; missing sources; unknown images', async () => {
    const dir = context('bad', { Dockerfile: 'FROM busybox\nRUN true\nFROBNICATE x\n' });
    let r = await e.tote(['build', dir]);
    expect(r.code).toBe(125);
    expect(r.stderr).toContain('Dockerfile:3: unknown instruction: FROBNICATE');
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM busybox\nCOPY nope.txt /\n');
    r = await e.tote(['build', dir]);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/nope\.txt/);
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM no-such-image-here\n');
    r = await e.tote(['build', dir]);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/FROM no-such-image-here.*no-such-image-here/);
    expect((await ok(['ps', '-a', '-q'])).trim()).toBe('');
  });

  test('intermediate images are hidden from images, and rmi deletes them with the image', async () => {
    const dir = context('parents', { Dockerfile: 'FROM busybox\nRUN echo one > /one\nENV STEP=2\n' });
    const id = (await ok(['build', '-q', '-t', 'parents:v1', dir])).trim();
    const all = (await ok(['images', '-a', '-q', '--no-trunc'])).split('\n').filter(Boolean);
    const shown = (await ok(['images', '-q', '--no-trunc'])).split('\n').filter(Boolean);
    const intermediates = all.filter((i) => !shown.includes(i));
    expect(intermediates.length).toBeGreaterThan(0);
    const out = await ok(['rmi', 'parents:v1']);
    expect(out).toContain('Untagged: parents:v1');
    expect(out).toContain(`Deleted: ${id}`);
    // The RUN step's image (unnamed, only parent of the tagged one) goes too.
    expect(out.split('\n').filter((l) => l.startsWith('Deleted: ')).length).toBeGreaterThanOrEqual(2);
    const left = (await ok(['images', '-a', '-q', '--no-trunc'])).split('\n').filter(Boolean);
    expect(left.filter((i) => intermediates.includes(i))).toEqual(intermediates.filter((i) => !out.includes(i)));
  });
});
