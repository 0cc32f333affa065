/**
 * cgroups for real: a memory limit OOM-kills (137, OOMKilled), a pids limit
 * makes fork fail, --cpus caps a busy loop (read from the cgroup's own CPU
 * counter), pause freezes and unpause resumes, update and stats, exec'd
 * processes land in the container's cgroup, nothing is left behind.
 *
 * Run twice: rootful (the runtime creates the cgroup; as root, or through
 * `sudo -n`, which .ci/run grants its test user), and rootless when this
 * user has a delegated subtree (.ci/run delegates a v1 one with
 * helpers/delegate-cgroup-v1). Then rootless with nothing delegated: the
 * warning, strict mode, and stats/pause without a cgroup.
 */
import { describe, test, expect, beforeAll } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { makeEnv, show, isRoot, rootAvailable, type E2EEnv } from './harness.js';
import { cgroupSupport, hostHierarchies } from '../lib/cgroups/index.js';

const uid = process.getuid?.() ?? 0;
const hierarchies = hostHierarchies();
const rootlessDelegated = !isRoot && cgroupSupport({ isRoot: false, uid }, hierarchies).usable.includes('memory');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU time (ns) the cgroup's own counter says it used. */
function cgroupCpuNs(cgPath: string): number {
  if (hierarchies.v1.cpuacct) return Number(readFileSync(path.join(hierarchies.v1.cpuacct, cgPath, 'cpuacct.usage'), 'utf8'));
  const stat = readFileSync(path.join(hierarchies.unified!, cgPath, 'cpu.stat'), 'utf8');
  return Number(/^usage_usec (\d+)$/m.exec(stat)![1]) * 1000;
}

function controllerFile(cgPath: string, v1: 'memory' | 'freezer' | 'pids', file: { v1: string; v2: string }): string {
  const mount = hierarchies.v1[v1];
  return mount ? path.join(mount, cgPath, file.v1) : path.join(hierarchies.unified!, cgPath, file.v2);
}

async function cgroupPathOf(e: E2EEnv, name: string): Promise<string> {
  const r = await e.tote(['inspect', '--format', '{{.HostConfig.CgroupPath}}', name]);
  expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
  return r.stdout.trim();
}

async function lastLogLine(e: E2EEnv, name: string): Promise<string> {
  const r = await e.tote(['logs', '--tail', '1', name]);
  return r.stdout.trim();
}

