/**
 * `node dist/cli/internal/bundle.js`, run by `npm run build` after tsc:
 * replaces tsc's dist/cli/main.js with the CLI bundled into one file, plus
 * one chunk per group of lazily imported modules (dist/chunks/). Node's ESM
 * loader costs ~0.25 ms per file it resolves and reads, and a plain `tote
 * ps` read ~140 of them; a bundled `tote ps` reads a handful.
 *
 * Besides tote's own code, only the small pure-JS packages that everyday
 * commands load are bundled (INLINE); every other npm package stays in
 * node_modules and is imported at run time as before: some are native, some
 * read files beside their own code (yargs' locales), and most are only
 * loaded by the commands that need them. The scripts that lib/ starts in a second process
 * (dist/cli/internal/*.js) keep tsc's output. Without this step (plain
 * `tsc`), dist/cli/main.js works the same, only slower to start.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

/** Packages loaded by ps/images/inspect/run/exec/stop/rm: ~15 files fewer to resolve and read. */
const INLINE = new Set(['smol-toml', '@swimlane/docker-reference', 'shlex']);

/** `@scope/name/sub` → `@scope/name`. */
function packageName(specifier: string): string {
  return specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
}

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dist = path.join(repo, 'dist');

rmSync(path.join(dist, 'chunks'), { recursive: true, force: true });
await build({
  entryPoints: { 'cli/main': path.join(repo, 'cli', 'main.ts') },
  outdir: dist,
  // Every output file is one level below dist/, which lib/config relies on to find dist/.
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  plugins: [
    {
      name: 'npm-external',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (a) => (INLINE.has(packageName(a.path)) ? undefined : { external: true }));
      },
    },
  ],
  define: { TOTE_BUNDLE: 'true' },
  allowOverwrite: true,
  logLevel: 'warning',
});
