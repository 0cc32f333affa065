/**
 * The slirp4netns fallback, run as tote-userns's hook (cli/internal/slirp-hook):
 * starts slirp4netns for the container's namespace, waits until the
 * interface is configured, adds the published ports through its API socket,
 * then returns, leaving slirp4netns to the container's monitor.
 *
 * Unlike pasta, slirp4netns forwards a published port by connecting from its
 * gateway address: servers in the container see 10.0.2.2 as the client.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import type { PortMapping } from './ports.js';
import { slirpArgs, type helperFiles } from './helper.js';

export interface SlirpRequest {
  program: string;
  files: ReturnType<typeof helperFiles>;
  ports: PortMapping[];
  rootless: boolean;
}

function apiCall(socket: string, request: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const c = net.createConnection(socket);
    let buf = '';
    c.setEncoding('utf8');
    c.on('connect', () => c.end(JSON.stringify(request)));
    c.on('data', (d: string) => (buf += d));
    c.on('error', reject);
    c.on('close', () => {
      try {
        resolve(JSON.parse(buf) as Record<string, unknown>);
      } catch {
        reject(new Error(`slirp4netns API: unexpected answer ${JSON.stringify(buf)}`));
      }
    });
  });
}

export async function startSlirp(pid: string, r: SlirpRequest): Promise<void> {
  await fs.rm(r.files.api, { force: true });
  const child = spawn(r.program, [...slirpArgs({ apiSocket: r.files.api, rootless: r.rootless, pid }), pid, 'tap0'], {
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit', 'pipe'],
  });
  await fs.writeFile(r.files.pid, `${child.pid}\n`);
  const ready = await new Promise<boolean>((resolve) => {
    const pipe = child.stdio[3] as NodeJS.ReadableStream;
    pipe.once('data', () => resolve(true));
    pipe.once('end', () => resolve(false));
    child.once('exit', () => resolve(false));
    child.once('error', () => resolve(false));
  });
  if (!ready) throw new Error('slirp4netns failed to configure the network');
  for (const p of r.ports) {
    const answer = await apiCall(r.files.api, {
      execute: 'add_hostfwd',
      arguments: { proto: p.protocol, host_addr: p.hostIp || '0.0.0.0', host_port: p.hostPort, guest_port: p.containerPort },
    });
    if (answer.error) {
      child.kill('SIGKILL');
      throw new Error(`slirp4netns could not publish port ${p.hostPort}/${p.protocol}: ${JSON.stringify(answer.error)}`);
    }
  }
  (child.stdio[3] as unknown as { destroy(): void }).destroy();
  child.unref();
}
