/**
 * Writes tote's man pages: `node dist/cli/internal/gen-man.js [OUTDIR=man]`.
 *
 * The pages are rendered from the same yargs definitions that print `--help`
 * (cli/man/model.ts), so regenerating after a flag change keeps them in step;
 * gen-man.test.ts fails when the committed man/ is out of date.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isGeneratedPage, renderPages } from '../man/pages.js';

export function writePages(outDir: string): { written: string[]; unchanged: string[]; removed: string[] } {
  const pages = renderPages();
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  const unchanged: string[] = [];
  const removed: string[] = [];
  for (const [file, text] of pages) {
    const target = path.join(outDir, file);
    let current: string | undefined;
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === text) unchanged.push(file);
    else {
      writeFileSync(target, text);
      written.push(file);
    }
  }
  for (const file of readdirSync(outDir)) {
    if (isGeneratedPage(file) && !pages.has(file)) {
      rmSync(path.join(outDir, file));
      removed.push(file);
    }
  }
  return { written, unchanged, removed };
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const outDir = process.argv[2] ?? 'man';
  const { written, unchanged, removed } = writePages(outDir);
  for (const f of written) process.stdout.write(`wrote ${path.join(outDir, f)}\n`);
  for (const f of removed) process.stdout.write(`removed stale ${path.join(outDir, f)}\n`);
  process.stdout.write(`${written.length} written, ${unchanged.length} unchanged, ${removed.length} removed\n`);
}
