/**
 * `ps` listing: docker's --filter semantics, -a/-n/-l selection and the
 * container's writable-layer size. Kept light (no runtime, no registry):
 * `tote ps` imports this module directly.
 *
 * docker's rules (moby daemon/list.go): values of one key OR together,
 * different keys AND, except `label`, whose values must all match.
 * `status` implies --all; other filters do not.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ToteConfig } from '../config/index.js';
import { NoSuchContainerError, ToteError, UsageError, errnoCode } from '../errors/index.js';
import { findImage } from '../image/store.js';
import { containerDir, loadImages, type ContainerRecord, type ImageRecord } from '../storage/index.js';
import { allContainers } from './query.js';

/** Filter keys tote evaluates. */
export const PS_FILTERS = ['id', 'name', 'label', 'status', 'exited', 'ancestor', 'before', 'since', 'volume'] as const;
/** Keys docker accepts that tote cannot evaluate yet (no health checks, tasks, published ports, networks). */
const UNSUPPORTED = ['health', 'isolation', 'is-task', 'network', 'publish', 'expose'];
/** docker's container.IsValidStateString. */
export const DOCKER_STATES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

export type PsFilters = Map<string, string[]>;

/** `--filter k=v` flags → key → values. Throws UsageError as docker words it. */
export function parsePsFilters(flags: string[] | undefined): PsFilters {
  const map: PsFilters = new Map();
  for (const flag of flags ?? []) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new UsageError(`bad format of filter (expected name=value): ${flag}`);
    const key = flag.slice(0, eq).trim().toLowerCase();
    const value = flag.slice(eq + 1).trim();
    if (UNSUPPORTED.includes(key)) throw new UsageError(`filter '${key}' is not supported by tote yet`);
    if (!(PS_FILTERS as readonly string[]).includes(key)) throw new UsageError(`invalid filter '${key}'`);
    if (key === 'status' && !DOCKER_STATES.includes(value)) throw new UsageError(`invalid filter 'status=${value}'`);
    if (key === 'exited' && !/^-?\d+$/.test(value)) throw new UsageError(`invalid filter 'exited=${value}'`, 'exited takes an exit code, e.g. exited=0');
    const list = map.get(key) ?? [];
    if (!list.includes(value)) list.push(value);
    map.set(key, list);
  }
  return map;
}

/** docker's State string: `stopping` is still running to docker. */
export function dockerState(c: ContainerRecord): string {
  return c.status === 'stopping' ? 'running' : c.status;
}

export function isRunning(c: ContainerRecord): boolean {
  return c.status === 'running' || c.status === 'paused' || c.status === 'stopping';
}

/** Go's regexp.MatchString, near enough (RE2 syntax is mostly JS's); a bad pattern matches nothing, as in docker. */
function regexMatch(pattern: string, text: string): boolean {
  try {
    return new RegExp(pattern).test(text);
  } catch {
    return false;
  }
}

/** What evaluating filters needs besides the container: every container (before/since) and the images (ancestor). */
export interface FilterContext {
  containers: ContainerRecord[];
  images: ImageRecord[];
}

/** Resolves `before=`/`since=` to a container, by docker's lookup (name, id, unique id prefix). */
function lookup(all: ContainerRecord[], text: string): ContainerRecord {
  const exact = all.find((c) => c.name === text || c.id === text || '/' + c.name === text);
  if (exact) return exact;
  if (/^[0-9a-f]+$/.test(text)) {
    const matches = all.filter((c) => c.id.startsWith(text));
    if (matches.length === 1) return matches[0];
    if (matches.length > 1) throw new ToteError('E_AMBIGUOUS_CONTAINER', `short id "${text}" matches ${matches.length} containers`, { hint: 'use more characters of the id' });
  }
  throw new NoSuchContainerError(text);
}

/**
 * The predicate for parsed filters. Throws (NoSuchContainerError) for a
 * before/since container that does not exist, as docker does; an ancestor
 * that names no local image matches nothing.
 */
