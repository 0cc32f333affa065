/**
 * import, images, tag, rmi and image inspect, in docker's formats.
 */
import { describe, test, expect, beforeAll } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeEnv, show, lines } from './harness.js';
import { busyboxTarBuffer } from './fixtures/busybox.js';

const e = makeEnv();
let importedId = '';

/** `tote images` as rows of columns (split on runs of 2+ spaces). */
async function imagesTable(args: string[] = []): Promise<string[][]> {
  const r = await e.tote(['images', ...args]);
  if (r.code !== 0) throw new Error(`tote images failed\n${show(r)}`);
  return lines(r.stdout).map((l) => l.trim().split(/\s{2,}/));
}

async function repoTags(): Promise<string[]> {
  const rows = await imagesTable();
  return rows.slice(1).map((r) => `${r[0]}:${r[1]}`).sort();
}

beforeAll(async () => {
  const tarFile = await e.busyboxTar();
  const r = await e.tote(['import', tarFile, 'busybox']);
  if (r.code !== 0) throw new Error(`import failed\n${show(r)}`);
  importedId = lines(r.stdout).pop() ?? '';
});

describe('import', () => {
  test('prints the image id as sha256:<64 hex>', () => {
    expect(importedId).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  test('from stdin with -', async () => {
    const input = await busyboxTarBuffer();
    const r = await e.tote(['import', '-', 'fromstdin:v1'], { input });
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
    expect(lines(r.stdout).pop()).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await repoTags()).toContain('fromstdin:v1');
    const run = await e.tote(['run', '--rm', 'fromstdin:v1', 'echo', 'ok']);
    expect(run.stdout).toBe('ok\n');
  });

  test('-m sets the image comment', async () => {
    const tarFile = await e.busyboxTar();
    const r = await e.tote(['import', '-m', 'made by e2e', tarFile, 'withmsg:v1']);
    expect(r.code).toBe(0);
    const inspect = await e.tote(['image', 'inspect', 'withmsg:v1']);
    expect(JSON.parse(inspect.stdout)[0].Comment).toBe('made by e2e');
  });

  test('a tarball a normal user made: its root owned by that user, read-only (rootless: moved into place inside the namespace)', async () => {
    const root = path.join(e.dir, 'user-made');
    mkdirSync(path.join(root, 'bin'), { recursive: true });
    copyFileSync('/bin/busybox', path.join(root, 'bin', 'busybox'));
    symlinkSync('busybox', path.join(root, 'bin', 'sh'));
    const tarFile = path.join(e.dir, 'user-made.tar');
    execFileSync('tar', ['--owner=1000', '--group=1000', '--mode=a-w', '-C', root, '-cf', tarFile, '.']);
    const r = await e.tote(['import', tarFile, 'usermade:v1']);
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
    const run = await e.tote(['run', '--rm', '--network', 'none', 'usermade:v1', '/bin/busybox', 'stat', '-c', '%u:%g %a', '/bin', '/bin/busybox']);
    expect({ code: run.code, out: run.stdout.trim().split('\n') }).toEqual({ code: 0, out: ['1000:1000 555', '1000:1000 555'] });
    expect((await e.tote(['rmi', 'usermade:v1'])).code).toBe(0);
  });

  test('a truncated tar fails with 125 and imports nothing', async () => {
    const before = await repoTags();
    const beforeIds = (await e.tote(['images', '-q', '--no-trunc'])).stdout;
    const truncated = path.join(e.dir, 'truncated.tar');
    writeFileSync(truncated, readFileSync(await e.busyboxTar()).subarray(0, 10000));
    const r = await e.tote(['import', truncated, 'truncated:v1']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^Error: /m);
    expect(await repoTags()).toEqual(before);
    expect((await e.tote(['images', '-q', '--no-trunc'])).stdout).toBe(beforeIds);
  });

  test('a file that is not a tar fails with 125', async () => {
    const garbage = path.join(e.dir, 'garbage.tar');
    writeFileSync(garbage, 'this is not a tar archive\n'.repeat(100));
    const before = await repoTags();
    const r = await e.tote(['import', garbage, 'garbage:v1']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^Error: /m);
    expect(await repoTags()).toEqual(before);
  });

  test('a missing file fails with 125 and names it', async () => {
    const r = await e.tote(['import', '/no/such/file.tar', 'missing:v1']);
    expect(r.code).toBe(125);
    expect(r.stderr).toContain('/no/such/file.tar');
  });
});

describe('images', () => {
  test('docker’s table: header and a busybox row', async () => {
    const rows = await imagesTable();
    expect(rows[0]).toEqual(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE']);
    const busybox = rows.find((r) => r[0] === 'busybox' && r[1] === 'latest');
    expect(busybox).toBeDefined();
    expect(busybox![2]).toBe(importedId.slice('sha256:'.length, 'sha256:'.length + 12));
    expect(busybox![3]).toMatch(/ago$|^Less than a second ago$/);
    expect(busybox![4]).toMatch(/^[0-9.]+\s?(B|kB|MB|GB)$/);
  });

  test('-q prints 12-hex ids', async () => {
    const r = await e.tote(['images', '-q']);
    expect(r.code).toBe(0);
    const ids = lines(r.stdout);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{12}$/);
    expect(ids).toContain(importedId.slice(7, 19));
  });

  test('--no-trunc prints full sha256 ids', async () => {
    const rows = await imagesTable(['--no-trunc']);
    const busybox = rows.find((r) => r[0] === 'busybox');
    expect(busybox![2]).toBe(importedId);
    const q = await e.tote(['images', '-q', '--no-trunc']);
    for (const id of lines(q.stdout)) expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe('tag and rmi', () => {
  test('tag adds a name for the same image; rmi of the tag untags it', async () => {
    const t = await e.tote(['tag', 'busybox', 'mine:v1']);
    expect({ code: t.code, out: show(t) }).toMatchObject({ code: 0 });
    const rows = await imagesTable();
    const mine = rows.find((r) => r[0] === 'mine' && r[1] === 'v1');
    const busybox = rows.find((r) => r[0] === 'busybox' && r[1] === 'latest');
    expect(mine).toBeDefined();
    expect(mine![2]).toBe(busybox![2]);

    const r = await e.tote(['rmi', 'mine:v1']);
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
    expect(lines(r.stdout)).toEqual(['Untagged: mine:v1']);
    const after = await repoTags();
    expect(after).not.toContain('mine:v1');
    expect(after).toContain('busybox:latest');
  });

  test('tag by short id and with a registry host', async () => {
    const t = await e.tote(['tag', importedId.slice(7, 19), 'localhost:5000/team/app:2']);
    expect(t.code).toBe(0);
    expect(await repoTags()).toContain('localhost:5000/team/app:2');
    const r = await e.tote(['rmi', 'localhost:5000/team/app:2']);
    expect(r.code).toBe(0);
  });

  test('tag of a missing image fails with 125', async () => {
    const r = await e.tote(['tag', 'nosuchimage', 'x:y']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/no such image/i);
  });

  test('rmi of the last tag deletes the image and frees it', async () => {
    const tarFile = await e.busyboxTar();
    const imp = await e.tote(['import', '--change', 'LABEL purpose=delete-me', tarFile, 'deleteme:v1']);
    expect(imp.code).toBe(0);
    const id = lines(imp.stdout).pop()!;
    const r = await e.tote(['rmi', 'deleteme:v1']);
    expect(r.code).toBe(0);
    // docker: the tag, then the image, then any layers nothing else uses.
    const out = lines(r.stdout);
    expect(out.slice(0, 2)).toEqual(['Untagged: deleteme:v1', `Deleted: ${id}`]);
    for (const l of out.slice(2)) expect(l).toMatch(/^Deleted: sha256:[0-9a-f]{64}$/);
    expect(lines((await e.tote(['images', '-q', '--no-trunc'])).stdout)).not.toContain(id);
  });

  test('rmi of a missing image fails and names it', async () => {
    const r = await e.tote(['rmi', 'nosuchimage:v9']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/nosuchimage/);
  });

  test('rmi refuses an image a container uses, unless -f', async () => {
    const tarFile = await e.busyboxTar();
    const imp = await e.tote(['import', '--change', 'LABEL purpose=in-use', tarFile, 'used:v1']);
    expect(imp.code).toBe(0);
    const run = await e.tote(['run', '--name', 'user-of-used', 'used:v1', 'true']);
    expect({ code: run.code, out: show(run) }).toMatchObject({ code: 0 });

    const refused = await e.tote(['rmi', 'used:v1']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/^Error: .*container/im);
    expect(await repoTags()).toContain('used:v1');

    const forced = await e.tote(['rmi', '-f', 'used:v1']);
    expect({ code: forced.code, out: show(forced) }).toMatchObject({ code: 0 });
    expect(forced.stdout).toContain('Untagged: used:v1');
    expect(await repoTags()).not.toContain('used:v1');
  });
});

describe('image inspect', () => {
  test('docker’s keys', async () => {
    const r = await e.tote(['image', 'inspect', 'busybox']);
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
    const data = JSON.parse(r.stdout);
    expect(Array.isArray(data)).toBe(true);
    expect(data).toHaveLength(1);
    const img = data[0];
    expect(img.Id).toBe(importedId);
    expect(img.RepoTags).toContain('busybox:latest');
    expect(img.Config).toHaveProperty('Cmd');
    expect(img.RootFS.Type).toBe('layers');
    expect(img.RootFS.Layers).toHaveLength(1);
    expect(img.RootFS.Layers[0]).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(img.Os).toBe('linux');
    const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };
    expect(img.Architecture).toBe(arch[process.arch] ?? process.arch);
    expect(typeof img.Created).toBe('string');
    expect(typeof img.Size).toBe('number');
  });

  test('--change values land in Config', async () => {
    const tarFile = await e.busyboxTar();
    const imp = await e.tote([
      'import',
      '--change', 'ENV A=1',
      '--change', 'WORKDIR /home/app',
      '--change', 'USER app',
      '--change', 'EXPOSE 8080',
      '--change', 'LABEL k=v',
      '--change', 'ENTRYPOINT ["/bin/sh","-c"]',
      '--change', 'CMD ["echo $A"]',
      tarFile,
      'changed:v1',
    ]);
    expect({ code: imp.code, out: show(imp) }).toMatchObject({ code: 0 });
    const cfg = JSON.parse((await e.tote(['image', 'inspect', 'changed:v1'])).stdout)[0].Config;
    expect(cfg.Env).toContain('A=1');
    expect(cfg.WorkingDir).toBe('/home/app');
    expect(cfg.User).toBe('app');
    expect(cfg.ExposedPorts).toHaveProperty(['8080/tcp']);
    expect(cfg.Labels).toEqual({ k: 'v' });
    expect(cfg.Entrypoint).toEqual(['/bin/sh', '-c']);
    expect(cfg.Cmd).toEqual(['echo $A']);
    const run = await e.tote(['run', '--rm', '-u', 'root', 'changed:v1']);
    expect(run.stdout).toBe('1\n');
  });

  test('an unknown image fails with 125', async () => {
    const r = await e.tote(['image', 'inspect', 'nosuchimage']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no such image/i);
  });
});

describe('images --filter and image prune', () => {
  test('reference, dangling, since/before and bad keys', async () => {
    const tag = await e.tote(['tag', 'busybox', 'filtered:v1']);
    expect(tag.code).toBe(0);
    const byRef = await e.tote(['images', '--filter', 'reference=filt*', '--format', '{{.Repository}}:{{.Tag}}']);
    expect(byRef.stdout.trim()).toBe('filtered:v1');
    // Earlier tests leave unnamed images; dangling=true lists only those.
    const dangling = await e.tote(['images', '-f', 'dangling=true', '--format', '{{.Repository}}:{{.Tag}}']);
    for (const line of dangling.stdout.split('\n').filter(Boolean)) expect(line).toBe('<none>:<none>');
    const named = await e.tote(['images', '-f', 'dangling=false', '--format', '{{.Repository}}']);
    expect(named.stdout.split('\n')).toContain('filtered');
    const bad = await e.tote(['images', '--filter', 'frob=1']);
    expect(bad.code).toBe(125);
    expect(bad.stderr).toMatch(/invalid filter 'frob'/);
    await e.tote(['rmi', 'filtered:v1']);
  });

  test('image prune removes dangling images only; -a removes every unused one', async () => {
    const id = (await e.tote(['import', await e.busyboxTar()])).stdout.trim(); // unnamed: dangling
    expect((await e.tote(['images', '-f', 'dangling=true', '-q', '--no-trunc'])).stdout).toContain(id);
    const pruned = await e.tote(['image', 'prune', '-f']);
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toContain(`deleted: ${id}`);
    expect(pruned.stdout).toMatch(/^Total reclaimed space: /m);
    expect((await e.tote(['images', '-q'])).stdout.trim()).not.toBe('');
    const declined = await e.tote(['image', 'prune', '-a'], { input: 'n\n' });
    expect(declined.stdout).toMatch(/Are you sure you want to continue\? \[y\/N\]/);
    expect(declined.stdout).not.toMatch(/deleted:/);
  });
});
