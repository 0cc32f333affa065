/**
 * run's (and create's) flags as one table: yargs reads it, and so do the
 * argv splitter (cli/argv.ts, at start-up, which is why this file holds
 * nothing else) and `generate systemd`.
 */
import type { Options } from 'yargs';
import { optionNames, valueOptionNames } from '../options.js';

/**
 * The cgroup limits `run`/`create` and `update` share. Strings, so bad values
 * reach lib/cgroups and fail there with a usage error.
 */
export const LIMIT_OPTIONS = {
  memory: { alias: 'm', type: 'string', describe: 'Memory limit (a number with an optional unit: b, k, m, g)' },
  'memory-swap': { type: 'string', describe: 'Memory plus swap limit (-1: unlimited swap; needs a memory limit)' },
  'memory-reservation': { type: 'string', describe: 'Memory soft limit' },
  cpus: { type: 'string', describe: 'Number of CPUs (e.g. 0.5: half a CPU)' },
  'cpu-shares': { alias: 'c', type: 'string', describe: 'CPU shares (relative weight)' },
  'cpu-quota': { type: 'string', describe: 'Limit the CPU CFS quota (microseconds per period)' },
  'cpu-period': { type: 'string', describe: 'Limit the CPU CFS period (microseconds)' },
  'cpuset-cpus': { type: 'string', describe: 'CPUs in which to allow execution (0-3, 0,1)' },
  'cpuset-mems': { type: 'string', describe: 'Memory nodes in which to allow execution (0-3, 0,1)' },
  'pids-limit': { type: 'string', describe: 'Limit the number of processes (-1: unlimited)' },
  'blkio-weight': { type: 'string', describe: 'Block IO relative weight, 10 to 1000 (0: disabled)' },
} as const;

export const RUN_OPTIONS: Record<string, Options> = {
  name: { type: 'string', describe: 'Assign a name to the container' },
  env: { alias: 'e', type: 'string', array: true, describe: 'Set environment variables (KEY=VALUE, or KEY to pass the host\'s value)' },
  'env-file': { type: 'string', array: true, describe: 'Read environment variables from a file of KEY=VALUE lines' },
  workdir: { alias: 'w', type: 'string', describe: 'Working directory inside the container' },
  user: { alias: 'u', type: 'string', describe: 'Username or UID (format: <name|uid>[:<group|gid>])' },
  entrypoint: { type: 'string', describe: 'Overwrite the default ENTRYPOINT of the image' },
  hostname: { alias: 'h', type: 'string', describe: 'Container host name (default: the short container id)' },
  volume: { alias: 'v', type: 'string', array: true, describe: 'Bind mount a volume ([HOST-PATH|VOLUME:]CONTAINER-PATH[:ro])' },
  mount: { type: 'string', array: true, describe: 'Attach a filesystem mount (type=bind|volume|tmpfs,source=…,target=…[,readonly])' },
  tmpfs: { type: 'string', array: true, describe: 'Mount a tmpfs directory (PATH[:OPTIONS])' },
  'volumes-from': { type: 'string', array: true, describe: 'Mount the volumes of another container (CONTAINER[:ro|rw])' },
  'read-only': { type: 'boolean', describe: 'Mount the container\'s root filesystem as read only' },
  interactive: { alias: 'i', type: 'boolean', describe: 'Keep STDIN open' },
  tty: { alias: 't', type: 'boolean', describe: 'Allocate a pseudo-TTY' },
  rm: { type: 'boolean', describe: 'Automatically remove the container when it exits' },
  detach: { alias: 'd', type: 'boolean', describe: 'Run the container in the background and print its ID' },
  label: { alias: 'l', type: 'string', array: true, describe: 'Set metadata on the container (KEY=VALUE)' },
  'sig-proxy': { type: 'boolean', default: true, describe: 'Proxy received signals to the container (non-TTY mode)' },
  'detach-keys': { type: 'string', describe: 'Key sequence for detaching an attached container (default "ctrl-p,ctrl-q")' },
  restart: { type: 'string', describe: 'Restart policy: no, on-failure[:max-retries], always, unless-stopped' },
  'stop-signal': { type: 'string', describe: 'Signal to stop the container (default: the image\'s STOPSIGNAL, else SIGTERM)' },
  'stop-timeout': { type: 'number', describe: 'Seconds to wait for the container to stop before killing it (default 10)' },
  pull: { type: 'string', describe: 'Pull the image before running: missing (default), always, never, newer' },
  platform: { type: 'string', describe: 'Use the image for this platform (os/arch[/variant]): pulled if the local one is for another platform' },
  cidfile: { type: 'string', describe: 'Write the container ID to the file (which must not exist)' },
  pidfile: { type: 'string', describe: 'Write the container\'s process id to the file once it runs (run only)' },
  replace: { type: 'boolean', describe: 'If a container with the same --name exists, remove it first' },
  sdnotify: { type: 'string', choices: ['conmon', 'container', 'ignore'], describe: 'systemd notify: conmon (tote sends READY=1 and MAINPID once the container runs), container (the container gets $NOTIFY_SOCKET), ignore (default; run only)' },
  network: { alias: 'net', type: 'string', describe: 'Network mode: pasta, slirp4netns, none, host, container:NAME or ns:PATH (default: pasta, else slirp4netns)' },
  publish: { alias: 'p', type: 'string', array: true, describe: 'Publish a container port on the host ([IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp], ranges allowed)' },
  'publish-all': { alias: 'P', type: 'boolean', describe: 'Publish every exposed port to a random host port' },
  dns: { type: 'string', array: true, describe: 'Set a custom DNS server' },
  'dns-search': { type: 'string', array: true, describe: 'Set a custom DNS search domain' },
  'dns-option': { alias: 'dns-opt', type: 'string', array: true, describe: 'Set a DNS resolver option' },
  'add-host': { type: 'string', array: true, describe: 'Add a custom host-to-IP mapping (NAME:IP, IP may be host-gateway)' },
  'no-hosts': { type: 'boolean', describe: 'Do not create /etc/hosts for the container (keep the image\'s)' },
  ...LIMIT_OPTIONS,
  'device-read-bps': { type: 'string', array: true, describe: 'Limit read rate from a device (DEVICE:RATE, e.g. /dev/sda:1mb)' },
  'device-write-bps': { type: 'string', array: true, describe: 'Limit write rate to a device (DEVICE:RATE, e.g. /dev/sda:1mb)' },
  'device-read-iops': { type: 'string', array: true, describe: 'Limit read operations per second from a device (DEVICE:N)' },
  'device-write-iops': { type: 'string', array: true, describe: 'Limit write operations per second to a device (DEVICE:N)' },
  cgroups: { type: 'string', describe: 'Whether the container gets a cgroup: enabled (default), disabled (crun only, no limits), no-conmon' },
  'cgroup-parent': { type: 'string', describe: 'Cgroup the container\'s cgroup is created under (rootless: relative to the delegated subtree)' },
  ulimit: { type: 'string', array: true, describe: 'Set a process limit (NAME=SOFT[:HARD], e.g. nofile=1024:2048)' },
  'oom-score-adj': { type: 'string', describe: 'Tune the container\'s OOM preferences (-1000 to 1000)' },
};

/** Names (and aliases) of options that take a value: the argv splitter must skip their values to find IMAGE. */
export const RUN_VALUE_OPTIONS = valueOptionNames(RUN_OPTIONS);
export const RUN_OPTION_NAMES = optionNames(RUN_OPTIONS);

