/**
 * `tote ps` filters, sizes and formats; `top`, `rename` and
 * `container prune`, against real detached containers.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { makeEnv, show, lines } from './harness.js';

// Registered before makeEnv()'s own cleanup hook, which removes the store:
// afterAll hooks run in the order they are declared.
afterAll(async () => {
  await e.tote(['rm', '-f', 'alpha', 'beta', 'gamma', 'failing', 'fine', 'fresh']);
});

const e = makeEnv();

/** Container names, in ps order (newest first), for these ps arguments. */
async function psNames(...args: string[]): Promise<string[]> {
  const r = await e.tote(['ps', ...args, '--format', '{{.Names}}']);
  expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
  return lines(r.stdout);
}

async function ok(args: string[]): Promise<string> {
  const r = await e.tote(args);
  expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
  return r.stdout;
}

/** Polls until `name` is exited. */
async function waitExited(name: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await e.tote(['ps', '-a', '--filter', `name=^${name}$`, '--format', '{{.State}}']);
    if (r.stdout.trim() === 'exited') return;
    if (Date.now() > deadline) throw new Error(`${name} did not exit\n${show(r)}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

let otherId = '';

beforeAll(async () => {
  await e.importBusybox('busybox');
  // A second image (different config, so a different id) for ancestor=.
  otherId = await e.importBusybox('other', ['--change', 'LABEL flavour=other']);
  // Created in this order, one after the other: before/since depend on it.
  await ok(['run', '-d', '--name', 'alpha', '--label', 'tier=front', '--label', 'app=shop', 'busybox', 'sleep', '100']);
  await ok(['run', '-d', '--name', 'beta', '--label', 'tier=back', 'busybox', 'sleep', '100']);
  await ok(['run', '-d', '--name', 'failing', 'busybox', 'sh', '-c', 'echo data > /written; exit 3']);
  await ok(['run', '-d', '--name', 'fine', 'other', 'true']);
  await ok(['create', '--name', 'fresh', 'busybox', 'true']);
  await waitExited('failing');
  await waitExited('fine');
});

describe('tote ps --filter', () => {
  test('name is a regular expression on the name', async () => {
    expect(await psNames('-a', '--filter', 'name=alpha')).toEqual(['alpha']);
    expect(await psNames('-a', '--filter', 'name=^f')).toEqual(['fresh', 'fine', 'failing']);
    expect(await psNames('-a', '--filter', 'name=^/beta$')).toEqual(['beta']);
    // Same key: OR.
    expect(await psNames('-a', '-f', 'name=alpha', '-f', 'name=beta')).toEqual(['beta', 'alpha']);
  });

  test('status (implies -a), exited=N', async () => {
    expect(await psNames('--filter', 'status=exited')).toEqual(['fine', 'failing']);
    expect(await psNames('--filter', 'status=created')).toEqual(['fresh']);
    expect(await psNames('--filter', 'status=running')).toEqual(['beta', 'alpha']);
    expect(await psNames('-a', '--filter', 'exited=3')).toEqual(['failing']);
    expect(await psNames('-a', '--filter', 'exited=0')).toEqual(['fine']);
    // Different keys: AND.
    expect(await psNames('--filter', 'status=exited', '--filter', 'name=fine')).toEqual(['fine']);
    expect(await psNames('--filter', 'status=running', '--filter', 'name=fine')).toEqual([]);
  });

  test('label=key and label=key=value', async () => {
    expect(await psNames('--filter', 'label=tier')).toEqual(['beta', 'alpha']);
    expect(await psNames('--filter', 'label=tier=back')).toEqual(['beta']);
    expect(await psNames('--filter', 'label=tier', '--filter', 'label=app=shop')).toEqual(['alpha']);
    expect(await psNames('--filter', 'label=nope')).toEqual([]);
  });

  test('ancestor by name, name:tag and id prefix', async () => {
    expect(await psNames('-a', '--filter', 'ancestor=other')).toEqual(['fine']);
    expect(await psNames('-a', '--filter', 'ancestor=other:latest')).toEqual(['fine']);
    expect(await psNames('-a', '--filter', `ancestor=${otherId.replace(/^sha256:/, '').slice(0, 12)}`)).toEqual(['fine']);
    expect(await psNames('-a', '--filter', 'ancestor=busybox')).toEqual(['fresh', 'failing', 'beta', 'alpha']);
    expect(await psNames('-a', '--filter', 'ancestor=nosuchimage')).toEqual([]);
  });

  test('before and since', async () => {
    expect(await psNames('-a', '--filter', 'before=failing')).toEqual(['beta', 'alpha']);
    expect(await psNames('-a', '--filter', 'since=failing')).toEqual(['fresh', 'fine']);
    expect(await psNames('--filter', 'since=alpha')).toEqual(['beta']);
    const bad = await e.tote(['ps', '--filter', 'before=ghost']);
    expect(bad.code).toBe(125);
    expect(bad.stderr).toMatch(/no such container/);
  });

  test('an unknown filter is a usage error', async () => {
    const r = await e.tote(['ps', '--filter', 'foo=bar']);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 125, stdout: '' });
    expect(r.stderr).toMatch(/^Error: invalid filter 'foo'$/m);
    const s = await e.tote(['ps', '--filter', 'status=sleeping']);
    expect(s.code).toBe(125);
    expect(s.stderr).toMatch(/invalid filter 'status=sleeping'/);
  });

  test('-q, -n and -l go with filters', async () => {
    const q = await ok(['ps', '-q', '--filter', 'name=beta']);
    expect(q).toMatch(/^[0-9a-f]{12}\n$/);
    expect(await psNames('-n', '2')).toEqual(['fresh', 'fine']);
    expect(await psNames('-l', '--filter', 'label=tier')).toEqual(['beta']);
  });
});

describe('tote ps output', () => {
  test('-s adds SIZE: the writable layer, and with the image', async () => {
    const r = await e.tote(['ps', '-a', '-s', '--filter', 'name=failing']);
    expect(r.code).toBe(0);
    const [header, row] = lines(r.stdout);
    expect(header).toMatch(/^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES\s+SIZE$/);
    // "data\n" written to /written: 5 bytes.
    expect(row).toMatch(/failing\s+5B \(virtual \d+(\.\d+)?[kM]B\)$/);
  });

  test('--format fields', async () => {
    const out = await ok(['ps', '--filter', 'name=alpha', '--format', '{{.Image}}|{{.Command}}|{{.State}}|{{.Labels}}|{{.Label "tier"}}|{{.Status}}|{{.RunningFor}}']);
    expect(out).toMatch(/^busybox\|"sleep 100"\|running\|app=shop,tier=front\|front\|Up .+\|.+ ago\n$/);
    const created = await ok(['ps', '--filter', 'name=alpha', '--format', '{{.CreatedAt}}']);
    expect(created).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} \S+\n$/);
    const json = await ok(['ps', '--filter', 'name=alpha', '--format', 'json']);
    expect(JSON.parse(json)).toMatchObject({ Names: 'alpha', State: 'running', Image: 'busybox', Labels: 'app=shop,tier=front' });
    const table = await ok(['ps', '-a', '--filter', 'name=fine', '--format', 'table {{.Names}}\t{{.State}}\t{{.Size}}']);
    expect(lines(table)).toEqual([expect.stringMatching(/^NAMES\s+STATE\s+SIZE$/), expect.stringMatching(/^fine\s+exited\s+0B \(virtual .+\)$/)]);
  });
});

describe('tote top', () => {
  test('ps -ef columns with the container process', async () => {
    const r = await e.tote(['top', 'alpha']);
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
    const [header, ...rows] = lines(r.stdout);
    expect(header.split(/\s+/)).toEqual(['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/^\S+\s+\d+\s+\d+\s+\d+\s+\S+\s+\?\s+\d\d:\d\d:\d\d\s+sleep 100$/);
    const pid = rows[0].split(/\s+/)[1];
    const inspected = await ok(['inspect', '--format', '{{.State.Pid}}', 'alpha']);
    expect(inspected.trim()).toBe(pid);
  });

  test('an exec shows up too; container top is the same command', async () => {
    await ok(['exec', '-d', 'beta', 'sleep', '77']);
    const deadline = Date.now() + 10_000;
    let out = '';
    while (Date.now() < deadline) {
      out = await ok(['container', 'top', 'beta']);
      if (out.includes('sleep 77')) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(out).toMatch(/sleep 100$/m);
    expect(out).toMatch(/sleep 77$/m);
  });

  test('ps options go to the host ps', async () => {
    const r = await e.tote(['top', 'alpha', '-o', 'pid,comm']);
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
    const l = lines(r.stdout);
    expect(l[0].split(/\s+/)).toEqual(['PID', 'COMMAND']);
    expect(l.slice(1).map((x) => x.split(/\s+/)[1])).toEqual(['sleep']);
    // BSD-style options, after `--` as well; rows are the container's only.
    const aux = await ok(['container', 'top', 'alpha', '--', 'aux']);
    const auxLines = lines(aux);
    expect(auxLines[0].split(/\s+/)).toEqual(['USER', 'PID', '%CPU', '%MEM', 'VSZ', 'RSS', 'TTY', 'STAT', 'START', 'TIME', 'COMMAND']);
    expect(auxLines.slice(1)).toEqual([expect.stringMatching(/\ssleep 100$/)]);
  });

  test('a stopped container is an error', async () => {
    const r = await e.tote(['top', 'failing']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^Error: container [0-9a-f]{64} is not running$/m);
  });
});

describe('tote rename', () => {
  test('then ps shows the new name', async () => {
    await ok(['rename', 'beta', 'gamma']);
    expect(await psNames()).toEqual(['gamma', 'alpha']);
    expect(await psNames('--filter', 'name=beta')).toEqual([]);
    // The running container is still managed under its new name.
    expect(await ok(['container', 'top', 'gamma'])).toMatch(/sleep 100$/m);
  });

  test('a name in use, an invalid name, an unknown container', async () => {
    const used = await e.tote(['rename', 'gamma', 'alpha']);
    expect(used.code).toBe(125);
    expect(used.stderr).toMatch(/"alpha" is already in use by [0-9a-f]{12}/);
    const invalid = await e.tote(['container', 'rename', 'gamma', '-bad']);
    expect(invalid.code).not.toBe(0);
    const invalid2 = await e.tote(['rename', 'gamma', 'has space']);
    expect(invalid2.code).toBe(125);
    expect(invalid2.stderr).toMatch(/invalid container name "has space"/);
    const missing = await e.tote(['rename', 'ghost', 'spirit']);
    expect(missing.code).toBe(125);
    expect(missing.stderr).toMatch(/no such container/);
    expect(await psNames()).toEqual(['gamma', 'alpha']);
  });
});

describe('tote container prune', () => {
  test('without -f and without an answer nothing is removed', async () => {
    const r = await e.tote(['container', 'prune']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] \n');
    expect(await psNames('-a')).toEqual(['fresh', 'fine', 'failing', 'gamma', 'alpha']);
    const no = await e.tote(['container', 'prune'], { input: 'n\n' });
    expect(no.code).toBe(0);
    expect(await psNames('-a')).toHaveLength(5);
  });

  test('a filter limits it; a bad filter fails first', async () => {
    const bad = await e.tote(['container', 'prune', '-f', '--filter', 'status=exited']);
    expect(bad.code).toBe(125);
    expect(bad.stderr).toMatch(/invalid filter 'status'/);
    const none = await e.tote(['container', 'prune', '-f', '--filter', 'label=nope']);
    expect({ code: none.code, stdout: none.stdout }).toEqual({ code: 0, stdout: 'Total reclaimed space: 0B\n' });
  });

  test('removes the stopped containers only, and says what it reclaimed', async () => {
    const ids = lines(await ok(['ps', '-a', '-q', '--no-trunc', '--filter', 'status=exited', '--filter', 'status=created']));
    expect(ids).toHaveLength(3);
    const r = await e.tote(['container', 'prune'], { input: 'y\n' });
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
    const body = r.stdout.replace('WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] ', '');
    const out = lines(body);
    expect(out[0]).toBe('Deleted Containers:');
    expect(out.slice(1, 4).sort()).toEqual([...ids].sort());
    expect(out.slice(4)).toEqual(['', 'Total reclaimed space: 5B']);
    expect(await psNames('-a')).toEqual(['gamma', 'alpha']);
  });
});
