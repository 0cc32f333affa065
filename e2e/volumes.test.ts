/**
 * Named and anonymous volumes, `tote volume …`, and the mount flags of
 * `run`: --mount, --tmpfs, --volumes-from.
 */
import { describe, test, expect, beforeAll } from '@jest/globals';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeEnv, show, lines } from './harness.js';

const e = makeEnv();

beforeAll(async () => {
  await e.importBusybox('busybox');
});

async function ok(args: string[], opts: { input?: string } = {}): Promise<string> {
  const r = await e.tote(args, opts);
  if (r.code !== 0) throw new Error(`tote ${args.join(' ')} failed\n${show(r)}`);
  return r.stdout;
}

const run = (args: string[]) => ok(['run', '--rm', ...args]);

async function volumeNames(): Promise<string[]> {
  return lines(await ok(['volume', 'ls', '-q']));
}

describe('named volumes with run -v', () => {
  test('data persists across two --rm containers, and the volume is created on first use', async () => {
    expect(await run(['-v', 'data:/data', 'busybox', 'sh', '-c', 'echo kept > /data/f; ls /data'])).toBe('f\n');
    expect(await volumeNames()).toContain('data');
    expect(await run(['-v', 'data:/data', 'busybox', 'cat', '/data/f'])).toBe('kept\n');
  });

  test('a new volume is populated from the image, keeping owners and modes', async () => {
    const out = await run(['-v', 'v2:/etc', 'busybox', 'sh', '-c', 'grep ^root: /etc/passwd; stat -c "%u:%g %a" /etc/owned-by-app']);
    expect(lines(out)[0]).toMatch(/^root:x:0:0:/);
    expect(lines(out)[1]).toMatch(/^1000:1000 /);
    // The copy lives in the volume: a container that mounts it elsewhere sees it.
    expect(await run(['-v', 'v2:/mnt', 'busybox', 'sh', '-c', 'test -f /mnt/passwd && test -f /mnt/group && echo yes'])).toBe('yes\n');
  });

  test('a volume that already has content is not populated again; nocopy skips the copy', async () => {
    await run(['-v', 'v3:/data', 'busybox', 'sh', '-c', 'echo mine > /data/only']);
    // /home has content in the image (home/app): neither volume gets it.
    expect(await run(['-v', 'v3:/home', 'busybox', 'ls', '/home'])).toBe('only\n');
    expect(await run(['-v', 'v4:/home:nocopy', 'busybox', 'ls', '-A', '/home'])).toBe('');
    expect(await run(['-v', 'v5:/home', 'busybox', 'stat', '-c', '%u:%g', '/home/app'])).toBe('1000:1000\n');
  });

  test('-v /path alone is an anonymous volume, removed by --rm', async () => {
    const before = await volumeNames();
    expect(await run(['-v', '/scratch', 'busybox', 'sh', '-c', 'echo x > /scratch/f && cat /scratch/f'])).toBe('x\n');
    expect(await volumeNames()).toEqual(before);
  });

  test('rm -v removes the anonymous volumes of a container, not its named ones', async () => {
    const before = await volumeNames();
    await ok(['run', '--name', 'anon', '-v', '/scratch', '-v', 'named-keep:/keep', 'busybox', 'true']);
    const during = await volumeNames();
    const added = during.filter((n) => !before.includes(n));
    expect(added).toContain('named-keep');
    const anon = added.filter((n) => n !== 'named-keep');
    expect(anon).toHaveLength(1);
    expect(anon[0]).toMatch(/^[0-9a-f]{64}$/);
    const inspect = JSON.parse(await ok(['volume', 'inspect', anon[0]]));
    expect(inspect[0].Labels).toEqual({ 'com.docker.volume.anonymous': '' });
    await ok(['rm', '-v', 'anon']);
    const after = await volumeNames();
    expect(after).not.toContain(anon[0]);
    expect(after).toContain('named-keep');
  });
});

describe('image VOLUMEs and driver options', () => {
  test('an image VOLUME gets an anonymous volume, populated from the image and removed by --rm', async () => {
    await e.importBusybox('withvol', ['--change', 'VOLUME ["/home"]']);
    const before = await volumeNames();
    expect(await run(['withvol', 'sh', '-c', 'grep " /home " /proc/mounts >/dev/null && ls /home'])).toBe('app\n');
    expect(await volumeNames()).toEqual(before);
    // An explicit mount there wins.
    expect(await run(['-v', 'over-home:/home:nocopy', 'withvol', 'ls', '-A', '/home'])).toBe('');
  });

  test('a volume created with type=tmpfs options mounts as a tmpfs', async () => {
    await ok(['volume', 'create', '--opt', 'type=tmpfs', '--opt', 'device=tmpfs', '--opt', 'o=size=1m', 'tmpvol']);
    expect(await run(['-v', 'tmpvol:/t', 'busybox', 'grep', ' /t ', '/proc/mounts'])).toMatch(/^tmpfs \/t tmpfs \S*size=1024k/m);
    const r = await e.tote(['volume', 'rm', 'tmpvol']);
    expect(show(r)).toContain('tmpvol');
    expect(r.code).toBe(0);
  });
});

