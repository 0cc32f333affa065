/**
 * Builds the OCI runtime config.json for a container. No user namespace is
 * requested: tote's helper already runs the runtime inside one.
 */

/** podman's default capability set (containers.conf default_capabilities). */
export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_NET_BIND_SERVICE',
  'CAP_SETFCAP',
  'CAP_SETGID',
  'CAP_SETPCAP',
  'CAP_SETUID',
  'CAP_SYS_CHROOT',
];

const MASKED_PATHS = [
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/fs/selinux',
  '/sys/dev/block',
];

const READONLY_PATHS = ['/proc/asound', '/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options?: string[];
}

export interface SpecOptions {
  rootfs: string;
  readOnlyRoot: boolean;
  args: string[];
  env: string[];
  cwd: string;
  uid: number;
  gid: number;
  additionalGids: number[];
  terminal: boolean;
  hostname: string;
  /** Bind mounts (generated /etc files, volumes), in order. */
  binds: Array<{ source: string; destination: string; readOnly: boolean }>;
  /** tmpfs mounts (--tmpfs, --mount type=tmpfs) with their mount options. */
  tmpfs?: Array<{ destination: string; options: string[] }>;
  /** Whether gid 5 (tty) exists in the container's id mapping, for devpts. */
  ttyGroupMapped: boolean;
  /**
   * The network namespace: 'new' (loopback only), 'inherit' (stay in the
   * helper's: its pasta/slirp4netns namespace, or the host's), or a path to join.
   */
  network?: 'new' | 'inherit' | { path: string };
  /** Bind the host's /sys read-only instead of mounting sysfs (host network, rootless: sysfs needs the netns). */
  bindSys?: boolean;
  /** Namespaces to share instead of creating: type → path. */
  sharedNamespaces?: Record<string, string>;
  /**
   * The container's cgroup at /sys/fs/cgroup: 'runtime' lets the runtime
   * mount it (it made it); a map (name → host directory, `''` for the v2
   * tree itself) binds directories tote made.
   */
  mountCgroup?: 'runtime' | Record<string, string>;
  /** OCI linux.cgroupsPath: the container's cgroup, as a path inside every hierarchy. */
  cgroupsPath?: string;
  /** OCI linux.resources (cgroup limits); emitted only when given. */
  resources?: Record<string, unknown>;
  /** OCI process.rlimits; emitted only when given. */
  rlimits?: Array<{ type: string; soft: number; hard: number }>;
  /** OCI process.oomScoreAdj; emitted only when given. */
  oomScoreAdj?: number;
}

/** v2: the one directory at /sys/fs/cgroup; v1: a tmpfs holding one directory per hierarchy. */
function cgroupBinds(dirs: Record<string, string>): OciMount[] {
  const bind = (destination: string, source: string): OciMount => ({ destination, type: 'bind', source, options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] });
  if (dirs[''] !== undefined) return [bind('/sys/fs/cgroup', dirs[''])];
  return [
    { destination: '/sys/fs/cgroup', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'noexec', 'nodev', 'mode=755', 'size=64k'] },
    ...Object.entries(dirs).map(([name, dir]) => bind(`/sys/fs/cgroup/${name}`, dir)),
  ];
}

export function generateSpec(o: SpecOptions): Record<string, unknown> {
  const isRootUser = o.uid === 0;
  const caps = DEFAULT_CAPABILITIES;
  const mounts: OciMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', ...(o.ttyGroupMapped ? ['gid=5'] : [])],
    },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    o.bindSys
      ? { destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] }
      : { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    // The container's own cgroup, read-only, where programs look for their limits (JVMs, Go's GOMAXPROCS…).
    ...(o.mountCgroup === 'runtime' && !o.bindSys ? [{ destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] }] : []),
    // Rootless, tote made the cgroup: its directories bound read-only where the container expects them.
    ...(typeof o.mountCgroup === 'object' && !o.bindSys ? cgroupBinds(o.mountCgroup) : []),
  ];
  const userMounts: OciMount[] = [];
  for (const b of o.binds) {
    userMounts.push({
      destination: b.destination,
      type: 'bind',
      source: b.source,
      options: ['rbind', 'rprivate', ...(b.readOnly ? ['ro'] : ['rw'])],
    });
  }
  for (const t of o.tmpfs ?? []) userMounts.push({ destination: t.destination, type: 'tmpfs', source: 'tmpfs', options: t.options });
  // Parents before children, as docker sorts them: `--tmpfs /a` must not hide `-v x:/a/b`.
  const depth = (p: string) => p.split('/').filter(Boolean).length;
  mounts.push(...userMounts.sort((a, b) => depth(a.destination) - depth(b.destination)));
  const network = o.network ?? 'new';
  const namespaces = ['pid', 'network', 'ipc', 'uts', 'mount']
    .filter((type) => type !== 'network' || network !== 'inherit')
    .map((type) => {
      if (type === 'network' && typeof network === 'object') return { type, path: network.path };
      return o.sharedNamespaces?.[type] ? { type, path: o.sharedNamespaces[type] } : { type };
    });
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: o.terminal,
      user: { uid: o.uid, gid: o.gid, ...(o.additionalGids.length ? { additionalGids: o.additionalGids } : {}) },
      args: o.args,
      env: o.env,
      cwd: o.cwd,
      capabilities: {
        bounding: caps,
        effective: isRootUser ? caps : [],
        permitted: isRootUser ? caps : [],
        inheritable: [],
        ambient: [],
      },
      noNewPrivileges: false,
      ...(o.rlimits && o.rlimits.length > 0 ? { rlimits: o.rlimits } : {}),
      ...(o.oomScoreAdj !== undefined ? { oomScoreAdj: o.oomScoreAdj } : {}),
    },
    root: { path: o.rootfs, readonly: o.readOnlyRoot },
    hostname: o.hostname,
    mounts,
    linux: {
      namespaces,
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
      ...(o.cgroupsPath ? { cgroupsPath: o.cgroupsPath } : {}),
      ...(o.resources ? { resources: o.resources } : {}),
    },
  };
}
