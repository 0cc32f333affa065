/** Named and anonymous volumes, and the mount flags of `run`. */
export {
  ANONYMOUS_LABEL,
  NoSuchVolumeError,
  VOLUME_NAME_RE,
  checkVolumeName,
  createVolume,
  createVolumeLocked,
  getVolume,
  listVolumes,
  loadVolume,
  mountVolumeName,
  removeVolumeLocked,
  treeSize,
  volumeDataDir,
  volumeDir,
  volumeUsers,
  volumesRoot,
  type CreateVolumeOptions,
  type VolumeRecord,
} from './store.js';
export {
  LS_FILTERS,
  PRUNE_FILTERS,
  VolumeInUseError,
  inspectVolume,
  inspectView,
  listVolumeEntries,
  matchVolume,
  parseFilters,
  pruneVolumes,
  removeAnonymousVolumesLocked,
  removeVolume,
  volumeUsersOf,
  type PruneResult,
  type VolumeListEntry,
} from './ops.js';
export {
  TMPFS_DEFAULT_OPTIONS,
  checkDuplicateDestinations,
  parseMountFlag,
  parseTmpfsFlag,
  parseVolumesFrom,
  type MountRequest,
} from './mounts.js';
export { findImageDirectory, populateFromImage } from './populate.js';
export { checkMountSource, discardVolumesLocked, prepareMountsLocked, sortMounts, type PreparedMounts } from './prepare.js';
