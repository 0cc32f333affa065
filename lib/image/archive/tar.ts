/**
 * tar-stream, loaded on first use: lib/image is imported by most commands
 * (run, create…), few of them save or load an archive, and tar-stream with
 * its dependencies costs ~10 ms to load (see lib/storage/layer/pax.ts).
 */
import { createRequire } from 'node:module';
import type tar from 'tar-stream';

let tarModule: typeof tar | undefined;

export function tarStream(): typeof tar {
  tarModule ??= createRequire(import.meta.url)('tar-stream') as typeof tar;
  return tarModule;
}
