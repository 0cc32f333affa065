/**
 * Parsing of `run` mount flags into MountRequests: `--mount` (docker's CSV
 * syntax), `--tmpfs`, `--volumes-from`. `-v` is parsed by lib/container.
 */
import path from 'node:path';
// time.js, not index.js: the template engine is not needed to read a tmpfs size.
import { ramInBytes } from '../format/time.js';
import { UsageError } from '../errors/index.js';
import { VOLUME_NAME_RE } from './store.js';

export interface MountRequest {
  type: 'bind' | 'volume' | 'tmpfs';
  /** bind: absolute host path; volume: name, or '' for an anonymous volume; tmpfs: ''. */
  source: string;
  destination: string;
  readOnly: boolean;
  /** volume: do not populate the volume from the image. */
  noCopy?: boolean;
  /** tmpfs mount options (size=…, mode=…, …); bind propagation. */
  options?: string[];
  /** volume: labels and driver options for a volume created by this mount. */
  volumeLabels?: Record<string, string>;
  volumeOptions?: Record<string, string>;
}

/** docker's default tmpfs options. */
export const TMPFS_DEFAULT_OPTIONS = ['nosuid', 'nodev', 'noexec'];

function mountError(spec: string, msg: string): UsageError {
  return new UsageError(`invalid argument "${spec}" for "--mount" flag: ${msg}`);
}

function configError(type: string, msg: string): UsageError {
  return new UsageError(`invalid mount config for type "${type}": ${msg}`);
}

/** docker's CSV fields: `a=b,"c=d,e"` (quotes allowed around a field). */
function splitCsv(spec: string): string[] {
  const fields: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < spec.length; i++) {
    const ch = spec[i];
    if (ch === '"') {
      if (quoted && spec[i + 1] === '"') {
        cur += '"';
        i++;
      } else quoted = !quoted;
    } else if (ch === ',' && !quoted) {
      fields.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (quoted) throw mountError(spec, 'unterminated quote');
  fields.push(cur);
  return fields;
}

function boolValue(spec: string, key: string, value: string | undefined): boolean {
  if (value === undefined) return true;
  switch (value.toLowerCase()) {
    case 'true':
    case '1':
      return true;
    case 'false':
    case '0':
      return false;
    default:
      throw mountError(spec, `invalid value for ${key}: ${value}`);
  }
}

function absoluteDestination(spec: string, type: string, dst: string): string {
  if (!dst.startsWith('/')) throw configError(type, `invalid mount path: '${dst}' mount path must be absolute`);
  return path.posix.normalize(dst).replace(/(.)\/$/, '$1');
}

/** tmpfs-size: bytes, or a size with a unit (64m, 1g). */
function tmpfsSize(spec: string, value: string): number {
  if (/^\d+$/.test(value)) return Number(value);
  try {
    return ramInBytes(value);
  } catch {
    throw mountError(spec, `invalid value for tmpfs-size: ${value}`);
  }
}

/**
 * `--mount type=bind|volume|tmpfs,source=…,target=…[,readonly]…` (docker's
 * keys; `src`, `dst`, `destination`, `ro` accepted). Relative bind sources
 * resolve against `cwd`.
 */
export function parseMountFlag(spec: string, cwd: string = process.cwd()): MountRequest {
  let type = 'volume';
  let source = '';
  let target = '';
  let readOnly = false;
  let noCopy = false;
  const tmpfsOptions: string[] = [];
  const bindOptions: string[] = [];
  const volumeLabels: Record<string, string> = {};
  const volumeOptions: Record<string, string> = {};
  const typeSpecific: string[] = [];
  for (const field of splitCsv(spec)) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? undefined : field.slice(eq + 1);
    const need = (): string => {
      if (value === undefined) throw mountError(spec, `invalid field '${field}' must be a key=value pair`);
      return value;
    };
    switch (key) {
      case 'type':
        type = need().toLowerCase();
        break;
      case 'source':
      case 'src':
        source = need();
        break;
      case 'target':
      case 'dst':
      case 'destination':
        target = need();
        break;
      case 'readonly':
      case 'ro':
        readOnly = boolValue(spec, key, value);
        break;
      case 'bind-propagation':
        typeSpecific.push('bind');
        if (!['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'].includes(need())) throw mountError(spec, `invalid value for bind-propagation: ${value}`);
        bindOptions.push(need());
        break;
      case 'bind-nonrecursive':
      case 'bind-recursive':
      case 'consistency':
        if (key.startsWith('bind')) typeSpecific.push('bind');
        break;
      case 'volume-nocopy':
      case 'volume-subpath':
        typeSpecific.push('volume');
        if (key === 'volume-subpath') throw mountError(spec, 'volume-subpath is not supported');
        noCopy = boolValue(spec, key, value);
        break;
      case 'volume-driver':
        typeSpecific.push('volume');
        if (need() !== 'local') throw mountError(spec, `volume driver "${value}" is not supported`);
        break;
      case 'volume-label':
      case 'volume-opt': {
        typeSpecific.push('volume');
        const v = need();
        const i = v.indexOf('=');
        if (key === 'volume-opt' && i <= 0) throw mountError(spec, `invalid value for volume-opt: ${v}`);
        (key === 'volume-label' ? volumeLabels : volumeOptions)[i < 0 ? v : v.slice(0, i)] = i < 0 ? '' : v.slice(i + 1);
        break;
      }
      case 'tmpfs-size':
        typeSpecific.push('tmpfs');
        tmpfsOptions.push(`size=${tmpfsSize(spec, need())}`);
        break;
      case 'tmpfs-mode': {
        typeSpecific.push('tmpfs');
        const mode = need();
        if (!/^0?[0-7]{1,4}$/.test(mode)) throw mountError(spec, `invalid value for tmpfs-mode: ${mode}`);
        tmpfsOptions.push(`mode=${parseInt(mode, 8).toString(8)}`);
        break;
      }
      default:
        throw mountError(spec, `unexpected key '${key}' in '${field}'`);
    }
  }
  if (!['bind', 'volume', 'tmpfs'].includes(type)) throw mountError(spec, `mount type "${type}" is not supported`);
  if (!target) throw mountError(spec, 'target is required');
  for (const t of typeSpecific) {
    if (t !== type) throw configError(type, `cannot mix '${t}-*' options with mount type '${type}'`);
  }
  const destination = absoluteDestination(spec, type, target);
  if (type === 'bind') {
    if (!source) throw configError(type, 'field Source must not be empty');
    return { type, source: path.resolve(cwd, source), destination, readOnly, ...(bindOptions.length ? { options: bindOptions } : {}) };
  }
  if (type === 'tmpfs') {
    if (source) throw configError(type, 'field Source must not be specified');
    return { type, source: '', destination, readOnly, options: [...TMPFS_DEFAULT_OPTIONS, ...tmpfsOptions] };
  }
  if (source && !VOLUME_NAME_RE.test(source)) {
    throw configError(type, `invalid volume name "${source}": only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed`);
  }
  return {
    type: 'volume',
    source,
    destination,
    readOnly,
    ...(noCopy ? { noCopy } : {}),
    ...(Object.keys(volumeLabels).length ? { volumeLabels } : {}),
    ...(Object.keys(volumeOptions).length ? { volumeOptions } : {}),
  };
}

