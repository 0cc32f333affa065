/**
 * The pieces of `run` that systemd units rely on: --cidfile, --pidfile,
 * --replace, and the recorded create command `generate systemd --new` reuses.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ToteConfig } from '../config/index.js';
import { errnoCode, ToteError } from '../errors/index.js';
// The modules, not lib/container's index (cp, export, logs…): run loads this on every start.
import { allContainers } from '../container/query.js';
import { removeContainer } from '../container/remove.js';
import { containerDir, type ContainerRecord } from '../storage/index.js';
import type { UsernsPlan } from '../userns/index.js';

/** docker refuses to overwrite a cidfile: another container may own it. */
export async function checkCidFile(file: string): Promise<void> {
  try {
    await fs.lstat(file);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return;
    throw e;
  }
  throw new ToteError('E_CIDFILE_EXISTS', `container ID file found, make sure the other container isn't running or delete ${file}`, {
    hint: `remove ${file}, or choose another --cidfile`,
  });
}

/** Written exclusively (O_EXCL), so two runs racing for one cidfile cannot both win. */
export async function writeCidFile(file: string, id: string): Promise<void> {
  try {
    await fs.writeFile(file, id, { flag: 'wx', mode: 0o644 });
  } catch (e) {
    if (errnoCode(e) === 'EEXIST') await checkCidFile(file);
    throw new ToteError('E_CIDFILE', `failed to write the container ID file ${file}: ${(e as Error).message}`);
  }
}

/** --pidfile: the container's init as seen from the host; replaced if present (as podman). */
export async function writePidFile(file: string, pid: number): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await fs.writeFile(tmp, String(pid), { mode: 0o644 });
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw new ToteError('E_PIDFILE', `failed to write the pid file ${file}: ${(e as Error).message}`);
  }
}

/** --replace: the container of that exact name (not an id prefix) is removed, running or not. */
export async function replaceContainer(config: ToteConfig, plan: UsernsPlan, name: string): Promise<string | undefined> {
  const existing = (await allContainers(config)).find((c) => c.name === name);
  if (!existing) return undefined;
  try {
    await removeContainer(config, plan, existing, true);
  } catch (e) {
    // Removed meanwhile by someone else: that is what we wanted.
    if (!(e instanceof ToteError && e.code === 'E_NO_SUCH_CONTAINER')) throw e;
  }
  return existing.id;
}

const COMMAND_FILE = 'create-command.json';

/** The command line that created the container (podman's CreateCommand), for `generate systemd --new`. */
export async function saveCreateCommand(config: ToteConfig, id: string, argv: string[]): Promise<void> {
  await fs.writeFile(path.join(containerDir(config, id), COMMAND_FILE), JSON.stringify(argv) + '\n', { mode: 0o600 });
}

export async function loadCreateCommand(config: ToteConfig, record: ContainerRecord): Promise<string[] | undefined> {
  try {
    const argv = JSON.parse(await fs.readFile(path.join(containerDir(config, record.id), COMMAND_FILE), 'utf8')) as unknown;
    return Array.isArray(argv) && argv.every((a) => typeof a === 'string') ? argv : undefined;
  } catch {
    return undefined;
  }
}
