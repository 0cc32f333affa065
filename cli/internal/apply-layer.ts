/**
 * Internal entry point, run by lib/storage inside the user namespace:
 *
 *   node apply-layer.js TARGETDIR                        < layer.tar
 *   node apply-layer.js --fixups TARGETDIR               < fixups.json
 *   node apply-layer.js --assemble LAYERDIR TARSPLIT     > layer.tar
 *   node apply-layer.js --populate-vfs ROOTFS LAYERDIR…  (layers bottom first)
 *
 * Prints one JSON line on stdout: the stats, or {"error":{code,message,hint}}
 * with exit status 1 (--assemble: the tar on stdout, the error line on
 * stderr). Debug notes go to stderr.
 */
import { readFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { applyLayer } from '../../lib/storage/layer/apply.js';
import { applyFixups, type Fixups } from '../../lib/storage/layer/fixups.js';
import { assembleTar, parseTarSplit } from '../../lib/storage/layer/tarsplit.js';
import { copyLayersInto } from '../../lib/storage/driver/vfs.js';

function usage(text: string): Error {
  return Object.assign(new Error(`usage: ${text}`), { code: 'E_USAGE' });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(argv: string[]): Promise<unknown> {
  const onDebug = (msg: string) => process.stderr.write(`${msg}\n`);
  if (argv[0] === '--populate-vfs') {
    const [rootfs, ...layers] = argv.slice(1);
    if (!rootfs) throw usage('apply-layer.js --populate-vfs ROOTFS LAYERDIR...');
    return copyLayersInto(layers, rootfs);
  }
  if (argv[0] === '--fixups') {
    if (argv.length !== 2) throw usage('apply-layer.js --fixups TARGETDIR < fixups.json');
    return applyFixups(argv[1]!, JSON.parse(await readStdin()) as Fixups);
  }
  if (argv[0] === '--assemble') {
    if (argv.length !== 3) throw usage('apply-layer.js --assemble LAYERDIR TARSPLIT > layer.tar');
    const items = parseTarSplit(readFileSync(argv[2]!));
    await pipeline(Readable.from(assembleTar(items, argv[1]!)), process.stdout);
    return undefined;
  }
  if (argv.length !== 1) throw usage('apply-layer.js TARGETDIR < layer.tar');
  return applyLayer(process.stdin, argv[0]!, { onDebug });
}

const assembling = process.argv[2] === '--assemble';
main(process.argv.slice(2)).then(
  (result) => {
    if (!assembling) process.stdout.write(`${JSON.stringify(result)}\n`);
  },
  (e: unknown) => {
    const err = e as { code?: unknown; message?: unknown; hint?: unknown };
    const code = typeof err?.code === 'string' && err.code.startsWith('E_') ? err.code : 'E_LAYER_APPLY';
    const message = err instanceof Error ? err.message : String(e);
    const line = `${JSON.stringify({ error: { code, message, hint: typeof err?.hint === 'string' ? err.hint : undefined } })}\n`;
    (assembling ? process.stderr : process.stdout).write(line);
    process.exitCode = 1;
  },
);