const TMPFS_FLAGS = new Set([
  'ro', 'rw', 'nosuid', 'suid', 'nodev', 'dev', 'noexec', 'exec', 'sync', 'async', 'dirsync', 'remount', 'mand', 'nomand',
  'atime', 'noatime', 'diratime', 'nodiratime', 'relatime', 'norelatime', 'strictatime', 'nostrictatime', 'lazytime', 'nolazytime',
  'private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave', 'tmpcopyup', 'notmpcopyup',
]);
const TMPFS_KEYS = new Set(['size', 'mode', 'uid', 'gid', 'nr_blocks', 'nr_inodes', 'mpol', 'huge']);

/** `--tmpfs /path[:opt,opt=v,…]` (mount(8) tmpfs options; docker's defaults nosuid,nodev,noexec first). */
export function parseTmpfsFlag(spec: string): MountRequest {
  const colon = spec.indexOf(':');
  const dst = colon < 0 ? spec : spec.slice(0, colon);
  const opts = colon < 0 ? [] : spec.slice(colon + 1).split(',').filter(Boolean);
  if (!dst.startsWith('/')) throw new UsageError(`invalid value "${spec}" for --tmpfs: the mount path "${dst}" must be absolute`);
  let readOnly = false;
  const options = [...TMPFS_DEFAULT_OPTIONS];
  for (const o of opts) {
    const eq = o.indexOf('=');
    const key = eq < 0 ? o : o.slice(0, eq);
    if (eq < 0 ? !TMPFS_FLAGS.has(key) : !TMPFS_KEYS.has(key)) throw new UsageError(`invalid tmpfs option "${o}" in "${spec}"`);
    if (key === 'ro') readOnly = true;
    else if (key === 'rw') readOnly = false;
    else if (key === 'tmpcopyup' || key === 'notmpcopyup') continue;
    else if (key === 'mode' && !/^[0-7]{1,4}$/.test(o.slice(eq + 1))) throw new UsageError(`invalid tmpfs option "${o}": the mode must be octal`);
    else {
      // A later option overrides its opposite (exec after the default noexec).
      const opposite = key.startsWith('no') ? key.slice(2) : `no${key}`;
      const at = options.findIndex((x) => x === opposite || x.split('=')[0] === key);
      if (at >= 0) options.splice(at, 1);
      options.push(o);
    }
  }
  return { type: 'tmpfs', source: '', destination: path.posix.normalize(dst).replace(/(.)\/$/, '$1'), readOnly, options };
}

/** `--volumes-from CONTAINER[:ro|rw]`. */
export function parseVolumesFrom(spec: string): { container: string; mode?: 'ro' | 'rw' } {
  const colon = spec.lastIndexOf(':');
  if (colon < 0) {
    if (!spec) throw new UsageError('--volumes-from requires a container name or id');
    return { container: spec };
  }
  const container = spec.slice(0, colon);
  const mode = spec.slice(colon + 1);
  if (!container) throw new UsageError(`invalid value "${spec}" for --volumes-from: missing container`);
  if (mode !== 'ro' && mode !== 'rw' && mode !== 'z' && mode !== 'Z') {
    throw new UsageError(`invalid mode for volumes-from: ${mode}`, 'use CONTAINER, CONTAINER:ro or CONTAINER:rw');
  }
  return mode === 'ro' || mode === 'rw' ? { container, mode } : { container };
}

/** docker: two mounts on one path is an error. */
export function checkDuplicateDestinations(requests: Array<{ destination: string }>): void {
  const seen = new Set<string>();
  for (const r of requests) {
    if (seen.has(r.destination)) throw new UsageError(`duplicate mount point: ${r.destination}`);
    seen.add(r.destination);
  }
}
