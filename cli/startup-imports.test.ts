/**
 * Start-up time is mostly module loading, and one static import can undo it:
 * lib/format's index brings the Go template engine (~50 KB), lib/image's
 * index brings pull and the registry client (node:https, node:tls: 30-70 ms),
 * yargs ~55 ms. This walks the static imports (what loads with a module, not
 * what its functions import later) of what the everyday commands load, in
 * tsc's output, and names the import chain that reaches something heavy.
 */
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const STATIC_IMPORT = /(?:^|[\n;])\s*(?:import|export)\s+(?:[^;'"]*?\s+from\s+)?['"]([^'"]+)['"]/g;

/** The chain from `entry` to the first module that `heavy` matches, or undefined. */
function chainTo(entry: string, heavy: (spec: string) => boolean): string[] | undefined {
  const seen = new Set<string>();
  const walk = (file: string, chain: string[]): string[] | undefined => {
    if (seen.has(file)) return undefined;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const [, spec] of text.matchAll(STATIC_IMPORT)) {
      const name = spec.startsWith('.') ? path.relative(dist, path.resolve(path.dirname(file), spec)) : spec;
      if (heavy(name)) return [...chain, name];
      if (spec.startsWith('.')) {
        const found = walk(path.resolve(path.dirname(file), spec), [...chain, name]);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(path.join(dist, entry), [entry]);
}

const isTemplateEngine = (m: string) => m === 'lib/format/index.js' || m.startsWith('lib/format/template/') || m === 'lib/format/table.js';
const isRegistry = (m: string) => m === 'lib/image/index.js' || m.startsWith('lib/registry/') || m === 'node:https' || m === 'node:tls';
const isYargs = (m: string) => m === 'yargs' || m.startsWith('yargs/');
const isWholeContainerLib = (m: string) => m === 'lib/container/index.js';

describe('what the everyday commands load', () => {
  test.each([
    // The entry point, the command tree and the quick parser: never yargs.
    ['cli/main.js', isYargs],
    ['cli/tree.js', isYargs],
    // What run, exec, stop, rm, ps, images and inspect import in their handlers.
    ...[
      'lib/container/query.js',
      'lib/container/filter.js',
      'lib/container/exec.js',
      'lib/container/run.js',
      'lib/container/attach.js',
      'lib/container/lifecycle.js',
      'lib/container/remove.js',
      'lib/container/create.js',
      'lib/systemd/index.js',
      'lib/image/store.js',
      'lib/image/inspect.js',
      'lib/image/filter.js',
      'lib/storage/index.js',
    ].flatMap((m) => [
      [m, isTemplateEngine],
      [m, isRegistry],
      [m, isWholeContainerLib],
    ]),
  ] as [string, (m: string) => boolean][])('%s loads nothing heavy (%p)', (entry, heavy) => {
    expect({ entry, chain: chainTo(entry, heavy) }).toEqual({ entry, chain: undefined });
  });
});
