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
export { extractLayer, assembleLayerTar, removeTree, runInUserns, applyLayerScript, parseEntryResult, type ExtractedLayer } from './extract.js';
export { applyFixups, emptyFixups, hasFixups, type Fixups } from './fixups.js';
export { TarSplitRecorder, parseTarSplit, assembleTar, type SplitItem } from './tarsplit.js';
export { TarReader, TarFormatError, type TarSplitSink } from './tar-reader.js';
export { maybeDecompress, detectCompression, type Compression, type DecompressOptions } from './decompress.js';
export { decodePaxRaw, encodePaxRaw, type RawPaxRecord } from './pax.js';
export { openLayerSource, type LayerSource, type LayerSourceOptions, type Digested } from './layer-source.js';
export { loadLayerCodec } from './native-codec.js';