export function compilePsFilters(filters: PsFilters, ctx: FilterContext): (c: ContainerRecord) => boolean {
  const tests: Array<(c: ContainerRecord) => boolean> = [];
  const values = (k: string) => filters.get(k) ?? [];
  const any = (k: string, f: (v: string, c: ContainerRecord) => boolean) => {
    const vs = values(k);
    if (vs.length) tests.push((c) => vs.some((v) => f(v, c)));
  };
  any('id', (v, c) => c.id.startsWith(v.toLowerCase()));
  // docker matches the name with and without its leading slash.
  any('name', (v, c) => regexMatch(v, c.name) || regexMatch(v, '/' + c.name));
  any('status', (v, c) => dockerState(c) === v);
  any('exited', (v, c) => !isRunning(c) && c.status === 'exited' && c.startedAt !== undefined && (c.exitCode ?? 0) === Number(v));
  any('volume', (v, c) => c.spec.mounts.some((m) => m.name === v || m.source === v || m.destination === v));
  const labels = values('label');
  if (labels.length) {
    tests.push((c) =>
      labels.every((v) => {
        const eq = v.indexOf('=');
        const key = eq < 0 ? v : v.slice(0, eq);
        if (!Object.prototype.hasOwnProperty.call(c.labels, key)) return false;
        return eq < 0 || c.labels[key] === v.slice(eq + 1);
      }),
    );
  }
  const ancestors = values('ancestor');
  if (ancestors.length) {
    const ids = new Set<string>();
    for (const a of ancestors) {
      let image: ImageRecord | undefined;
      try {
        image = findImage(ctx.images, a);
      } catch {
        image = undefined; // ambiguous: docker skips an ancestor it cannot resolve
      }
      if (!image) continue;
      ids.add(image.id);
      // Images built on top of it (its layers, then more) descend from it.
      for (const other of ctx.images) {
        if (other.layers.length > image.layers.length && image.layers.every((l, i) => other.layers[i] === l)) ids.add(other.id);
      }
    }
    tests.push((c) => ids.has(c.imageId));
  }
  const before = values('before').map((v) => lookup(ctx.containers, v));
  if (before.length) tests.push((c) => before.some((b) => c.id !== b.id && c.created < b.created));
  const since = values('since').map((v) => lookup(ctx.containers, v));
  if (since.length) tests.push((c) => since.some((s) => c.id !== s.id && c.created > s.created));
  return (c) => tests.every((t) => t(c));
}

export interface PsOptions {
  all?: boolean;
  /** -l: the latest created container, in any state. */
  latest?: boolean;
  /** -n N: the N last created containers, in any state (N ≤ 0: no limit). */
  last?: number;
  /** Raw `--filter` flags. */
  filters?: string[];
}

/**
 * Pure part of `ps`: `list` newest first (as allContainers returns it).
 * Like docker, the limit counts containers that pass the filters.
 */
export function selectContainers(list: ContainerRecord[], filters: PsFilters, ctx: FilterContext, options: Omit<PsOptions, 'filters'>): ContainerRecord[] {
  const limit = options.latest ? 1 : options.last !== undefined && options.last > 0 ? Math.trunc(options.last) : 0;
  const all = options.all || filters.has('status') || limit > 0;
  const match = compilePsFilters(filters, ctx);
  const out: ContainerRecord[] = [];
  for (const c of list) {
    if (!all && !isRunning(c)) continue;
    if (!match(c)) continue;
    out.push(c);
    if (limit > 0 && out.length >= limit) break;
  }
  return out;
}

/** `tote ps` selection: reconciled records, filtered, newest first. */
export async function psContainers(config: ToteConfig, options: PsOptions = {}): Promise<ContainerRecord[]> {
  const filters = parsePsFilters(options.filters); // bad flags fail before any I/O
  const [list, images] = await Promise.all([allContainers(config), filters.has('ancestor') ? loadImages(config) : Promise.resolve([])]);
  return selectContainers(list, filters, { containers: list, images }, options);
}

/**
 * docker's directory.Size: the bytes of everything under `dir` but
 * directories, each inode once (hard links), by lstat (symlinks are not
 * followed). Files owned by subordinate ids still stat fine; a directory we
 * cannot read is skipped. 0 when `dir` does not exist.
 */
export async function directorySize(dir: string): Promise<number> {
  const seen = new Set<bigint>();
  let total = 0;
  const walk = async (d: string): Promise<void> => {
    let entries: string[];
    try {
      entries = await fs.readdir(d);
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'ENOENT' || code === 'EACCES' || code === 'EPERM' || code === 'ENOTDIR') return;
      throw e;
    }
    await Promise.all(
      entries.map(async (name) => {
        const p = path.join(d, name);
        let st;
        try {
          st = await fs.lstat(p, { bigint: true });
        } catch {
          return; // vanished while walking, or not ours to see
        }
        if (st.isDirectory()) return walk(p);
        if (st.size === 0n || seen.has(st.ino)) return;
        seen.add(st.ino);
        total += Number(st.size);
      }),
    );
  };
  await walk(dir);
  return total;
}

export interface ContainerSize {
  /** The writable layer (SizeRw). */
  rw: number;
  /** Writable layer plus the image (SizeRootFs). */
  rootFs: number;
}

/** The container's upper dir, and that plus its image's size. */
export async function containerSize(config: ToteConfig, c: ContainerRecord, images: ImageRecord[]): Promise<ContainerSize> {
  const rw = await directorySize(path.join(containerDir(config, c.id), 'diff'));
  const image = images.find((i) => i.id === c.imageId);
  return { rw, rootFs: rw + (image?.size ?? 0) };
}
