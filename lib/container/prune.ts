/** `tote container prune`: remove every stopped container (docker's ContainersPrune). */
import type { ToteConfig } from '../config/index.js';
import { UsageError } from '../errors/index.js';
import type { ImageRecord, ContainerRecord } from '../storage/index.js';
import type { UsernsPlan } from '../userns/index.js';
import { containerSize, isRunning } from './filter.js';
import { parseTimeFilter } from './logs.js';
import { allContainers } from './query.js';
import { removeContainer } from './remove.js';

export const CONTAINER_PRUNE_FILTERS = ['until', 'label', 'label!'];

export interface PruneFilters {
  /** Only containers created before this (ms since the epoch). */
  until?: number;
  /** `label=` values: all must match. */
  labels: string[];
  /** `label!=` values: none may match. */
  notLabels: string[];
}

/** `--filter until=…|label=…|label!=…`; bad keys and times are UsageErrors, as in docker. */
export function parsePruneFilters(flags: string[] | undefined, now = new Date()): PruneFilters {
  const result: PruneFilters = { labels: [], notLabels: [] };
  for (const flag of flags ?? []) {
    const m = /^([^=!]+)(!?)=(.*)$/s.exec(flag);
    if (!m) throw new UsageError(`bad format of filter (expected name=value): ${flag}`);
    const key = m[1].trim().toLowerCase() + m[2];
    const value = m[3].trim();
    if (!CONTAINER_PRUNE_FILTERS.includes(key)) throw new UsageError(`invalid filter '${key}'`);
    if (key === 'until') {
      const ns = parseTimeFilter(value, now, 'until');
      if (ns === undefined) throw new UsageError(`invalid filter 'until=${value}'`);
      const ms = Number(ns / 1_000_000n);
      // Several until= values: docker keeps the last one.
      result.until = ms;
    } else if (key === 'label') result.labels.push(value);
    else result.notLabels.push(value);
  }
  return result;
}

function labelMatches(labels: Record<string, string>, spec: string): boolean {
  const eq = spec.indexOf('=');
  const key = eq < 0 ? spec : spec.slice(0, eq);
  if (!Object.prototype.hasOwnProperty.call(labels, key)) return false;
  return eq < 0 || labels[key] === spec.slice(eq + 1);
}

/** Which containers prune takes: not running, created before `until`, labels as filtered. */
export function pruneCandidates(list: ContainerRecord[], filters: PruneFilters): ContainerRecord[] {
  return list.filter(
    (c) =>
      !isRunning(c) &&
      c.status !== 'removing' &&
      (filters.until === undefined || Date.parse(c.created) <= filters.until) &&
      filters.labels.every((l) => labelMatches(c.labels, l)) &&
      !filters.notLabels.some((l) => labelMatches(c.labels, l)),
  );
}

export interface PruneReport {
  /** Full ids, in removal order. */
  deleted: string[];
  /** Bytes of the removed writable layers. */
  reclaimed: number;
  /** Containers that could not be removed (docker logs these and goes on). */
  failed: Array<{ id: string; error: Error }>;
}

export async function pruneContainers(config: ToteConfig, plan: UsernsPlan, options: { filters?: string[] } = {}): Promise<PruneReport> {
  const filters = parsePruneFilters(options.filters);
  const report: PruneReport = { deleted: [], reclaimed: 0, failed: [] };
  const noImages: ImageRecord[] = [];
  for (const c of pruneCandidates(await allContainers(config), filters)) {
    try {
      const size = await containerSize(config, c, noImages);
      await removeContainer(config, plan, c, false);
      report.deleted.push(c.id);
      report.reclaimed += size.rw;
    } catch (e) {
      report.failed.push({ id: c.id, error: e as Error });
    }
  }
  return report;
}
