/**
 * Decides how tote enters its namespaces: rootful (no user namespace) or
 * rootless with the user's subordinate ids, and checks the prerequisites so
 * failures name their fix instead of surfacing as a helper's errno.
 */
import path from 'node:path';
import { findProgram, type ToteConfig } from '../config/index.js';
import { SystemError } from '../errors/index.js';
import { buildMapping, readSubIds, type IdMapping } from './subid.js';

export interface UsernsPlan {
  rootful: boolean;
  uidMap: IdMapping[];
  gidMap: IdMapping[];
  newuidmap?: string;
  newgidmap?: string;
  /** Why the mapping is less than it should be (shown once, as a warning). */
  warnings: string[];
}

export function subIdHint(userName: string): string {
  return `as root, give the user a range: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${userName}`;
}

export async function planUserns(config: ToteConfig): Promise<UsernsPlan> {
  if (config.isRoot) return { rootful: true, uidMap: [], gidMap: [], warnings: [] };
  const [uidRanges, gidRanges] = await Promise.all([
    readSubIds(config.etcDir, 'subuid', config.userName, config.uid),
    readSubIds(config.etcDir, 'subgid', config.userName, config.gid),
  ]);
  const warnings: string[] = [];
  if (uidRanges.length === 0 || gidRanges.length === 0) {
    const which = uidRanges.length === 0 ? 'subuid' : 'subgid';
    warnings.push(
      `no ${which} range for user "${config.userName}" in ${path.join(config.etcDir, which)}: ` +
        `using a single-id mapping, so images with files owned by other users cannot be used (${subIdHint(config.userName)})`,
    );
    return {
      rootful: false,
      uidMap: [{ containerId: 0, hostId: config.uid, size: 1 }],
      gidMap: [{ containerId: 0, hostId: config.gid, size: 1 }],
      warnings,
    };
  }
  const newuidmap = findProgram(config, 'newuidmap');
  const newgidmap = findProgram(config, 'newgidmap');
  if (!newuidmap || !newgidmap) {
    throw new SystemError('E_NO_NEWUIDMAP', 'newuidmap/newgidmap not found: rootless containers need them to map subordinate ids', {
      hint: 'install them: apt-get install uidmap (Debian/Ubuntu) or dnf install shadow-utils (Fedora)',
    });
  }
  return {
    rootful: false,
    uidMap: buildMapping(config.uid, uidRanges),
    gidMap: buildMapping(config.gid, gidRanges),
    newuidmap,
    newgidmap,
    warnings,
  };
}
