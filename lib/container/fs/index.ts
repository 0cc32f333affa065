export { copyFiles, copyIn, copyOut, type CopyOptions, type CopyResult } from './cp.js';
export { containerChanges } from './diff.js';
export { exportContainer, type ExportOptions } from './export.js';
export { computeChanges, formatChanges, lowerStat, type Change, type ChangeKind } from './changes.js';
export { parseCpArg, parseCpArgs, planCopy, renameEntry, type CopyDest, type CopyPlan, type CopySource, type CpArg } from './plan.js';
export { resolveInRoot, cleanContainerPath, joinRoot, MAX_SYMLINKS } from './resolve.js';
export { packTree, unpackTar, type PackOptions, type UnpackOptions, type PackStats, type UnpackStats } from './tar.js';
export { fsOpScript, isRunning, containerPaths } from './access.js';
