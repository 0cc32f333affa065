/**
 * Resource limits: flags parsed and shown by inspect; ulimits applied; and,
 * rootless on a host that delegates no cgroup (e2e/cgroups.test.ts forces that case), a
 * cgroup limit gives one warning and the container runs without it.
 */
import { describe, test, expect, beforeAll } from '@jest/globals';
import { makeEnv, show, isRoot } from './harness.js';
import { cgroupSupport, hostHierarchies } from '../lib/cgroups/index.js';

const e = makeEnv();
const uid = process.getuid?.() ?? 0;
const cgroupsDelegated = cgroupSupport({ isRoot, uid }, hostHierarchies()).usable.includes('memory');

beforeAll(async () => {
  await e.importBusybox('busybox');
});

const WARNING = /resource limits ignored/g;

describe('resource limits', () => {
  (cgroupsDelegated ? test.skip : test)('nothing delegated: -m warns once, the container still runs', async () => {
    const r = await e.tote(['run', '--rm', '-m', '64m', 'busybox', 'true']);
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
    expect(r.stderr.match(WARNING)?.length).toBe(1);
    expect(r.stderr).toMatch(/Delegate=/);
    if (process.env.TOTE_SHOW_WARNING) process.stderr.write(r.stderr);
  });

  test('no limit flags: no warning', async () => {
    const r = await e.tote(['run', '--rm', 'busybox', 'true']);
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
    expect(r.stderr).not.toMatch(WARNING);
  });

  test('inspect shows the limits in HostConfig', async () => {
    const c = await e.tote(['create', '--name', 'limited', '-m', '64m', '--cpus', '0.5', '--pids-limit', '50', '--ulimit', 'nofile=100:200', 'busybox', 'true']);
    expect({ code: c.code, out: show(c) }).toMatchObject({ code: 0 });
    const r = await e.tote(['inspect', '--format', '{{json .HostConfig}}', 'limited']);
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
    const hc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(hc).toMatchObject({
      Memory: 67108864,
      NanoCpus: 500000000,
      PidsLimit: 50,
      Ulimits: [{ Name: 'nofile', Soft: 100, Hard: 200 }],
      CpuShares: 0,
      MemorySwap: 0,
      OomScoreAdj: 0,
    });
    await e.tote(['rm', 'limited']);
  });

  test('--ulimit applies (a process setting, no cgroup needed)', async () => {
    const r = await e.tote(['run', '--rm', '--ulimit', 'nofile=100:100', 'busybox', 'sh', '-c', 'ulimit -n']);
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
    expect(r.stdout.trim()).toBe('100');
    expect(r.stderr).not.toMatch(WARNING);
  });

  test('--oom-score-adj applies (raising it needs no privilege)', async () => {
    const r = await e.tote(['run', '--rm', '--oom-score-adj', '100', 'busybox', 'cat', '/proc/self/oom_score_adj']);
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
    expect(r.stdout.trim()).toBe('100');
  });

  test.each([
    [['--pids-limit', 'abc']],
    [['-m', 'lots']],
    [['--cpus', 'half']],
    [['--ulimit', 'nofile=2:1']],
    [['--blkio-weight', '5']],
  ])('bad value %j: exit 125, nothing created', async (flags) => {
    const before = await e.tote(['ps', '-aq']);
    const r = await e.tote(['run', '--rm', ...flags, 'busybox', 'true']);
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 125 });
    const after = await e.tote(['ps', '-aq']);
    expect(after.stdout).toBe(before.stdout);
  });
});
