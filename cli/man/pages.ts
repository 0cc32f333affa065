/**
 * Renders tote's man pages from the captured `--help` data (see model.ts):
 * tote(1), one page per top-level command (tote-run(1)), one per noun
 * (tote-image(1)) and one per noun verb (tote-image-ls(1)).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { commandPage } from './command-page.js';
import { pageName } from './common.js';
import { mainPage } from './main-page.js';
import { captureTree, type Tree } from './model.js';
import { nounPage } from './noun-page.js';

export { pageName };

/** tote's version, from package.json at the repository root: two levels up from cli/man (ts), three from dist/cli/man (js). */
function packageVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'tote' && pkg.version) return pkg.version;
    } catch {
      // try the next candidate
    }
  }
  throw new Error('cannot find tote\'s package.json');
}

/** Every man page, file name → roff source, in file-name order. */
export function renderPages(tree: Tree = captureTree()): Map<string, string> {
  const version = packageVersion();
  const pages = new Map<string, string>();
  const add = (file: string, text: string) => {
    if (pages.has(file)) throw new Error(`two man pages named ${file}`);
    pages.set(file, text);
  };
  add('tote.1', mainPage(tree, version));
  for (const c of tree.commands) add(`${pageName(c.path)}.1`, commandPage(tree, c, version));
  for (const n of tree.nouns) {
    add(`${pageName([n.noun])}.1`, nounPage(tree, n, version));
    for (const v of n.verbs) add(`${pageName(v.path)}.1`, commandPage(tree, v, version));
  }
  return new Map([...pages].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Whether a file in man/ is one the generator owns (so stale ones can be removed). */
export function isGeneratedPage(file: string): boolean {
  return /^tote(-[a-z0-9-]+)?\.1$/.test(file);
}
