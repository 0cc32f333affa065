/**
 * The layer codec addon (helpers/layer-codec.c, built into dist-helpers/):
 * sha256 of the compressed bytes, gzip inflate (ISA-L) and sha256 of the
 * tar, on libuv's thread pool. Loaded on first use; when it is missing (not
 * built: no libisal-dev), fails to load, or TOTE_LAYER_CODEC=js, callers
 * fall back to zlib and node:crypto on the JS thread.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface CodecDigests {
  /** Hex sha256 of every input byte. */
  compressed: string;
  compressedSize: number;
  /** Hex sha256 of the output (of the input, for a plain codec). */
  diff: string;
  diffSize: number;
}

export interface NativeCodec {
  run(inputs: Buffer[] | null, out: Buffer | null, cb: (err: Error | undefined, written: number, more: boolean) => void): void;
  finish(): CodecDigests;
}

interface CodecModule {
  Codec: new (gzip: boolean) => NativeCodec;
}

let loaded: { module?: CodecModule; why?: string } | undefined;

/** The addon, or why there is none (for a debug line). */
export function loadLayerCodec(helperDir: string, env: NodeJS.ProcessEnv = process.env): { module?: CodecModule; why?: string } {
  if (env.TOTE_LAYER_CODEC === 'js') return { why: 'TOTE_LAYER_CODEC=js' };
  if (loaded) return loaded;
  const file = path.join(helperDir, 'layer-codec.node');
  if (!existsSync(file)) return (loaded = { why: `${file} is not built (make -C helpers, with libisal-dev installed)` });
  try {
    const module = createRequire(import.meta.url)(file) as CodecModule;
    if (typeof module?.Codec !== 'function') return (loaded = { why: `${file}: no Codec export` });
    return (loaded = { module });
  } catch (e) {
    return (loaded = { why: `${file}: ${(e as Error).message}` });
  }
}

/** One run of the codec as a promise. */
export function runCodec(codec: NativeCodec, inputs: Buffer[] | null, out: Buffer | null): Promise<{ written: number; more: boolean }> {
  return new Promise((resolve, reject) => {
    codec.run(inputs, out, (err, written, more) => (err ? reject(err) : resolve({ written, more })));
  });
}