function enforcementSuite(label: string, enabled: boolean, asRoot: boolean): void {
  (enabled ? describe : describe.skip)(`cgroup limits enforced (${label})`, () => {
    const e = enabled ? makeEnv({ asRoot }) : (undefined as unknown as E2EEnv);
    const net = ['--network', 'none'];

    beforeAll(async () => {
      await e.importBusybox('busybox');
    });

    test('a memory limit: the allocation is OOM-killed, exit 137, OOMKilled', async () => {
      const r = await e.tote(['run', '--name', 'hog', ...net, '-m', '32m', 'busybox', 'tail', '/dev/zero'], { timeoutMs: 60_000 });
      expect({ code: r.code, out: show(r) }).toMatchObject({ code: 137 });
      const i = await e.tote(['inspect', '--format', '{{.State.OOMKilled}} {{.State.ExitCode}} {{.HostConfig.Memory}}', 'hog']);
      expect(i.stdout.trim()).toBe('true 137 33554432');
      await e.tote(['rm', 'hog']);
    });

    test('no limit hit: OOMKilled stays false', async () => {
      const r = await e.tote(['run', '--name', 'fine', ...net, '-m', '32m', 'busybox', 'true']);
      expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
      expect((await e.tote(['inspect', '--format', '{{.State.OOMKilled}}', 'fine'])).stdout.trim()).toBe('false');
      await e.tote(['rm', 'fine']);
    });

    test('the container sees its own cgroup, read-only, at /sys/fs/cgroup', async () => {
      const file = hierarchies.v1.memory ? '/sys/fs/cgroup/memory/memory.limit_in_bytes' : '/sys/fs/cgroup/memory.max';
      const r = await e.tote(['run', '--rm', ...net, '-m', '48m', 'busybox', 'sh', '-c', `cat ${file}; touch ${path.dirname(file)}/x || echo read-only`]);
      expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
      expect(r.stdout).toBe(`${48 * 2 ** 20}\nread-only\n`);
    });

    test('runc too: the limit holds, and its cgroup goes with the container', async () => {
      const r = await e.tote(['run', '--name', 'hog-runc', ...net, '--runtime', 'runc', '-m', '32m', 'busybox', 'tail', '/dev/zero'], { timeoutMs: 60_000 });
      expect({ code: r.code, out: show(r) }).toMatchObject({ code: 137 });
      expect((await e.tote(['inspect', '--format', '{{.State.OOMKilled}}', 'hog-runc'])).stdout.trim()).toBe('true');
      const cg = await cgroupPathOf(e, 'hog-runc');
      expect((await e.tote(['rm', 'hog-runc'])).code).toBe(0);
      expect(existsSync(controllerFile(cg, 'memory', { v1: '', v2: '' }))).toBe(false);
    });

    test('a pids limit makes fork fail', async () => {
      const script = 'i=0; while [ $i -lt 20 ]; do sleep 30 & i=$((i+1)); done; echo all-started';
      const r = await e.tote(['run', '--rm', ...net, '--pids-limit', '8', 'busybox', 'sh', '-c', script]);
      expect(r.stderr).toMatch(/can't fork/);
      expect(r.stdout).not.toContain('all-started');
      expect(r.code).not.toBe(0);
    });

    test('--cpus 0.5 caps a busy loop near half a CPU (the cgroup\'s own counter)', async () => {
      const r = await e.tote(['run', '-d', '--name', 'spin', ...net, '--cpus', '0.5', 'busybox', 'sh', '-c', 'while :; do :; done']);
      expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
      const cg = await cgroupPathOf(e, 'spin');
      await sleep(500);
      const [cpu0, t0] = [cgroupCpuNs(cg), process.hrtime.bigint()];
      await sleep(3000);
      const [cpu1, t1] = [cgroupCpuNs(cg), process.hrtime.bigint()];
      const share = (cpu1 - cpu0) / Number(t1 - t0);
      // Uncapped, the loop would use a whole CPU (1.0); a busy CI machine may give it less than its cap.
      expect(share).toBeLessThan(0.65);
      expect(share).toBeGreaterThan(0.15);
    });

    test('stats: one sample with the limit and the process count', async () => {
      const r = await e.tote(['stats', '--no-stream', '--format', '{{.Name}}|{{.CPUPerc}}|{{.MemUsage}}|{{.PIDs}}', 'spin']);
      expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
      const [name, cpu, mem, pids] = r.stdout.trim().split('|');
      expect(name).toBe('spin');
      expect(cpu).toMatch(/^\d+\.\d\d%$/);
      expect(mem).toMatch(/ \/ [\d.]+[KMG]?i?B$/);
      expect(Number(pids)).toBeGreaterThanOrEqual(1);
      const table = await e.tote(['stats', '--no-stream']);
      expect(table.stdout.split('\n')[0]).toMatch(/^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/);
    });

    test('update: memory and pids of a running container, in its cgroup and in inspect', async () => {
      const r = await e.tote(['update', '-m', '96m', '--pids-limit', '40', 'spin']);
      expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
      expect(r.stdout.trim()).toBe('spin');
      const cg = await cgroupPathOf(e, 'spin');
      expect(readFileSync(controllerFile(cg, 'memory', { v1: 'memory.limit_in_bytes', v2: 'memory.max' }), 'utf8').trim()).toBe(String(96 * 2 ** 20));
      expect(readFileSync(controllerFile(cg, 'pids', { v1: 'pids.max', v2: 'pids.max' }), 'utf8').trim()).toBe('40');
      const i = await e.tote(['inspect', '--format', '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}}', 'spin']);
      expect(i.stdout.trim()).toBe(`${96 * 2 ** 20} 40 500000000`);
      const s = await e.tote(['stats', '--no-stream', '--format', '{{.MemUsage}}', 'spin']);
      expect(s.stdout.trim()).toMatch(/ \/ 96MiB$/);
    });

    test('update: bad values are usage errors, nothing changes', async () => {
      const r = await e.tote(['update', '--pids-limit', 'many', 'spin']);
      expect({ code: r.code, out: show(r) }).toMatchObject({ code: 125 });
      expect((await e.tote(['inspect', '--format', '{{.HostConfig.PidsLimit}}', 'spin'])).stdout.trim()).toBe('40');
    });

    test('exec\'d processes join the container\'s cgroup', async () => {
      const cg = await cgroupPathOf(e, 'spin');
      const r = await e.tote(['exec', 'spin', 'cat', '/proc/self/cgroup']);
      expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
      expect(r.stdout).toMatch(new RegExp(`(memory|^0:):${cg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    });

    test('pause freezes a counter (the freezer), unpause resumes it', async () => {
      // --cgroups enabled: rootless on v1, a container without limits gets no cgroup unless asked.
      const r = await e.tote(['run', '-d', '--name', 'counter', ...net, '--cgroups', 'enabled', 'busybox', 'sh', '-c', 'i=0; while :; do i=$((i+1)); echo $i; sleep 0.1; done']);
      expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
      await sleep(500);
      expect((await e.tote(['pause', 'counter'])).code).toBe(0);
      const cg = await cgroupPathOf(e, 'counter');
      const state = readFileSync(controllerFile(cg, 'freezer', { v1: 'freezer.state', v2: 'cgroup.freeze' }), 'utf8').trim();
      expect(['FROZEN', '1']).toContain(state);
      expect((await e.tote(['ps', '--format', '{{.Status}}', '--filter', 'name=counter'])).stdout).toMatch(/\(Paused\)/);
      const a = await lastLogLine(e, 'counter');
      await sleep(1000);
      expect(await lastLogLine(e, 'counter')).toBe(a);
      expect((await e.tote(['unpause', 'counter'])).code).toBe(0);
      await sleep(1000);
      expect(Number(await lastLogLine(e, 'counter'))).toBeGreaterThan(Number(a));
    });

    test('stop of a paused container, and rm -f: no cgroup left behind', async () => {
      const cgs = [await cgroupPathOf(e, 'counter'), await cgroupPathOf(e, 'spin')];
      expect((await e.tote(['pause', 'counter'])).code).toBe(0);
      const s = await e.tote(['stop', '-t', '1', 'counter']);
      expect({ code: s.code, out: show(s) }).toMatchObject({ code: 0 });
      const rm = await e.tote(['rm', '-f', 'counter', 'spin']);
      expect({ code: rm.code, out: show(rm) }).toMatchObject({ code: 0 });
      for (const cg of cgs) {
        expect(existsSync(controllerFile(cg, 'memory', { v1: '', v2: '' }))).toBe(false);
      }
    });

    test('without limits: a cgroup rootful; rootless on v1 only when asked (--cgroups enabled)', async () => {
      const plain = await e.tote(['create', '--name', 'plain', ...net, 'busybox', 'true']);
      expect({ code: plain.code, out: show(plain) }).toMatchObject({ code: 0 });
      const cg = await cgroupPathOf(e, 'plain');
      if (asRoot || !hierarchies.v1.memory) expect(cg).not.toBe('');
      else expect(cg).toBe('');
      await e.tote(['rm', 'plain']);
    });

    test('--cgroup-parent places the cgroup; --cgroups=disabled gives none', async () => {
      const parent = asRoot ? '/tote-e2e-parent' : 'sub';
      const r = await e.tote(['run', '--rm', ...net, '--cgroup-parent', parent, 'busybox', 'cat', '/proc/self/cgroup']);
      expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
      expect(r.stdout).toMatch(asRoot ? /:\/tote-e2e-parent\/[0-9a-f]{64}$/m : /\/sub\/[0-9a-f]{64}$/m);
      const d = await e.tote(['run', '--rm', ...net, '--runtime', 'crun', '--cgroups', 'disabled', 'busybox', 'true']);
      expect({ code: d.code, out: show(d) }).toMatchObject({ code: 0 });
      const bad = await e.tote(['run', '--rm', ...net, '--cgroups', 'disabled', '-m', '32m', 'busybox', 'true']);
      expect({ code: bad.code, out: show(bad) }).toMatchObject({ code: 125 });
      expect(bad.stderr).toContain('--cgroups=disabled');
    });
  });
}

enforcementSuite('rootful', rootAvailable, true);
enforcementSuite('rootless, delegated v1 subtree', rootlessDelegated, false);

(isRoot ? describe.skip : describe)('rootless with nothing delegated', () => {
  const e = makeEnv();
  // A subtree nobody delegated: the same situation as a host without delegation.
  const none = { TOTE_CGROUP_ROOT: '/tote-not-delegated-here' };

  beforeAll(async () => {
    await e.importBusybox('busybox');
  });

  test('-m gives one warning naming the fix, and the container runs', async () => {
    const r = await e.tote(['run', '--rm', '--network', 'none', '-m', '64m', 'busybox', 'true'], { env: none });
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
    expect(r.stderr.match(/resource limits ignored/g)?.length).toBe(1);
    expect(r.stderr).toMatch(/delegate-cgroup-v1|Delegate=yes/);
  });

  test('TOTE_CGROUP_STRICT=1: an error instead, nothing created', async () => {
    const before = (await e.tote(['ps', '-aq'])).stdout;
    const r = await e.tote(['run', '--rm', '--network', 'none', '-m', '64m', 'busybox', 'true'], { env: { ...none, TOTE_CGROUP_STRICT: '1' } });
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 125 });
    expect(r.stderr).toMatch(/cannot be enforced/);
    expect((await e.tote(['ps', '-aq'])).stdout).toBe(before);
  });

  test('stats still works from /proc; update of a running container says why it cannot', async () => {
    const r = await e.tote(['run', '-d', '--name', 'plain', '--network', 'none', 'busybox', 'sleep', '300'], { env: none });
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
    const s = await e.tote(['stats', '--no-stream', '--format', '{{.PIDs}}|{{.MemUsage}}|{{.BlockIO}}', 'plain'], { env: none });
    expect({ code: s.code, out: show(s) }).toMatchObject({ code: 0 });
    const [pids, mem, block] = s.stdout.trim().split('|');
    expect(pids).toBe('1');
    expect(mem).toMatch(/^[\d.]+[KM]iB \/ /);
    expect(block).toBe('--');
    const u = await e.tote(['update', '-m', '64m', 'plain'], { env: none });
    expect(u.code).toBe(1);
    expect(u.stderr).toMatch(/without a cgroup/);
    // Stopped, it can be updated (applies at the next start).
    await e.tote(['stop', '-t', '0', 'plain']);
    const u2 = await e.tote(['update', '-m', '64m', 'plain'], { env: none });
    expect({ code: u2.code, out: show(u2) }).toMatchObject({ code: 0 });
    expect((await e.tote(['inspect', '--format', '{{.HostConfig.Memory}}', 'plain'])).stdout.trim()).toBe(String(64 * 2 ** 20));
    await e.tote(['rm', 'plain']);
  });

  test('pause without a freezer: the processes are stopped, and resumed', async () => {
    const r = await e.tote(['run', '-d', '--name', 'cnt', '--network', 'none', 'busybox', 'sh', '-c', 'i=0; while :; do i=$((i+1)); echo $i; sleep 0.1; done'], { env: none });
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
    await sleep(500);
    expect((await e.tote(['pause', 'cnt'])).code).toBe(0);
    const a = await lastLogLine(e, 'cnt');
    await sleep(1000);
    expect(await lastLogLine(e, 'cnt')).toBe(a);
    expect((await e.tote(['unpause', 'cnt'])).code).toBe(0);
    await sleep(1000);
    expect(Number(await lastLogLine(e, 'cnt'))).toBeGreaterThan(Number(a));
    await e.tote(['rm', '-f', 'cnt']);
  });
});
