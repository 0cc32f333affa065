/**
 * The man pages must document what `--help` shows, and the committed man/
 * must be what the generator produces today.
 */
import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NOUNS, TOP_LEVEL } from '../tree.js';
import { buildParser } from '../yargs-tree.js';
import { commandName } from '../man/model.js';
import { isGeneratedPage, pageName, renderPages } from '../man/pages.js';
import { manList } from './gen-man.js';

// dist/cli/internal → repository root.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const MAN_DIR = path.join(ROOT, 'man');

const pages = renderPages();

/** The real `tote PATH --help` text, printed by the CLI's own parser. */
function helpText(cmdPath: string[]): string {
  const argv = [...cmdPath, '--help'];
  let output = '';
  let failure: unknown;
  (buildParser(argv) as unknown as { exitProcess(b: boolean): { parse(a: string[], c: object, cb: (e: unknown, v: unknown, o: string) => void): unknown } })
    .exitProcess(false)
    .parse(argv, {}, (err, _argv, out) => {
      failure = err;
      output = out;
    });
  if (failure) throw failure;
  return output;
}

/** The lines of one `Heading:` block of a yargs help text. */
function helpSection(text: string, heading: string): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) return [];
  const out: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '') break;
    out.push(line);
  }
  return out;
}

/** Every switch (`-e`, `--env`) in the help's Options block. */
function helpSwitches(text: string): string[][] {
  return helpSection(text, 'Options:')
    // The switch column is indented 2 (`-e, --env`) or 6 (`    --name`) spaces; wrapped text lines are indented further.
    .map((l) => /^ {2}(?: {4})?(-{1,2}[^\s,]+(?:, -{1,2}[^\s,]+)*)(?:\s|$)/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => m[1].split(', '));
}

/** Positional names in the help's Positionals block (continuation lines are indented further). */
function helpPositionals(text: string): string[] {
  return helpSection(text, 'Positionals:')
    .filter((l) => /^ {2}\S/.test(l))
    .map((l) => l.trim().split(/\s+/)[0]);
}

/** roff source → plain text, enough to find names in it. */
function unroff(s: string): string {
  return s
    .replace(/\\f[BIRP]/g, '')
    .replace(/\\%/g, '')
    .replace(/\\&/g, '')
    .replace(/\\-/g, '-')
    .replace(/\\\[u([0-9A-F]{4,})\]/g, (_m, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/\\\(dq/g, '"')
    .replace(/\\e/g, '\\');
}

/** The tag lines (the line after each `.TP`) of a page's section, unroffed. */
function sectionTags(page: string, heading: string): string[] {
  const lines = page.split('\n');
  const tags: string[] = [];
  let inside = false;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].startsWith('.SH ')) inside = lines[i] === `.SH "${heading}"`;
    else if (inside && lines[i] === '.TP') tags.push(unroff(lines[i + 1] ?? ''));
  }
  return tags;
}

