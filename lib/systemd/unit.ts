/**
 * `generate systemd`: a systemd service unit for a container, in podman's
 * layout. With `new`, the unit creates a fresh container on every start
 * (the foreground model: `tote run --sdnotify=conmon --rm --replace` is the
 * unit's main process, Type=notify); without, it starts and stops the
 * existing container (`tote start --attach`, Type=simple).
 */
import { realpathSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { ToteConfig } from '../config/index.js';
import { findProgram } from '../config/index.js';
import { UsageError } from '../errors/index.js';
import { TOTE_VERSION } from '../config/version.js';
import type { ContainerRecord } from '../storage/index.js';
import { splitRunCommand } from './command.js';
import { loadCreateCommand } from './run-files.js';

export const RESTART_POLICIES = ['no', 'on-success', 'on-failure', 'on-abnormal', 'on-watchdog', 'on-abort', 'always'] as const;

export interface GenerateOptions {
  /** Create a new container on start instead of starting this one. */
  new?: boolean;
  /** Name the unit after the container's name rather than its id. */
  useName?: boolean;
  restartPolicy?: string;
  restartSec?: number;
  /** Seconds `tote stop` waits (default: the container's stop timeout, else 10). */
  stopTimeout?: number;
  containerPrefix?: string;
  separator?: string;
  noHeader?: boolean;
  /** Global flags of this invocation (--root…), passed on to the unit's commands. */
  globals?: string[];
  /** run's option names that take a value, to read the recorded command line. */
  runValueOptions: Iterable<string>;
}

export interface UnitFile {
  /** container-NAME.service */
  name: string;
  text: string;
}

/** The command that runs this tote: `tote` on PATH when it is this one, else node + main.js. */
export function toteCommand(config: ToteConfig): string[] {
  const main = path.join(config.distDir, 'cli', 'main.js');
  const onPath = findProgram(config, 'tote');
  try {
    if (onPath && realpathSync(onPath) === realpathSync(main)) return [onPath];
  } catch {
    // fall through
  }
  return [config.nodePath, main];
}

/** One word of an Exec line: systemd.service(5) "Command lines" quoting, specifiers and variables escaped. */
export function execWord(word: string): string {
  const escaped = word.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (/^[A-Za-z0-9_@+=:,./-][A-Za-z0-9_@%+=:,./$-]*$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t')}"`;
}

/** An Exec line; `raw` words are written as given (specifiers like %t/%n.ctr-id). */
function execLine(words: Array<string | { raw: string }>): string {
  const parts = words.map((w) => (typeof w === 'string' ? execWord(w) : w.raw));
  // Long lines are continued (backslash-newline), as podman writes them.
  const lines: string[] = [];
  for (const p of parts) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + p.length <= 80) lines[last] += ' ' + p;
    else lines.push(p);
  }
  return lines.join(' \\\n\t');
}

export async function generateSystemd(config: ToteConfig, record: ContainerRecord, o: GenerateOptions): Promise<UnitFile> {
  const policy = o.restartPolicy ?? 'on-failure';
  if (!(RESTART_POLICIES as readonly string[]).includes(policy)) {
    throw new UsageError(`${policy} is not a valid restart policy`, `use one of: ${RESTART_POLICIES.join(', ')}`);
  }
  if (o.restartSec !== undefined && (!Number.isInteger(o.restartSec) || o.restartSec < 0)) throw new UsageError('--restart-sec must be a non-negative integer');
  const stopTimeout = o.stopTimeout ?? record.spec.stopTimeout ?? 10;
  const prefix = o.containerPrefix ?? 'container';
  const separator = o.separator ?? '-';
  const unitName = `${prefix ? prefix + separator : ''}${o.useName ? record.name : record.id}.service`;
  const tote = toteCommand(config);
  const globals = o.globals ?? [];
  const service: string[] = [`Environment=TOTE_SYSTEMD_UNIT=%n`, `Restart=${policy}`];
  if (o.restartSec !== undefined) service.push(`RestartSec=${o.restartSec}`);
  service.push(`TimeoutStopSec=${stopTimeout + 60}`);

  if (o.new) {
    const recorded = await loadCreateCommand(config, record);
    const split = recorded ? splitRunCommand(recorded, o.runValueOptions) : undefined;
    // A container created before commands were recorded: its image and command.
    const rest = split?.rest ?? [record.image, ...record.spec.cmd];
    const unitGlobals = split && split.globals.length > 0 ? split.globals : globals;
    const cidfile = { raw: '%t/%n.ctr-id' };
    service.push(
      `ExecStartPre=/bin/rm -f %t/%n.ctr-id`,
      `ExecStart=${execLine([...tote, ...unitGlobals, 'run', { raw: '--cidfile=%t/%n.ctr-id' }, '--rm', '--sdnotify=conmon', '--replace', ...(split?.options ?? []), '--name', record.name, ...rest])}`,
      `ExecStop=${execLine([...tote, ...unitGlobals, 'stop', '--ignore', '-t', String(stopTimeout), record.name])}`,
      `ExecStopPost=${execLine([...tote, ...unitGlobals, 'rm', '-f', '--ignore', record.name])}`,
      `ExecStopPost=/bin/rm -f ${cidfile.raw}`,
      'Type=notify',
      'NotifyAccess=all',
      'KillMode=mixed',
    );
  } else {
    service.push(
      `ExecStart=${execLine([...tote, ...globals, 'start', '--attach', record.name])}`,
      `ExecStop=${execLine([...tote, ...globals, 'stop', '-t', String(stopTimeout), record.name])}`,
      `ExecStopPost=${execLine([...tote, ...globals, 'stop', '-t', String(stopTimeout), record.name])}`,
      'Type=simple',
      'KillMode=mixed',
    );
  }
  const header = o.noHeader
    ? []
    : [`# ${unitName}`, `# autogenerated by tote ${TOTE_VERSION}${o.new ? '' : ` from container ${record.name} (${record.id.slice(0, 12)})`}`, ''];
  const text = [
    ...header,
    '[Unit]',
    `Description=tote ${unitName}`,
    'Documentation=man:tote-generate-systemd(1)',
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    ...service,
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
  return { name: unitName, text };
}

/** --files: written to `dir`; returns the paths. */
export async function writeUnitFiles(dir: string, units: UnitFile[]): Promise<string[]> {
  const written: string[] = [];
  for (const u of units) {
    const file = path.join(dir, u.name);
    await fs.writeFile(file, u.text, { mode: 0o644 });
    written.push(file);
  }
  return written;
}