describe('tote volume', () => {
  test('create prints the name; ls shows docker’s table; inspect has docker’s keys', async () => {
    expect(await ok(['volume', 'create', '--label', 'team=a', 'made'])).toBe('made\n');
    const random = (await ok(['volume', 'create'])).trim();
    expect(random).toMatch(/^[0-9a-f]{64}$/);
    const table = lines(await ok(['volume', 'ls']));
    expect(table[0]).toMatch(/^DRIVER {4}VOLUME NAME$/);
    expect(table).toContain('local     made');
    expect(table).toContain(`local     ${random}`);
    const [v] = JSON.parse(await ok(['volume', 'inspect', 'made']));
    expect(Object.keys(v).sort()).toEqual(['CreatedAt', 'Driver', 'Labels', 'Mountpoint', 'Name', 'Options', 'Scope']);
    expect(v).toMatchObject({ Driver: 'local', Labels: { team: 'a' }, Name: 'made', Scope: 'local', Options: {} });
    expect(v.Mountpoint).toBe(path.join(e.root, 'volumes', 'made', '_data'));
    expect(existsSync(v.Mountpoint)).toBe(true);
    expect(await ok(['volume', 'inspect', '--format', '{{.Name}} {{.Driver}} {{index .Labels "team"}}', 'made'])).toBe('made local a\n');
    await ok(['volume', 'rm', random]);
  });

  test('ls --filter and --format', async () => {
    await ok(['volume', 'create', '--label', 'f=1', 'filt-one']);
    await ok(['volume', 'create', 'filt-two']);
    expect(lines(await ok(['volume', 'ls', '-q', '--filter', 'name=filt-']))).toEqual(['filt-one', 'filt-two']);
    expect(lines(await ok(['volume', 'ls', '-q', '--filter', 'label=f=1']))).toEqual(['filt-one']);
    expect(lines(await ok(['volume', 'ls', '--format', '{{.Name}}:{{.Driver}}:{{.Labels}}', '--filter', 'name=filt-one']))).toEqual(['filt-one:local:f=1']);
    expect(lines(await ok(['volume', 'ls', '--format', 'table {{.Name}}\t{{.Scope}}', '--filter', 'name=filt-two']))).toEqual([
      'VOLUME NAME   SCOPE',
      'filt-two      local',
    ]);
    await ok(['run', '--name', 'user-of-one', '-v', 'filt-one:/x', 'busybox', 'true']); // exited, still a user
    const dangling = lines(await ok(['volume', 'ls', '-q', '--filter', 'dangling=true', '--filter', 'name=filt-']));
    expect(dangling).toEqual(['filt-two']);
    await ok(['rm', 'user-of-one']);
    const r = await e.tote(['volume', 'ls', '--filter', 'bogus=1']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/invalid filter 'bogus'/);
  });

  test('rm refuses a volume a container uses, reports each failure, and -f removes the user too', async () => {
    await ok(['run', '--name', 'holder', '-v', 'busy:/data', 'busybox', 'true']);
    const r = await e.tote(['volume', 'rm', 'busy', 'no-such-volume']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: remove busy: volume is in use - \[[0-9a-f]{64}\]$/m);
    expect(r.stderr).toMatch(/^Error: .*no-such-volume.*no such volume$/m);
    expect(await volumeNames()).toContain('busy');
    expect(await ok(['volume', 'rm', '-f', 'busy'])).toBe('busy\n');
    expect(await volumeNames()).not.toContain('busy');
    const ps = await e.tote(['ps', '-a', '--format', '{{.Names}}']);
    expect(lines(ps.stdout)).not.toContain('holder');
  });

  test('prune removes unused anonymous volumes (named too with --all) and reports them', async () => {
    await ok(['volume', 'create', 'prune-named']);
    const before = await volumeNames();
    await ok(['run', '--name', 'anon-keeper', '-v', '/a', 'busybox', 'sh', '-c', 'head -c 2000 /dev/zero > /a/f']);
    const anonInUse = (await volumeNames()).filter((n) => !before.includes(n));
    expect(anonInUse).toHaveLength(1);
    await ok(['rm', 'anon-keeper']); // without -v: its anonymous volume stays, unused
    await ok(['run', '--name', 'in-use', '-v', 'prune-used:/u', 'busybox', 'true']);

    const r = await ok(['volume', 'prune', '-f']);
    const out = lines(r);
    expect(out[0]).toBe('Deleted Volumes:');
    for (const n of anonInUse) expect(out).toContain(n);
    expect(out).not.toContain('prune-named');
    expect(out[out.length - 2]).toBe('');
    expect(out[out.length - 1]).toMatch(/^Total reclaimed space: 2(\.\d+)?kB$/);

    const all = lines(await ok(['volume', 'prune', '--all', '--force']));
    expect(all).toContain('prune-named');
    expect(all).not.toContain('prune-used');
    expect(await volumeNames()).toContain('prune-used');
    expect(lines(await ok(['volume', 'prune', '-f']))).toEqual(['Total reclaimed space: 0B']);
    await ok(['rm', 'in-use']);
  });

  test('prune without -f asks first and stops on no', async () => {
    await ok(['volume', 'create', 'asked']);
    const r = await e.tote(['volume', 'prune', '--all'], { input: 'n\n' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^WARNING! This will remove all local volumes not used by at least one container\.\nAre you sure you want to continue\? \[y\/N\] /);
    expect(await volumeNames()).toContain('asked');
    const yes = await e.tote(['volume', 'prune', '--all'], { input: 'y\n' });
    expect(yes.stdout).toContain('asked');
    expect(await volumeNames()).not.toContain('asked');
  });

  test('bad names fail with 125', async () => {
    const r = await e.tote(['volume', 'create', 'bad/name']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/invalid characters for a local volume name/);
  });
});

describe('--mount, --tmpfs, --volumes-from', () => {
  test('--tmpfs mounts a tmpfs', async () => {
    const out = await run(['--tmpfs', '/tmp', 'busybox', 'grep', ' /tmp ', '/proc/mounts']);
    expect(out).toMatch(/^tmpfs \/tmp tmpfs \S*nosuid\S*nodev\S*noexec/m);
    const sized = await run(['--tmpfs', '/run:size=1m,mode=1770', 'busybox', 'sh', '-c', 'grep " /run " /proc/mounts; stat -c %a /run']);
    expect(sized).toMatch(/^tmpfs \/run tmpfs \S*size=1024k/m);
    expect(lines(sized).pop()).toBe('1770');
  });

  test('--mount type=tmpfs with tmpfs-size', async () => {
    const out = await run(['--mount', 'type=tmpfs,target=/scratch,tmpfs-size=2m', 'busybox', 'grep', ' /scratch ', '/proc/mounts']);
    expect(out).toMatch(/^tmpfs \/scratch tmpfs \S*size=2048k/m);
  });

  test('--mount type=bind,readonly', async () => {
    const host = path.join(e.dir, 'mount-bind');
    mkdirSync(host);
    writeFileSync(path.join(host, 'in.txt'), 'bound\n');
    expect(await run(['--mount', `type=bind,source=${host},target=/b,readonly`, 'busybox', 'cat', '/b/in.txt'])).toBe('bound\n');
    const r = await e.tote(['run', '--rm', '--mount', `type=bind,src=${host},dst=/b,ro`, 'busybox', 'sh', '-c', 'echo x > /b/new']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Read-only file system/);
    expect(existsSync(path.join(host, 'new'))).toBe(false);
  });

  test('--mount type=bind with a missing source fails before anything is created', async () => {
    const r = await e.tote(['run', '--name', 'nobind', '--mount', 'type=bind,source=/no/such/dir,target=/x', 'busybox', 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^Error: invalid mount config for type "bind": bind source path does not exist: \/no\/such\/dir$/m);
    expect(await run(['--name', 'nobind', 'busybox', 'true'])).toBe('');
  });

  test('--mount type=volume creates and populates a named volume; volume-nocopy does not', async () => {
    expect(await run(['--mount', 'type=volume,source=mv,target=/etc', 'busybox', 'sh', '-c', 'test -f /etc/passwd && echo populated'])).toBe('populated\n');
    expect(await run(['--mount', 'type=volume,src=mv-empty,dst=/home,volume-nocopy', 'busybox', 'ls', '-A', '/home'])).toBe('');
  });

  test('bad --mount values are usage errors', async () => {
    const r = await e.tote(['run', '--rm', '--mount', 'type=bind,target=/x', 'busybox', 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/field Source must not be empty/);
    const dup = await e.tote(['run', '--rm', '-v', 'a:/x', '--tmpfs', '/x', 'busybox', 'true']);
    expect(dup.code).toBe(125);
    expect(dup.stderr).toMatch(/duplicate mount point: \/x/);
  });

  test('--volumes-from shares the volumes of another container, optionally read-only', async () => {
    await ok(['run', '--name', 'source-ctr', '-v', 'shared:/shared', '-v', '/anon-shared', 'busybox', 'sh', '-c', 'echo hi > /shared/f; echo anon > /anon-shared/g']);
    expect(await run(['--volumes-from', 'source-ctr', 'busybox', 'sh', '-c', 'cat /shared/f /anon-shared/g; echo more >> /shared/f'])).toBe('hi\nanon\n');
    expect(await run(['--volumes-from', 'source-ctr:ro', 'busybox', 'cat', '/shared/f'])).toBe('hi\nmore\n');
    const r = await e.tote(['run', '--rm', '--volumes-from', 'source-ctr:ro', 'busybox', 'sh', '-c', 'echo x > /shared/f']);
    expect(r.code).not.toBe(0);
    const missing = await e.tote(['run', '--rm', '--volumes-from', 'no-such-ctr', 'busybox', 'true']);
    expect(missing.code).toBe(125);
    expect(missing.stderr).toMatch(/no-such-ctr/);
    await ok(['rm', '-v', 'source-ctr']);
  });
});
