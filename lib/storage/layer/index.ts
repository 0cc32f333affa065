export {
  applyLayer,
  cleanEntryName,
  mknodWhiteouts,
  OPAQUE_MARKER,
  OPAQUE_XATTR,
  WHITEOUT_PREFIX,
  xattrLib,
  type ApplyOptions,
  type ApplyStats,
} from './apply.js';
export { extractLayer, removeTree, runInUserns, applyLayerScript, parseEntryResult } from './extract.js';
export { maybeDecompress, detectCompression, type Compression, type DecompressOptions } from './decompress.js';
export { decodePaxRaw, encodePaxRaw, rawPaxExtract, type RawPaxRecord } from './pax.js';
