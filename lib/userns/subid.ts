/**
 * Reads /etc/subuid and /etc/subgid and builds the id mapping for a rootless
 * user namespace: container 0 = the user, 1..65536 = the user's subordinate range.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { errnoCode } from '../errors/index.js';

export interface IdRange {
  start: number;
  count: number;
}

export interface IdMapping {
  containerId: number;
  hostId: number;
  size: number;
}

/** How many ids a container gets besides root, as podman and docker use. */
export const CONTAINER_ID_SPAN = 65536;

/** Parses subuid/subgid text: `name-or-id:start:count` per line. */
export function parseSubIdFile(text: string, userName: string, userId: number): IdRange[] {
  const ranges: IdRange[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [owner, start, count] = line.split(':');
    if (owner !== userName && owner !== String(userId)) continue;
    const s = Number(start);
    const c = Number(count);
    if (Number.isInteger(s) && Number.isInteger(c) && s >= 0 && c > 0) ranges.push({ start: s, count: c });
  }
  return ranges;
}

export async function readSubIds(etcDir: string, file: 'subuid' | 'subgid', userName: string, userId: number): Promise<IdRange[]> {
  try {
    return parseSubIdFile(await fs.readFile(path.join(etcDir, file), 'utf8'), userName, userId);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return [];
    throw e;
  }
}

/**
 * Container id 0 is the caller; container ids 1.. fill from the ranges in
 * order, up to CONTAINER_ID_SPAN ids in all.
 */
export function buildMapping(ownId: number, ranges: IdRange[]): IdMapping[] {
  const mapping: IdMapping[] = [{ containerId: 0, hostId: ownId, size: 1 }];
  let next = 1;
  for (const r of ranges) {
    const remaining = CONTAINER_ID_SPAN - (next - 1);
    if (remaining <= 0) break;
    const size = Math.min(r.count, remaining);
    mapping.push({ containerId: next, hostId: r.start, size });
    next += size;
  }
  return mapping;
}

/** The "C H N C H N…" form newuidmap and our helper take. */
export function formatMapping(mapping: IdMapping[]): string {
  return mapping.map((m) => `${m.containerId} ${m.hostId} ${m.size}`).join(' ');
}

/** Maps a container id to the host id it lands on, or undefined if unmapped. */
export function toHostId(mapping: IdMapping[], containerId: number): number | undefined {
  for (const m of mapping) {
    if (containerId >= m.containerId && containerId < m.containerId + m.size) return m.hostId + (containerId - m.containerId);
  }
  return undefined;
}
