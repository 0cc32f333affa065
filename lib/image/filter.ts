/**
 * `images --filter`: dangling, reference, before, since, label, with
 * docker's rules (same key ORs, different keys AND; reference is a glob
 * over the familiar `repo:tag` or `repo`).
 */
import type { ToteConfig } from '../config/index.js';
import { UsageError } from '../errors/index.js';
import type { ImageRecord } from '../storage/index.js';
import type { ImageRow } from './inspect.js';
import { findImage, readImageConfig } from './store.js';

const KEYS = ['dangling', 'reference', 'before', 'since', 'label'] as const;

export function parseImageFilters(flags: string[] | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of flags ?? []) {
    const eq = f.indexOf('=');
    const key = eq < 0 ? f : f.slice(0, eq);
    if (!(KEYS as readonly string[]).includes(key)) throw new UsageError(`invalid filter '${key}'`, `filters are ${KEYS.join(', ')}`);
    if (eq < 0) throw new UsageError(`bad format of filter (expected name=value): ${f}`);
    out.set(key, [...(out.get(key) ?? []), f.slice(eq + 1)]);
  }
  const dangling = out.get('dangling');
  if (dangling?.some((v) => !['true', 'false', '1', '0'].includes(v))) throw new UsageError(`invalid filter 'dangling=${dangling.join(',')}'`, 'use dangling=true or dangling=false');
  return out;
}

/** docker's path.Match-style glob: `*` and `?` do not cross `/`. */
export function globMatch(pattern: string, text: string): boolean {
  const re = pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${re}$`).test(text);
}

export async function filterImageRows(config: ToteConfig, rows: ImageRow[], all: ImageRecord[], filters: Map<string, string[]>): Promise<ImageRow[]> {
  if (filters.size === 0) return rows;
  const created = (text: string) => {
    const img = findImage(all, text);
    if (!img) throw new UsageError(`no such image: ${text}`);
    return img.created;
  };
  const before = filters.get('before')?.map(created);
  const since = filters.get('since')?.map(created);
  const labels = filters.get('label');
  const labelsOf = new Map<string, Record<string, string>>();
  if (labels) {
    for (const r of rows) {
      if (!labelsOf.has(r.ID)) labelsOf.set(r.ID, (await readImageConfig(config, r.record).catch(() => undefined))?.config?.Labels ?? {});
    }
  }
  return rows.filter((r) => {
    const dangling = filters.get('dangling');
    if (dangling && !dangling.some((v) => (v === 'true' || v === '1') === (r.record.names.length === 0))) return false;
    const refs = filters.get('reference');
    if (refs) {
      const names = r.Repository === '<none>' ? [] : [`${r.Repository}:${r.Tag}`, r.Repository];
      if (!refs.some((p) => names.some((n) => globMatch(p, n)))) return false;
    }
    if (before && !before.some((t) => r.CreatedAt < t)) return false;
    if (since && !since.some((t) => r.CreatedAt > t)) return false;
    if (labels) {
      const have = labelsOf.get(r.ID) ?? {};
      // Every label filter must hold (docker's rule for labels).
      for (const l of labels) {
        const eq = l.indexOf('=');
        if (eq < 0 ? !(l in have) : have[l.slice(0, eq)] !== l.slice(eq + 1)) return false;
      }
    }
    return true;
  });
}
