/**
 * The lexer: splits template text into text runs and action tokens,
 * applying trim markers (`{{- … -}}`) and dropping comments.
 */
import { NUMBER_RE, parseNumber, unquoteGo } from './literals.js';
import type { Source } from './source.js';

export type TokKind =
  | 'text'
  | 'ldelim'
  | 'rdelim'
  | 'field'
  | 'dot'
  | 'var'
  | 'ident'
  | 'keyword'
  | 'string'
  | 'number'
  | 'bool'
  | 'nil'
  | 'pipe'
  | 'lparen'
  | 'rparen'
  | 'decl'
  | 'assign'
  | 'comma'
  | 'char'
  | 'eof';

export interface Token {
  kind: TokKind;
  /** Source text (for text tokens: the text after trimming). */
  val: string;
  pos: number;
  /** Preceded by white space inside an action. */
  sp: boolean;
  /** Decoded literal value for strings, numbers, chars, bools. */
  lit?: unknown;
}

const KEYWORDS = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'template', 'with']);

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

function isAlnum(c: string | undefined): boolean {
  return c !== undefined && /^[\p{L}\p{Nd}_]$/u.test(c);
}

/** A token as Go's parser names it in "unexpected …" messages. */
export function describeToken(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'EOF';
    case 'rdelim':
      return '"}}"';
    case 'ldelim':
      return '"{{"';
    case 'keyword':
      return `<${t.val}>`;
    case 'text':
      return JSON.stringify(t.val);
    default:
      return `"${t.val}"`;
  }
}

/** The whole template as tokens, ending with an `eof` token; a lexical error throws a TemplateError. */
export function lex(src: Source): Token[] {
  const s = src.text;
  const n = s.length;
  const toks: Token[] = [];
  let pos = 0;
  const startsWith = (str: string, at: number): boolean => s.startsWith(str, at);
  const rightTrimAt = (at: number): boolean => isSpace(s[at]) && s[at + 1] === '-' && startsWith('}}', at + 2);

  while (pos < n) {
    const idx = s.indexOf('{{', pos);
    if (idx < 0) {
      toks.push({ kind: 'text', val: s.slice(pos), pos, sp: false });
      break;
    }
    const ltrim = s[idx + 2] === '-' && isSpace(s[idx + 3]);
    let textEnd = idx;
    if (ltrim) while (textEnd > pos && isSpace(s[textEnd - 1])) textEnd--;
    if (textEnd > pos) toks.push({ kind: 'text', val: s.slice(pos, textEnd), pos, sp: false });
    const actionStart = idx;
    pos = idx + 2 + (ltrim ? 2 : 0);

    // Comments.
    if (startsWith('/*', pos)) {
      const end = s.indexOf('*/', pos + 2);
      if (end < 0) throw src.parseError(actionStart, 'unclosed comment');
      pos = end + 2;
      let rtrim = false;
      if (rightTrimAt(pos)) {
        rtrim = true;
        pos += 4;
      } else if (startsWith('}}', pos)) {
        pos += 2;
      } else {
        throw src.parseError(actionStart, 'comment ends before closing delimiter');
      }
      if (rtrim) while (pos < n && isSpace(s[pos])) pos++;
      continue;
    }

    toks.push({ kind: 'ldelim', val: '{{', pos: actionStart, sp: false });
    let sp = false;
    for (;;) {
      if (rightTrimAt(pos)) {
        toks.push({ kind: 'rdelim', val: '}}', pos: pos + 2, sp: true });
        pos += 4;
        while (pos < n && isSpace(s[pos])) pos++;
        break;
      }
      if (startsWith('}}', pos)) {
        toks.push({ kind: 'rdelim', val: '}}', pos, sp });
        pos += 2;
        break;
      }
      if (pos >= n) throw src.parseError(actionStart, 'unclosed action');
      const c = s[pos];
      if (isSpace(c)) {
        while (pos < n && isSpace(s[pos]) && !rightTrimAt(pos)) pos++;
        sp = true;
        continue;
      }
      const start = pos;
      const push = (kind: TokKind, val: string, lit?: unknown): void => {
        toks.push({ kind, val, pos: start, sp, lit });
        sp = false;
      };
      if (c === '|') {
        pos++;
        push('pipe', '|');
      } else if (c === '(') {
        pos++;
        push('lparen', '(');
      } else if (c === ')') {
        pos++;
        push('rparen', ')');
      } else if (c === ',') {
        pos++;
        push('comma', ',');
      } else if (c === ':') {
        if (s[pos + 1] !== '=') throw src.parseError(start, 'expected :=');
        pos += 2;
        push('decl', ':=');
      } else if (c === '=') {
        pos++;
        push('assign', '=');
      } else if (c === '"' || c === "'") {
        let i = pos + 1;
        while (i < n && s[i] !== c) {
          if (s[i] === '\\') i++;
          if (s[i] === '\n') break;
          i++;
        }
        if (i >= n || s[i] !== c) throw src.parseError(start, c === '"' ? 'unterminated quoted string' : 'unterminated character constant');
        const raw = s.slice(pos, i + 1);
        pos = i + 1;
        const val = unquoteGo(src, raw, start, c);
        if (c === '"') push('string', raw, val);
        else {
          const cps = Array.from(val);
          if (cps.length !== 1) throw src.parseError(start, `malformed character constant: ${raw}`);
          push('number', raw, cps[0].codePointAt(0));
        }
      } else if (c === '`') {
        const end = s.indexOf('`', pos + 1);
        if (end < 0) throw src.parseError(start, 'unterminated raw quoted string');
        const raw = s.slice(pos, end + 1);
        pos = end + 1;
        push('string', raw, raw.slice(1, -1).replace(/\r/g, ''));
      } else if (c === '$') {
        pos++;
        while (isAlnum(s[pos])) pos++;
        push('var', s.slice(start, pos));
      } else if (c === '.' && !(s[pos + 1] >= '0' && s[pos + 1] <= '9')) {
        pos++;
        while (isAlnum(s[pos])) pos++;
        if (pos === start + 1) push('dot', '.');
        else push('field', s.slice(start, pos));
      } else if ((c >= '0' && c <= '9') || c === '.' || ((c === '+' || c === '-') && /[0-9.]/.test(s[pos + 1] ?? ''))) {
        NUMBER_RE.lastIndex = pos;
        const m = NUMBER_RE.exec(s);
        if (!m || isAlnum(s[pos + m[0].length]) || s[pos + m[0].length] === '.') {
          let e = pos + 1;
          while (e < n && (isAlnum(s[e]) || s[e] === '.')) e++;
          throw src.parseError(start, `bad number syntax: "${s.slice(pos, e)}"`);
        }
        pos += m[0].length;
        push('number', m[0], parseNumber(src, m[0], start));
      } else if (isAlnum(c)) {
        while (isAlnum(s[pos])) pos++;
        const word = s.slice(start, pos);
        if (KEYWORDS.has(word)) push('keyword', word);
        else if (word === 'true' || word === 'false') push('bool', word, word === 'true');
        else if (word === 'nil') push('nil', word);
        else push('ident', word);
      } else {
        pos += c.length;
        push('char', c);
      }
    }
  }
  toks.push({ kind: 'eof', val: '', pos: n, sp: false });
  return toks;
}
