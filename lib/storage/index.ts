export { storePaths, layerDir, hexOf, type StorePaths } from './paths.js';
export {
  sha256Digest,
  blobPath,
  hasBlob,
  putBlobBytes,
  readBlob,
  openBlob,
  beginBlobWrite,
  removeBlob,
  DigestStream,
} from './blobs.js';
export {
  commitLayer,
  hasLayer,
  layerMetaPath,
  openLayerTar,
  readLayerMeta,
  removeLayer,
  tarSplitPath,
  updateLayerMeta,
  type ExtractedLayerFiles,
  type LayerMeta,
} from './layers.js';
export { makeLayerTemp, sweepLayerTemps } from './temp.js';
export { loadImages, saveImages, upsertImage, type ImageRecord } from './images.js';
export {
  containerDir,
  loadContainer,
  saveContainer,
  updateContainer,
  listContainers,
  type ContainerRecord,
  type ContainerSpec,
  type ContainerStatus,
  type MountSpec,
} from './containers.js';
export * from './layer/index.js';
export * from './driver/index.js';