/** The switches documented in a section: `-e, --env=value` → ['-e', '--env']. */
function documentedSwitches(page: string, heading: string): Set<string> {
  return new Set(sectionTags(page, heading).flatMap((t) => t.split('=')[0].split(', ').map((s) => s.trim())));
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function page(file: string): string {
  const text = pages.get(file);
  if (text === undefined) throw new Error(`no generated page ${file}`);
  return text;
}

const commandPaths: string[][] = [
  ...TOP_LEVEL.map((c) => [commandName(c)]),
  ...Object.entries(NOUNS).flatMap(([noun, { verbs }]) => verbs.filter((v) => v.describe !== false).map((v) => [noun, commandName(v)])),
];

describe('man pages cover --help', () => {
  const globalSwitches = documentedSwitches(page('tote.1'), 'GLOBAL OPTIONS');

  test('tote(1) documents every global option and lists every command', () => {
    const text = helpText([]);
    const switches = helpSwitches(text);
    expect(switches.length).toBeGreaterThan(0);
    for (const group of switches) for (const sw of group) expect({ switch: sw, documented: globalSwitches.has(sw) }).toEqual({ switch: sw, documented: true });

    const listed = new Set(sectionTags(page('tote.1'), 'COMMANDS').concat(sectionTags(page('tote.1'), 'NOUN FORMS')));
    const commands = helpSection(text, 'Commands:')
      .map((l) => /^\s+tote (\S+)/.exec(l)?.[1])
      .filter((c): c is string => c !== undefined);
    expect(commands.length).toBeGreaterThan(0);
    for (const c of commands) expect({ command: c, listed: listed.has(`tote-${c}(1)`) }).toEqual({ command: c, listed: true });
  });

  test.each(commandPaths.map((p): [string, string[]] => [p.join(' '), p]))('tote %s', (_name, cmdPath) => {
    const text = helpText(cmdPath);
    const man = page(`${pageName(cmdPath)}.1`);
    const documented = documentedSwitches(man, 'OPTIONS');
    const switches = helpSwitches(text);
    expect(switches.length).toBeGreaterThan(0); // at least the global ones: the help parser works
    for (const group of switches) {
      // An option is documented on its own page, or (global options) in tote(1).
      const local = group.every((sw) => documented.has(sw));
      const global = group.every((sw) => globalSwitches.has(sw));
      expect({ option: group.join(', '), documented: local || global }).toEqual({ option: group.join(', '), documented: true });
    }
    expect(man).toContain('.SH "GLOBAL OPTIONS"');
    expect(man).toContain('\\fB\\%tote\\fR(1)');

    const args = new Set(sectionTags(man, 'ARGUMENTS').map((t) => t.replace(/\.\.\.$/, '')));
    for (const p of helpPositionals(text)) expect({ positional: p, documented: args.has(p.toUpperCase()) }).toEqual({ positional: p, documented: true });

    // The description paragraph (after the usage line and a blank line), however yargs wrapped it.
    const lines = text.split('\n');
    const description = lines.slice(lines.indexOf('') + 1, lines.indexOf('', lines.indexOf('') + 1)).join(' ').replace(/\s+/g, ' ');
    expect(description.length).toBeGreaterThan(0);
    expect(unroff(man)).toMatch(new RegExp(`^${escapeRe(pageName(cmdPath))}(, \\S+)* - ${escapeRe(description)}$`, 'm'));
  });

  test.each(Object.keys(NOUNS))('tote %s lists its verbs', (noun) => {
    const text = helpText([noun]);
    const man = unroff(page(`tote-${noun}.1`));
    const verbs = helpSection(text, 'Commands:')
      .map((l) => new RegExp(`^\\s+tote ${noun} (\\S+)`).exec(l)?.[1])
      .filter((v): v is string => v !== undefined);
    expect(verbs.length).toBe(NOUNS[noun].verbs.filter((v) => v.describe !== false).length);
    for (const v of verbs) expect(man).toContain(`tote-${noun}-${v}(1)`);
    for (const [, alias] of text.matchAll(/\[aliases: ([^\]]+)\]/g)) for (const a of alias.split(', ')) expect(man).toContain(a);
  });
});

describe('committed man/ is up to date', () => {
  const STALE = 'man/ is out of date with the command definitions: run `npm run build && npm run man` and commit man/';

  test('every generated page is committed unchanged', () => {
    const stale: string[] = [];
    for (const [file, text] of pages) {
      let committed: string | undefined;
      try {
        committed = readFileSync(path.join(MAN_DIR, file), 'utf8');
      } catch {
        committed = undefined;
      }
      if (committed !== text) stale.push(committed === undefined ? `${file} (missing)` : `${file} (differs)`);
    }
    if (stale.length) throw new Error(`${STALE}\n  ${stale.join('\n  ')}`);
  });

  test('man/ holds no page the generator no longer writes', () => {
    let files: string[] = [];
    try {
      files = readdirSync(MAN_DIR);
    } catch {
      files = [];
    }
    const extra = files.filter((f) => isGeneratedPage(f) && !pages.has(f));
    if (extra.length) throw new Error(`${STALE}\n  ${extra.map((f) => `${f} (no longer generated)`).join('\n  ')}`);
  });

  test('package.json "man" lists every page (npm installs only those), the hand-written section 5 ones too', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { man?: string[] };
    expect(pkg.man).toEqual(manList(MAN_DIR));
    expect(pkg.man).toEqual(expect.arrayContaining(['./man/tote-run.1', './man/tote-dockerfile.5', './man/tote-registries.conf.5']));
  });
});
