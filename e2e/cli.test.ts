/**
 * The command line itself: version, help, unknown commands and flags, info.
 */
import { describe, test, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { makeEnv, repoRoot, show } from './harness.js';

const e = makeEnv();
const pkg = JSON.parse(readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as { version: string };

describe('tote CLI', () => {
  test('--version prints the package version', async () => {
    const r = await e.tote(['--version']);
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
    expect(r.stdout).toContain(pkg.version);
  });

  test('version exits 0 and names the version', async () => {
    const r = await e.tote(['version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(pkg.version);
  });

  test('--help lists the commands', async () => {
    const r = await e.tote(['--help']);
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
    for (const cmd of ['run', 'import', 'images', 'tag', 'rmi', 'info', 'unshare']) {
      expect(r.stdout).toMatch(new RegExp(`\\b${cmd}\\b`));
    }
  });

  test('run --help documents the run flags', async () => {
    const r = await e.tote(['run', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--rm', '--name', '--env', '--env-file', '--workdir', '--user', '--entrypoint', '--hostname', '--volume', '--read-only', '--interactive', '--tty']) {
      expect(r.stdout).toContain(flag);
    }
  });

  test('an unknown command exits 125 and names it', async () => {
    const r = await e.tote(['frobnicate']);
    expect(r.code).toBe(125);
    expect(r.stderr).toContain('frobnicate');
    expect(r.stderr).toMatch(/^Error: /m);
  });

  test('an unknown flag exits 125 and names it', async () => {
    const r = await e.tote(['run', '--nosuchflag', 'busybox']);
    expect(r.code).toBe(125);
    expect(r.stderr).toContain('nosuchflag');
  });

  test('an unknown global flag exits 125 and names it', async () => {
    const r = await e.tote(['--frobnicate-globally', 'images']);
    expect(r.code).toBe(125);
    expect(r.stderr).toContain('frobnicate-globally');
  });

  test('errors carry no stack trace by default', async () => {
    const r = await e.tote(['run', '--rm', 'nosuchimage', 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  test('info mentions the OCI runtime and the storage driver', async () => {
    const r = await e.tote(['info']);
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
    expect(r.stdout).toMatch(/crun|runc/);
    expect(r.stdout).toMatch(/overlay|fuse-overlayfs|vfs|copy/i);
    expect(r.stdout).toMatch(/rootless/i);
  });

  test('unshare runs a command as root of the user namespace', async () => {
    const r = await e.tote(['unshare', 'id', '-u']);
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
    expect(r.stdout).toBe('0\n');
  });

  test('unshare passes on the exit code', async () => {
    const r = await e.tote(['unshare', 'sh', '-c', 'exit 5']);
    expect(r.code).toBe(5);
  });
});

describe('tote network (docker noun)', () => {
  test('ls lists the built-in networks in docker\'s table; inspect shows one', async () => {
    const ls = await e.tote(['network', 'ls']);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/^NETWORK ID\s+NAME\s+DRIVER\s+SCOPE$/m);
    expect(ls.stdout).toMatch(/^[0-9a-f]{12}\s+none\s+null\s+local$/m);
    expect(ls.stdout).toMatch(/^[0-9a-f]{12}\s+host\s+host\s+local$/m);
    const names = await e.tote(['network', 'ls', '--format', '{{.Name}}']);
    expect(names.stdout.split('\n')).toContain('none');
    const inspect = await e.tote(['network', 'inspect', '--format', '{{.Driver}}', 'none']);
    expect(inspect.stdout.trim()).toBe('null');
    expect((await e.tote(['network', 'inspect', 'nope'])).code).toBe(1);
  });

  test('create is refused with a hint, exit 125', async () => {
    const r = await e.tote(['network', 'create', 'mynet']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/not supported/);
    expect(r.stderr).toMatch(/^Hint: /m);
  });
});
