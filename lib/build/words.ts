/**
 * Dockerfile words and variable substitution, as docker's shell lexer does
 * it: `$V`, `${V}`, `${V:-default}`, `${V:+alternative}` (also `-`/`+`
 * without the colon), quotes removed ('…' is literal, "…" substitutes), the
 * escape character escapes the next character (`\$` is a literal `$`).
 */
import { UsageError } from '../errors/index.js';

export type Vars = ReadonlyMap<string, string>;

function isNameStart(c: string): boolean {
  return /[A-Za-z_]/.test(c);
}
function isNameChar(c: string): boolean {
  return /[A-Za-z0-9_]/.test(c);
}

class Lexer {
  i = 0;
  constructor(
    readonly text: string,
    readonly vars: Vars,
    readonly escape: string,
  ) {}

  /** A `$…` at this.i (which points at the `$`). */
  variable(): string {
    const t = this.text;
    this.i++; // $
    if (t[this.i] === '{') {
      this.i++;
      let name = '';
      while (this.i < t.length && isNameChar(t[this.i])) name += t[this.i++];
      if (!name) throw new UsageError(`bad substitution in "${t}": missing variable name`);
      if (t[this.i] === '}') {
        this.i++;
        return this.vars.get(name) ?? '';
      }
      if (this.i >= t.length) throw new UsageError(`missing '}' in substitution "${t}"`);
      let op = '';
      if (t[this.i] === ':') op += t[this.i++];
      const kind = t[this.i];
      if (kind !== '-' && kind !== '+' && kind !== '?') throw new UsageError(`unsupported modifier (${op}${kind ?? ''}) in substitution "${t}"`);
      this.i++;
      const word = this.word('}');
      if (t[this.i] !== '}') throw new UsageError(`missing '}' in substitution "${t}"`);
      this.i++;
      const value = this.vars.get(name);
      const set = op === ':' ? value !== undefined && value !== '' : value !== undefined;
      if (kind === '-') return set ? value! : word;
      if (kind === '+') return set ? word : '';
      if (!set) throw new UsageError(`${name}: ${word || 'is not allowed to be unset'}`);
      return value!;
    }
    if (this.i < t.length && isNameStart(t[this.i])) {
      let name = '';
      while (this.i < t.length && isNameChar(t[this.i])) name += t[this.i++];
      return this.vars.get(name) ?? '';
    }
    return '$';
  }

  /** Reads until `stop` (not consumed) or, when stop is ' ', unquoted whitespace. */
  word(stop: string | undefined): string {
    const t = this.text;
    let out = '';
    while (this.i < t.length) {
      const c = t[this.i];
      if (stop === ' ' && /\s/.test(c)) break;
      if (stop !== undefined && stop !== ' ' && c === stop) break;
      if (c === this.escape) {
        if (this.i + 1 < t.length) {
          out += t[this.i + 1];
          this.i += 2;
        } else {
          out += c;
          this.i++;
        }
        continue;
      }
      if (c === "'") {
        const end = t.indexOf("'", this.i + 1);
        if (end < 0) throw new UsageError(`unexpected end of statement while looking for matching single-quote in "${t}"`);
        out += t.slice(this.i + 1, end);
        this.i = end + 1;
        continue;
      }
      if (c === '"') {
        this.i++;
        while (this.i < t.length && t[this.i] !== '"') {
          const d = t[this.i];
          if (d === this.escape && this.i + 1 < t.length && ['"', '$', this.escape].includes(t[this.i + 1])) {
            out += t[this.i + 1];
            this.i += 2;
          } else if (d === '$') out += this.variable();
          else {
            out += d;
            this.i++;
          }
        }
        if (t[this.i] !== '"') throw new UsageError(`unexpected end of statement while looking for matching double-quote in "${t}"`);
        this.i++;
        continue;
      }
      if (c === '$') {
        out += this.variable();
        continue;
      }
      out += c;
      this.i++;
    }
    return out;
  }
}

/** One word: quotes removed, variables substituted, whitespace kept. */
export function processWord(text: string, vars: Vars, escape = '\\'): string {
  const lx = new Lexer(text, vars, escape);
  return lx.word(undefined);
}

/** Whitespace-separated words, each processed (EXPOSE, COPY/ADD sources…). */
export function processWords(text: string, vars: Vars, escape = '\\'): string[] {
  return splitRawWords(text, escape).map((w) => processWord(w, vars, escape));
}

/** Splits on unquoted whitespace, keeping quotes and escapes in the words. */
export function splitRawWords(text: string, escape = '\\'): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let has = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      cur += c;
      if (c === escape && quote === '"' && i + 1 < text.length) cur += text[++i];
      else if (c === quote) quote = undefined;
      continue;
    }
    if (/\s/.test(c)) {
      if (has) out.push(cur);
      cur = '';
      has = false;
      continue;
    }
    has = true;
    cur += c;
    if (c === escape && i + 1 < text.length) cur += text[++i];
    else if (c === '"' || c === "'") quote = c;
  }
  if (quote) throw new UsageError(`unexpected end of statement while looking for matching ${quote === '"' ? 'double' : 'single'}-quote in "${text}"`);
  if (has) out.push(cur);
  return out;
}

/**
 * ENV/LABEL/ARG pairs: `K=V K2="v 2"` (each value processed), or the legacy
 * `K value with spaces` form (ENV and LABEL only).
 */
export function parseNameValues(text: string, instruction: string, vars: Vars, escape = '\\', allowBare = false): Array<[string, string | undefined]> {
  const words = splitRawWords(text, escape);
  if (words.length === 0) throw new UsageError(`${instruction} requires at least one argument`);
  if (!words[0].includes('=') && !allowBare) {
    if (words.length < 2) throw new UsageError(`${instruction} requires at least two arguments, but only one was provided. Destination could not be determined`);
    const rest = text.trim().slice(words[0].length).trim();
    return [[processWord(words[0], vars, escape), processWord(rest, vars, escape)]];
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    if (eq < 0) {
      if (allowBare) return [processWord(w, vars, escape), undefined];
      throw new UsageError(`${instruction} names can not be blank: "${w}" has no "="`);
    }
    if (eq === 0) throw new UsageError(`${instruction} names can not be blank`);
    return [processWord(w.slice(0, eq), vars, escape), processWord(w.slice(eq + 1), vars, escape)];
  });
}

/** A JSON array of strings (exec form), or undefined when `text` is not one. */
export function parseJsonArray(text: string): string[] | undefined {
  const t = text.trim();
  if (!t.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    // Shell form after all, as docker does.
  }
  return undefined;
}
