export { probeDriver, probeUncached, probeOverlay, probeFuseOverlayfs, storageInfoFile, type StorageInfo } from './probe.js';
export {
  rootfsMountPlan,
  isStorageDriver,
  STORAGE_DRIVERS,
  MAX_MOUNT_OPTIONS,
  type StorageDriver,
  type RootfsMountPlan,
  type MountPlanOptions,
} from './plan.js';
export { populateVfsRootfs, copyLayerInto, copyLayersInto, type VfsCopyStats } from './vfs.js';
