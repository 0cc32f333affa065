export { createContainer, DEFAULT_PATH, type CreateOptions } from './create.js';
export { resolveLimits, parseCgroupsMode } from './limits.js';
export { runAttached, execAttached, type AttachIo, type RunResult } from './run.js';
export { startExec, type ExecOptions } from './exec.js';
export { startContainer, stopContainer, killContainer, waitContainer, cleanupContainer, signalNumber, shouldRestart, canStart } from './lifecycle.js';
export { attach, parseDetachKeys, type AttachResult } from './attach.js';
export { containerLogPath, exitFilePath } from './monitor.js';
export { removeContainer } from './remove.js';
export { refreshStatus, isAlive, readExitFile } from './status.js';
export { allContainers, findContainer, statusText, inspectContainer } from './query.js';
export { resolveUser, type ResolvedUser } from './user.js';
export { parseVolume, readEnvFile, expandEnv, mergeEnv } from './inputs.js';
export { volatilePaths } from './bundle.js';
export { readLogs, containerRunning, parseLogLine, parseTimeFilter, parseTail, renderLog, LogRenderer, type LogOptions, type LogRecord, type LogSink } from './logs.js';
export {
  copyFiles,
  containerChanges,
  exportContainer,
  formatChanges,
  parseCpArgs,
  type Change,
  type CopyOptions,
  type CopyResult,
  type ExportOptions,
} from './fs/index.js';
export { parsePsFilters, compilePsFilters, selectContainers, psContainers, directorySize, containerSize, dockerState, PS_FILTERS, type PsFilters, type PsOptions, type ContainerSize } from './filter.js';
export { topContainer, parsePsOutput, procTable, pidsInNamespaceOf, type TopResult } from './top.js';
export { renameContainer, CONTAINER_NAME_RE } from './rename.js';
export { pruneContainers, parsePruneFilters, type PruneReport } from './prune.js';
export { stopProcesses } from './freeze.js';
export { pauseContainer, unpauseContainer } from './pause.js';
export { updateContainerLimits, mergeLimits, checkUpdateFlags, type UpdateFlags, type UpdateOptions } from './update.js';
export { sampleStats, cpuPercent, type StatsSample } from './stats.js';
