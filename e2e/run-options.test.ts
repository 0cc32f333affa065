/**
 * `tote run` flags and the image config: env, workdir, user, entrypoint,
 * hostname, volumes, read-only root, stdin, --rm and --name.
 */
import { describe, test, expect, beforeAll } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { makeEnv, show, lines } from './harness.js';

const e = makeEnv();

beforeAll(async () => {
  await e.importBusybox('busybox');
  await e.importBusybox('cfg:v1', [
    '--change',
    'ENV A=1',
    '--change',
    'WORKDIR /home/app',
    '--change',
    'USER app',
    '--change',
    'CMD ["sh","-c","echo $A; pwd; id -un"]',
  ]);
});

async function run(args: string[], opts: { input?: string } = {}) {
  const r = await e.tote(['run', '--rm', ...args], opts);
  if (r.code !== 0) throw new Error(`tote run ${args.join(' ')} failed\n${show(r)}`);
  return r.stdout;
}

describe('environment', () => {
  test('-e sets a variable', async () => {
    expect(await run(['-e', 'FOO=bar', 'busybox', 'sh', '-c', 'echo $FOO'])).toBe('bar\n');
  });

  test('--env sets several, the last one wins', async () => {
    expect(await run(['--env', 'X=1', '--env', 'Y=two', '-e', 'X=3', 'busybox', 'sh', '-c', 'echo $X $Y'])).toBe('3 two\n');
  });

  test('-e NAME takes the value from tote’s environment', async () => {
    const r = await e.tote(['run', '--rm', '-e', 'FROMHOST', 'busybox', 'sh', '-c', 'echo "[$FROMHOST]"'], {
      env: { FROMHOST: 'hostval' },
    });
    expect(r.stdout).toBe('[hostval]\n');
  });

  test('--env-file reads KEY=VALUE lines, skipping comments and blanks', async () => {
    const file = path.join(e.dir, 'envfile');
    writeFileSync(file, '# a comment\nA=1\n\nB=two words\nC="quoted"\n');
    expect(await run(['--env-file', file, 'busybox', 'sh', '-c', 'echo "$A|$B|$C"'])).toBe('1|two words|"quoted"\n');
  });

  test('PATH and HOSTNAME are set, HOME comes from /etc/passwd', async () => {
    const out = lines(await run(['busybox', 'sh', '-c', 'echo $PATH; echo $HOME; test "$HOSTNAME" = "$(hostname)" && echo same']));
    expect(out[0]).toMatch(/(^|:)\/bin(:|$)/);
    expect(out[1]).toBe('/root');
    expect(out[2]).toBe('same');
  });

  test('the host environment does not leak in', async () => {
    const r = await e.tote(['run', '--rm', 'busybox', 'sh', '-c', 'echo "[$LEAKME]"'], { env: { LEAKME: 'oops' } });
    expect(r.stdout).toBe('[]\n');
  });
});

describe('working directory and user', () => {
  test('-w sets the working directory', async () => {
    expect(await run(['-w', '/tmp', 'busybox', 'pwd'])).toBe('/tmp\n');
  });

  test('-w creates a missing directory (as docker does)', async () => {
    expect(await run(['-w', '/made/by/tote', 'busybox', 'pwd'])).toBe('/made/by/tote\n');
  });

  test('-u app runs as uid 1000 with its home', async () => {
    expect(await run(['-u', 'app', 'busybox', 'sh', '-c', 'id -u; id -g; id -un; echo $HOME'])).toBe('1000\n1000\napp\n/home/app\n');
  });

  test('-u 1000:50 sets uid and gid', async () => {
    const out = await run(['-u', '1000:50', 'busybox', 'id']);
    expect(out).toMatch(/^uid=1000\(app\) gid=50\(staff\)/);
  });

  test('-u nobody', async () => {
    expect(await run(['-u', 'nobody', 'busybox', 'sh', '-c', 'id -u; id -g'])).toBe('65534\n65534\n');
  });

  test('-u app:staff resolves the group by name', async () => {
    expect(await run(['-u', 'app:staff', 'busybox', 'sh', '-c', 'id -u; id -g'])).toBe('1000\n50\n');
  });

  test('-u with an unknown user name fails with 125 or 126 and names it', async () => {
    const r = await e.tote(['run', '--rm', '-u', 'nosuchuser', 'busybox', 'true']);
    expect([125, 126]).toContain(r.code);
    expect(r.stderr).toContain('nosuchuser');
  });

  test('the user can write where it owns files, and not to /root', async () => {
    expect(await run(['-u', 'app', 'busybox', 'sh', '-c', 'echo x > /home/app/f && cat /home/app/f'])).toBe('x\n');
    const r = await e.tote(['run', '--rm', '-u', 'app', 'busybox', 'sh', '-c', 'echo x > /root/f']);
    expect(r.code).not.toBe(0);
  });
});

