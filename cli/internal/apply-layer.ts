/**
 * Internal entry point, run by lib/storage inside the user namespace:
 *
 *   node apply-layer.js TARGETDIR                        < layer.tar
 *   node apply-layer.js --populate-vfs ROOTFS LAYERDIR…  (layers bottom first)
 *
 * Prints one JSON line on stdout: the stats, or {"error":{code,message,hint}}
 * with exit status 1. Debug notes go to stderr.
 */
import { applyLayer } from '../../lib/storage/layer/apply.js';
import { copyLayersInto } from '../../lib/storage/driver/vfs.js';

async function main(argv: string[]): Promise<unknown> {
  const onDebug = (msg: string) => process.stderr.write(`${msg}\n`);
  if (argv[0] === '--populate-vfs') {
    const [rootfs, ...layers] = argv.slice(1);
    if (!rootfs) throw Object.assign(new Error('usage: apply-layer.js --populate-vfs ROOTFS LAYERDIR...'), { code: 'E_USAGE' });
    return copyLayersInto(layers, rootfs);
  }
  if (argv.length !== 1) throw Object.assign(new Error('usage: apply-layer.js TARGETDIR < layer.tar'), { code: 'E_USAGE' });
  return applyLayer(process.stdin, argv[0]!, { onDebug });
}

main(process.argv.slice(2)).then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (e: unknown) => {
    const err = e as { code?: unknown; message?: unknown; hint?: unknown };
    const code = typeof err?.code === 'string' && err.code.startsWith('E_') ? err.code : 'E_LAYER_APPLY';
    const message = err instanceof Error ? err.message : String(e);
    process.stdout.write(`${JSON.stringify({ error: { code, message, hint: typeof err?.hint === 'string' ? err.hint : undefined } })}\n`);
    process.exitCode = 1;
  },
);
