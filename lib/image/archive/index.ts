export { saveArchive, selectImages, type SaveOptions } from './save.js';
export { loadArchive, type LoadOptions, type LoadResult, type LoadedImage } from './load.js';
export {
  ARCHIVE_FORMATS,
  dockerManifestJson,
  memberPath,
  ociIndexJson,
  parseDockerManifest,
  parseOciIndex,
  repoTag,
  repositoriesJson,
  type ArchiveFormat,
  type DockerManifestEntry,
} from './format.js';
