/** A noun's page (tote-image(1)): its verbs, each pointing to its own page. */
import { globalOptionsReference, header, pageName, seeAlso } from './common.js';
import type { NounPage, Tree } from './model.js';
import { sentence, synopsis } from './notation.js';
import { bold, esc, italic, ref, Roff } from './roff.js';

export function nounPage(tree: Tree, noun: NounPage, version: string): string {
  const r = new Roff();
  const name = pageName([noun.noun]);
  header(r, name, version);
  r.sh('NAME');
  r.raw(`${esc(name)} \\- ${esc(noun.describe)}`);
  r.sh('SYNOPSIS');
  r.raw(`${bold(`tote ${noun.noun}`)} ${italic('COMMAND')} [${italic('options')}] [${italic('ARG')}...]`);
  r.sh('DESCRIPTION');
  r.raw(esc(sentence(noun.describe)));
  r.sh('COMMANDS');
  for (const v of noun.verbs) {
    const body = [esc(sentence(v.help.describe))];
    if (v.aliases.length) body.push('.br', `Aliases: ${v.aliases.map(bold).join(', ')}.`);
    body.push('.br', `See ${ref(pageName(v.path))}.`);
    r.tp(synopsis(v.help.usage, v.path), ...body);
  }
  globalOptionsReference(r, tree);
  seeAlso(r, ['tote', ...noun.verbs.map((v) => pageName(v.path))]);
  return r.toString();
}