describe('image config from import --change', () => {
  test('ENV, WORKDIR, USER and CMD are honoured', async () => {
    expect(await run(['cfg:v1'])).toBe('1\n/home/app\napp\n');
  });

  test('arguments replace CMD; flags override ENV, WORKDIR and USER', async () => {
    expect(await run(['-e', 'A=2', '-w', '/tmp', '-u', 'root', 'cfg:v1', 'sh', '-c', 'echo $A; pwd; id -un'])).toBe(
      '2\n/tmp\nroot\n',
    );
  });

  test('--entrypoint replaces the entrypoint and the image CMD', async () => {
    expect(await run(['--entrypoint', '/bin/echo', 'busybox', 'hi', 'there'])).toBe('hi there\n');
    expect(await run(['--entrypoint', '/bin/echo', 'cfg:v1'])).toBe('\n');
  });

  test('no command at all is an error (125)', async () => {
    const r = await e.tote(['run', '--rm', 'busybox']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^Error: /m);
  });
});

describe('hostname', () => {
  test('-h sets the hostname', async () => {
    expect(await run(['-h', 'myhost', 'busybox', 'sh', '-c', 'hostname; cat /etc/hostname'])).toBe('myhost\nmyhost\n');
  });
});

describe('volumes', () => {
  test('-v HOSTDIR:/data is read-write both ways', async () => {
    const host = path.join(e.dir, 'vol-rw');
    mkdirSync(host);
    writeFileSync(path.join(host, 'in.txt'), 'from host\n');
    expect(await run(['-v', `${host}:/data`, 'busybox', 'sh', '-c', 'cat /data/in.txt; echo from container > /data/out.txt'])).toBe(
      'from host\n',
    );
    expect(readFileSync(path.join(host, 'out.txt'), 'utf8')).toBe('from container\n');
  });

  test('-v HOSTDIR:/data:ro is read-only', async () => {
    const host = path.join(e.dir, 'vol-ro');
    mkdirSync(host);
    writeFileSync(path.join(host, 'in.txt'), 'ro\n');
    expect(await run(['-v', `${host}:/data:ro`, 'busybox', 'cat', '/data/in.txt'])).toBe('ro\n');
    const r = await e.tote(['run', '--rm', '-v', `${host}:/data:ro`, 'busybox', 'sh', '-c', 'echo x > /data/new']);
    expect(r.code).not.toBe(0);
    expect(existsSync(path.join(host, 'new'))).toBe(false);
  });

  test('-v of a single file', async () => {
    const host = path.join(e.dir, 'single-file');
    writeFileSync(host, 'one file\n');
    expect(await run(['--volume', `${host}:/etc/single`, 'busybox', 'cat', '/etc/single'])).toBe('one file\n');
  });

  test('-v of a missing host path fails with 125 before anything is created', async () => {
    const before = await e.tote(['ps', '-a', '-q', '--no-trunc']);
    const r = await e.tote(['run', '--name', 'vcheck', '-v', '/no/such/path:/x', 'busybox', 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^Error: .*\/no\/such\/path/m);
    if (before.code === 0) {
      const after = await e.tote(['ps', '-a', '-q', '--no-trunc']);
      expect(after.stdout).toBe(before.stdout);
    }
    // The name was never taken: no container record was written.
    expect(await run(['--name', 'vcheck', 'busybox', 'true'])).toBe('');
  });
});

describe('root filesystem and stdin', () => {
  test('--read-only makes / read-only', async () => {
    const r = await e.tote(['run', '--rm', '--read-only', 'busybox', 'touch', '/x']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/read-only/i);
  });

  test('-i passes stdin through', async () => {
    expect(await run(['-i', 'busybox', 'cat'], { input: 'hello stdin\n' })).toBe('hello stdin\n');
  });

  test('without -i the container’s stdin is empty', async () => {
    expect(await run(['busybox', 'cat'], { input: 'should not arrive\n' })).toBe('');
  });

  test('-i with binary input is passed unchanged', async () => {
    const input = Buffer.from(Array.from({ length: 256 * 64 }, (_, i) => i % 256));
    const r = await e.tote(['run', '--rm', '-i', 'busybox', 'md5sum'], { input });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${createHash('md5').update(input).digest('hex')}  -\n`);
  });
});

describe('--rm and --name', () => {
  test('--rm removes the container, so its name can be reused', async () => {
    expect(await run(['--name', 'reusable', 'busybox', 'true'])).toBe('');
    expect(await run(['--name', 'reusable', 'busybox', 'true'])).toBe('');
  });

  test('a second container with the same --name fails with 125', async () => {
    const first = await e.tote(['run', '--name', 'dup', 'busybox', 'true']);
    expect(first.code).toBe(0);
    const second = await e.tote(['run', '--name', 'dup', 'busybox', 'true']);
    expect(second.code).toBe(125);
    expect(second.stderr).toMatch(/^Error: .*dup/m);
  });

  test('a container without --rm keeps its exit code', async () => {
    const r = await e.tote(['run', '--name', 'kept', 'busybox', 'sh', '-c', 'exit 7']);
    expect(r.code).toBe(7);
  });
});
