/**
 * Internal entry point, run by lib/container/fs and lib/image/commit inside
 * the user namespace (see lib/container/fs/ops.ts for the protocol):
 *
 *   node fs-op.js '<JSON request>'
 *
 * Result-type operations print one JSON line on stdout; a failure is
 * {"error":{code,message,hint}} on stdout (when stdout is not already a
 * stream) and always on stderr, with exit status 1.
 */
import { runFsOp, type FsRequest } from '../../lib/container/fs/ops.js';

const state = { streaming: false };

async function main(argv: string[]): Promise<unknown> {
  if (argv.length !== 1) throw Object.assign(new Error("usage: fs-op.js '<JSON request>'"), { code: 'E_USAGE' });
  const req = JSON.parse(argv[0]!) as FsRequest;
  const debug = process.env.TOTE_FS_DEBUG === '1';
  return runFsOp(req, {
    stdin: process.stdin,
    stdout: process.stdout,
    onDebug: debug ? (m) => process.stderr.write(`${m}\n`) : undefined,
    state,
  });
}

main(process.argv.slice(2)).then(
  (result) => {
    if (result !== undefined) process.stdout.write(`${JSON.stringify(result)}\n`);
  },
  (e: unknown) => {
    const err = e as { code?: unknown; message?: unknown; hint?: unknown; exitCode?: unknown };
    const code = typeof err?.code === 'string' && err.code.startsWith('E_') ? err.code : 'E_FS_OP';
    const message = err instanceof Error ? err.message : String(e);
    const line = `${JSON.stringify({
      error: { code, message, hint: typeof err?.hint === 'string' ? err.hint : undefined, exitCode: typeof err?.exitCode === 'number' ? err.exitCode : undefined },
    })}\n`;
    if (!state.streaming) process.stdout.write(line);
    process.stderr.write(line);
    process.exitCode = 1;
  },
);
