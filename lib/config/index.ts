/**
 * Paths and settings for one invocation. This is the only module that reads
 * process.env: everything else receives a ToteConfig.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { accessSync, constants } from 'node:fs';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface ConfigOptions {
  root?: string;
  runroot?: string;
  runtime?: string;
  logLevel?: LogLevel;
  storageDriver?: string;
}

export interface ToteConfig {
  /** Persistent storage: images, layers, containers. */
  dataDir: string;
  /** Volatile state: runtime state, locks that need not survive a reboot. */
  runDir: string;
  uid: number;
  gid: number;
  /** Rootful mode: no user namespace is needed. */
  isRoot: boolean;
  userName: string;
  /** OCI runtime name or path chosen by --runtime, if any. */
  runtime?: string;
  /** Storage driver forced by --storage-driver (else probed). */
  storageDriver?: string;
  logLevel: LogLevel;
  /** Directory holding the compiled native helpers. */
  helperDir: string;
  /** Root of the host files read for id mappings (/etc/subuid…); tests swap it. */
  etcDir: string;
  /** The node binary, for work that must run inside the user namespace. */
  nodePath: string;
  /** The compiled package root (dist/), to locate entry scripts. */
  distDir: string;
  /** PATH used to find system programs (runc, crun, newuidmap…). */
  searchPath: string;
  /** Only here are pasta/slirp4netns looked up, when set ($TOTE_HELPER_BINARIES_DIR, podman's helper_binaries_dir). */
  helperBinariesDir?: string;
  /** The caller's environment, for `-e NAME` pass-through. */
  hostEnv: Readonly<Record<string, string | undefined>>;
  /** Registry settings: auth files, registries.conf, certs.d. */
  registry: RegistryPaths;
  /** Cgroup settings: $TOTE_CGROUP_ROOT (the subtree delegated to a rootless user), $TOTE_CGROUP_STRICT=1 (fail instead of warning when a limit cannot be enforced). */
  cgroups: { root?: string; strict: boolean };
  /** systemd's $NOTIFY_SOCKET, if tote runs in a notify unit (hidden from child processes: see loadConfig). */
  notifySocket?: string;
}

export interface RegistryPaths {
  /** Where `login` writes: $REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json. */
  authFile: string;
  /** Credential files read, first match wins (podman's order, then docker's config.json). */
  authFilesRead: string[];
  /** docker's config.json ($DOCKER_CONFIG/config.json, else ~/.docker/config.json). */
  dockerConfig: string;
  /**
   * registries.conf files, first existing wins: $XDG_CONFIG_HOME/containers/registries.conf,
   * then $TOTE_REGISTRIES_CONF (default /etc/containers/registries.conf).
   */
  registriesConf: string[];
  /** certs.d roots, searched in order for HOST[:PORT]/ (user's, then /etc/containers, then /etc/docker). */
  certsDirs: string[];
}

/** Set by the CLI bundle (cli/internal/bundle.ts), whose files all sit one level below dist/. */
declare const TOTE_BUNDLE: boolean | undefined;

// tsc's copy of this file is dist/lib/config/index.js, two levels below dist/.
const distDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), ...(typeof TOTE_BUNDLE === 'boolean' ? ['..'] : ['..', '..']));

export function loadConfig(options: ConfigOptions = {}): ToteConfig {
  const env = process.env;
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  const isRoot = uid === 0;
  const home = env.HOME || os.homedir();
  const dataHome = env.XDG_DATA_HOME || path.join(home, '.local', 'share');
  const defaultData = isRoot ? '/var/lib/tote' : path.join(dataHome, 'tote');
  const runtimeDir = env.XDG_RUNTIME_DIR && isWritableDir(env.XDG_RUNTIME_DIR) ? env.XDG_RUNTIME_DIR : undefined;
  const defaultRun = isRoot ? '/run/tote' : runtimeDir ? path.join(runtimeDir, 'tote') : `/tmp/tote-${uid}`;
  let userName = env.USER || String(uid);
  try {
    userName = os.userInfo().username;
  } catch {
    // No passwd entry (e.g. an arbitrary uid in a container): keep $USER.
  }
  const notifySocket = env.NOTIFY_SOCKET || undefined;
  // The OCI runtime reads NOTIFY_SOCKET too and would wait for the container's
  // READY itself; tote answers systemd (run --sdnotify), so children never see it.
  delete process.env.NOTIFY_SOCKET;
  return {
    dataDir: path.resolve(options.root || env.TOTE_ROOT || defaultData),
    runDir: path.resolve(options.runroot || env.TOTE_RUNROOT || defaultRun),
    uid,
    gid,
    isRoot,
    userName,
    runtime: options.runtime || env.TOTE_RUNTIME || undefined,
    storageDriver: options.storageDriver || env.TOTE_STORAGE_DRIVER || undefined,
    logLevel: options.logLevel ?? 'warn',
    helperDir: env.TOTE_HELPER_DIR || path.join(path.dirname(distDir), 'dist-helpers'),
    etcDir: '/etc',
    nodePath: process.execPath,
    distDir,
    searchPath: env.PATH || '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
    helperBinariesDir: env.TOTE_HELPER_BINARIES_DIR || undefined,
    hostEnv: { ...env },
    registry: registryPaths(env, home, uid, runtimeDir),
    cgroups: { root: env.TOTE_CGROUP_ROOT || undefined, strict: /^(1|true|yes)$/i.test(env.TOTE_CGROUP_STRICT ?? '') },
    notifySocket,
  };
}

function registryPaths(env: NodeJS.ProcessEnv, home: string, uid: number, runtimeDir: string | undefined): RegistryPaths {
  const configHome = env.XDG_CONFIG_HOME || path.join(home, '.config');
  const runtimeAuth = path.join(runtimeDir ?? `/run/user/${uid}`, 'containers', 'auth.json');
  const dockerConfig = path.join(env.DOCKER_CONFIG || path.join(home, '.docker'), 'config.json');
  const authFile = env.REGISTRY_AUTH_FILE || runtimeAuth;
  const read = [...(env.REGISTRY_AUTH_FILE ? [env.REGISTRY_AUTH_FILE] : []), runtimeAuth, path.join(configHome, 'containers', 'auth.json'), dockerConfig];
  return {
    authFile,
    authFilesRead: [...new Set(read)],
    dockerConfig,
    registriesConf: [path.join(configHome, 'containers', 'registries.conf'), env.TOTE_REGISTRIES_CONF || '/etc/containers/registries.conf'],
    certsDirs: [
      path.join(configHome, 'containers', 'certs.d'),
      env.TOTE_CERTS_DIR || '/etc/containers/certs.d',
      ...(env.TOTE_CERTS_DIR ? [] : ['/etc/docker/certs.d']),
    ],
  };
}

function isWritableDir(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds a program on the search path (plus sbin dirs, where runc lives). */
export function findProgram(config: ToteConfig, name: string): string | undefined {
  if (name.includes('/')) return isExecutable(name) ? name : undefined;
  // sbin dirs are often missing from a user's PATH, and runc lives there.
  const dirs = [...config.searchPath.split(':'), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
