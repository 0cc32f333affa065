/**
 * docker's global flags, before the command word. Those about a daemon
 * (`-H`, `--context`, `--tls…`) cannot apply to a daemonless tote and fail
 * with a message saying so; `--config DIR` and `-D` have tote equivalents.
 */
import { UsageError } from '../lib/errors/index.js';

const TOTE_VALUE_GLOBALS = ['--root', '--runroot', '--runtime', '--log-level', '--storage-driver'];
const DAEMON_VALUE = ['-H', '--host', '--tlscacert', '--tlscert', '--tlskey'];
const DAEMON_BOOL = ['--tls', '--tlsverify'];

export interface DockerGlobals {
  argv: string[];
  /** `--config DIR`: docker's config directory (credentials), for DOCKER_CONFIG. */
  configDir?: string;
}

function daemonError(flag: string): UsageError {
  return new UsageError(`${flag} is a docker daemon flag: tote has no daemon, it runs containers itself`, 'drop the flag (tote always works on the local, per-user store; use --root/--runroot to choose another store)');
}

export function dockerGlobals(raw: string[]): DockerGlobals {
  const argv: string[] = [];
  let configDir: string | undefined;
  let i = 0;
  for (; i < raw.length; i++) {
    const a = raw[i];
    if (a === '--' || !a.startsWith('-')) break;
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const inline = a.startsWith('--') && eq > 0 ? a.slice(eq + 1) : undefined;
    const value = () => inline ?? raw[++i];
    if (DAEMON_VALUE.includes(name) || DAEMON_BOOL.includes(name) || /^-H./.test(a)) throw daemonError(name.startsWith('-H') ? '-H' : name);
    if (name === '--context' || name === '-c' || /^-c./.test(a)) {
      const ctx = /^-c./.test(a) ? a.slice(2) : value();
      if (ctx === 'default') continue; // docker's default context is the local one: that is what tote does
      throw new UsageError(`--context ${ctx ?? ''}: tote has no contexts, it runs containers on this machine only`.replace(/ +:/, ':'), 'drop --context (or use `--context default`)');
    }
    if (name === '--config') {
      configDir = value();
      if (!configDir) throw new UsageError('flag needs an argument: --config');
      continue;
    }
    if (name === '-D' || name === '--debug') {
      argv.push('--log-level=debug');
      continue;
    }
    argv.push(a);
    if (TOTE_VALUE_GLOBALS.includes(name) && inline === undefined && i + 1 < raw.length) argv.push(raw[++i]);
  }
  return { argv: [...argv, ...raw.slice(i)], configDir };
}
