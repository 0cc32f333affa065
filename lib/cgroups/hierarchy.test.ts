import { describe, expect, test } from '@jest/globals';
import { parseMountinfo } from './hierarchy.js';

// This machine's kind of host: v1 controllers each on their own, plus an empty v2 tree (hybrid).
const HYBRID = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw`;

describe('parseMountinfo', () => {
  test('hybrid: every v1 controller and the unified tree', () => {
    expect(parseMountinfo(HYBRID)).toEqual({
      v1: { cpu: '/sys/fs/cgroup/cpu', cpuacct: '/sys/fs/cgroup/cpuacct', memory: '/sys/fs/cgroup/memory', pids: '/sys/fs/cgroup/pids' },
      unified: '/sys/fs/cgroup/unified',
    });
  });

  test('co-mounted controllers share one hierarchy', () => {
    const h = parseMountinfo('30 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct');
    expect(h.v1).toEqual({ cpu: '/sys/fs/cgroup/cpu,cpuacct', cpuacct: '/sys/fs/cgroup/cpu,cpuacct' });
  });

  test('pure v2', () => {
    expect(parseMountinfo('29 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate')).toEqual({ v1: {}, unified: '/sys/fs/cgroup' });
  });

  test('a bind of a sub-cgroup, as in a container, is not a hierarchy root', () => {
    expect(parseMountinfo('50 40 0:32 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory').v1).toEqual({});
  });

  test('escaped mount points', () => {
    expect(parseMountinfo('1 2 0:3 / /mnt/my\\040cg rw - cgroup2 cgroup2 rw').unified).toBe('/mnt/my cg');
  });
});
