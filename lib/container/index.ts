export { createContainer, DEFAULT_PATH, type CreateOptions } from './create.js';
export { runForeground, type ForegroundOptions } from './run.js';
export { removeContainer } from './remove.js';
export { refreshStatus, isAlive } from './status.js';
export { allContainers, findContainer, statusText, inspectContainer } from './query.js';
export { resolveUser, type ResolvedUser } from './user.js';
export { parseVolume, readEnvFile, expandEnv, mergeEnv } from './inputs.js';
