export { parseReference, familiarName, familiarRepository, splitName, type ImageReference } from './reference.js';
export { findImage, resolveImage, readImageConfig, readImageManifest, tagImage, removeImage, type RemoveImageReport } from './store.js';
export { importImage, type ImportOptions } from './import.js';
export { listImageRows, inspectImage, type ImageRow } from './inspect.js';
export { applyChange, parseCommandForm } from './changes.js';
export { MediaType, ociArchitecture, type ImageConfig, type ImageManifest, type ImageRuntimeConfig, type HistoryEntry } from './types.js';
export { commitContainer, commitRuntimeConfig, type CommitOptions } from './commit.js';
