export { writeJsonAtomic, writeFileAtomicText, readJson } from './atomic.js';
export { acquireLock, withLock, type Lock } from './lock.js';
