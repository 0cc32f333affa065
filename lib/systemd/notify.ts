/**
 * systemd's notify protocol (sd_notify(3)): `READY=1`, `MAINPID=N` sent as
 * one datagram to $NOTIFY_SOCKET. Node has no unix datagram sockets, so the
 * message is sent by `systemd-notify`, which is wherever systemd is (and
 * NOTIFY_SOCKET is only set by systemd). It waits until the manager has read
 * the message (its BARRIER=1), so the sender is never gone too early.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { ToteConfig } from '../config/index.js';
import { findProgram } from '../config/index.js';
import { SystemError, UsageError } from '../errors/index.js';

export type SdNotifyMode = 'conmon' | 'container' | 'ignore';

export function parseSdNotify(text: string | undefined): SdNotifyMode {
  if (text === undefined || text === '') return 'ignore';
  if (text === 'conmon' || text === 'container' || text === 'ignore') return text;
  throw new UsageError(`invalid --sdnotify value "${text}"`, 'use conmon, container or ignore');
}

/** Where the socket appears inside the container with --sdnotify=container (podman's path). */
export const CONTAINER_NOTIFY_SOCKET = '/run/notify/notify.sock';

/**
 * --sdnotify=container: the host socket bind-mounted into the container and
 * NOTIFY_SOCKET set there, so the container's own process reports READY=1.
 * Nothing to do outside a notify unit.
 */
export function containerNotifyOptions(config: ToteConfig): { mounts: string[]; env: string[] } {
  const socket = config.notifySocket;
  if (!socket) return { mounts: [], env: [] };
  if (!socket.startsWith('/')) {
    throw new UsageError(`--sdnotify=container cannot pass the abstract socket ${socket} into a container`, 'use --sdnotify=conmon');
  }
  return { mounts: [`type=bind,source=${socket},target=${CONTAINER_NOTIFY_SOCKET}`], env: [`NOTIFY_SOCKET=${CONTAINER_NOTIFY_SOCKET}`] };
}

/** Sends `READY=1` (when ready) and `MAINPID=mainPid` to $NOTIFY_SOCKET; a no-op without one. */
export async function sdNotify(config: ToteConfig, message: { ready?: boolean; mainPid?: number; status?: string }): Promise<boolean> {
  const socket = config.notifySocket;
  if (!socket) return false;
  const program = findProgram(config, 'systemd-notify');
  if (!program) {
    throw new SystemError('E_NO_SYSTEMD_NOTIFY', 'cannot notify systemd: systemd-notify is not installed', { hint: 'install systemd (Debian: apt-get install systemd), or use --sdnotify=ignore' });
  }
  const args = [
    ...(message.ready ? ['--ready'] : []),
    ...(message.mainPid ? [`--pid=${message.mainPid}`] : []),
    ...(message.status ? [`--status=${message.status}`] : []),
  ];
  const env = { PATH: config.searchPath, NOTIFY_SOCKET: socket, ...(config.hostEnv.LANG ? { LANG: config.hostEnv.LANG } : {}) };
  const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve, reject) => {
    const child = spawn(program, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c ?? 1, stderr: err }));
  });
  if (code !== 0) {
    throw new SystemError('E_SD_NOTIFY', `${path.basename(program)} failed to notify ${socket}: ${stderr.trim() || `exit status ${code}`}`);
  }
  return true;
}
