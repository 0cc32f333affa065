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

/**
 * npm installs (`npm link`, `npm install -g`) only the man pages listed in
 * package.json's "man": every page in man/, generated or hand-written
 * (tote-dockerfile.5, tote-registries.conf.5). Returns whether it changed.
 */
export function manList(manDir: string): string[] {
  return readdirSync(manDir)
    .filter((f) => /^tote[a-z0-9.-]*\.[1-8]$/.test(f))
    .sort()
    .map((f) => `./${path.basename(manDir)}/${f}`);
}

export function updatePackageMan(packageJson: string, manDir: string): boolean {
  const text = readFileSync(packageJson, 'utf8');
  const pkg = JSON.parse(text) as Record<string, unknown>;
  const list = manList(manDir);
  if (JSON.stringify(pkg.man) === JSON.stringify(list)) return false;
  pkg.man = list;
  writeFileSync(packageJson, JSON.stringify(pkg, null, 2) + '\n');
  return true;
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const outDir = process.argv[2] ?? 'man';
  const { written, unchanged, removed } = writePages(outDir);
  for (const f of written) process.stdout.write(`wrote ${path.join(outDir, f)}\n`);
  for (const f of removed) process.stdout.write(`removed stale ${path.join(outDir, f)}\n`);
  process.stdout.write(`${written.length} written, ${unchanged.length} unchanged, ${removed.length} removed\n`);
  const packageJson = path.join(path.dirname(path.resolve(outDir)), 'package.json');
  if (updatePackageMan(packageJson, outDir)) process.stdout.write(`updated "man" in ${packageJson}\n`);
}
