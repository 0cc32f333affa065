/**
 * Exit codes follow docker: the container's own status, 125 for tote's own
 * errors, 126 when the command cannot be invoked, 127 when it is not found.
 */
import { describe, test, expect, beforeAll } from '@jest/globals';
import { makeEnv, show } from './harness.js';

const e = makeEnv();

beforeAll(async () => {
  await e.importBusybox('busybox');
});

describe('tote run exit codes', () => {
  const table: Array<[string, string[], number]> = [
    ['true', ['true'], 0],
    ['false', ['false'], 1],
    ["sh -c 'exit 32'", ['sh', '-c', 'exit 32'], 32],
    ['a missing command (/no/such)', ['/no/such'], 127],
    ['a missing command on PATH', ['no-such-command'], 127],
    ['a directory as the command (/etc)', ['/etc'], 126],
    ['a non-executable file (/etc/passwd)', ['/etc/passwd'], 126],
  ];

  test.each(table)('%s', async (_label, cmd, code) => {
    const r = await e.tote(['run', '--rm', 'busybox', ...cmd]);
    expect({ code: r.code, out: show(r) }).toMatchObject({ code });
  });

  test('an unknown image exits 125 with "no such image"', async () => {
    const r = await e.tote(['run', '--rm', 'nosuchimage', 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^Error: .*no such image/im);
    expect(r.stdout).toBe('');
  });

  test('127 and 126 come with an error that names the command', async () => {
    const missing = await e.tote(['run', '--rm', 'busybox', '/no/such']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain('/no/such');
    const dir = await e.tote(['run', '--rm', 'busybox', '/etc']);
    expect(dir.code).toBe(126);
    expect(dir.stderr).toContain('/etc');
  });

  test('stdout and stderr of the container reach the caller separately', async () => {
    const r = await e.tote(['run', '--rm', 'busybox', 'sh', '-c', 'echo to-out; echo to-err >&2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('to-out\n');
    expect(r.stderr).toContain('to-err\n');
    expect(r.stderr).not.toContain('to-out');
  });
});
