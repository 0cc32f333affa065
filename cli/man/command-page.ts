/** A command's page: tote-run(1), tote-image-ls(1). */
import { allCommandPages, globalKeys, globalOptionsReference, header, pageName, sameDefinition, seeAlso } from './common.js';
import type { CommandPage, Tree } from './model.js';
import { optionEntries, sentence, synopsis } from './notation.js';
import { bold, esc, ref, Roff } from './roff.js';

export function commandPage(tree: Tree, page: CommandPage, version: string): string {
  const r = new Roff();
  const name = pageName(page.path);
  const help = page.help;
  const parentPath = page.path.slice(0, -1);
  const aliasNames = page.aliases.map((a) => pageName([...parentPath, a]));
  header(r, name, version);
  r.sh('NAME');
  r.raw(`${esc([name, ...aliasNames].join(', '))} \\- ${esc(help.describe)}`);

  r.sh('SYNOPSIS');
  r.raw(synopsis(help.usage, page.path));
  for (const a of page.aliases) r.raw('.br').raw(synopsis(help.usage, page.path, [...parentPath, a]));

  r.sh('DESCRIPTION');
  r.raw(esc(sentence(help.describe)));
  const twins = allCommandPages(tree).filter((p) => sameDefinition(p, page));
  for (const t of twins) {
    r.pp().raw(`${bold(['tote', ...page.path].join(' '))} is the same command as ${bold(['tote', ...t.path].join(' '))}; see ${ref(pageName(t.path))}.`);
  }

  if (help.positionals.length) {
    r.sh('ARGUMENTS');
    optionEntries(r, help.positionals, true);
  }
  const globals = globalKeys(tree);
  const own = help.options.filter((o) => !globals.has(o.key));
  if (own.length) {
    r.sh('OPTIONS');
    optionEntries(r, own, false);
  }
  globalOptionsReference(r, tree);

  const related = ['tote', ...(parentPath.length ? [pageName(parentPath)] : []), ...twins.map((t) => pageName(t.path))];
  seeAlso(r, [...new Set(related)]);
  return r.toString();
}
