/**
 * Decoding of Go literals inside actions: quoted strings and character
 * constants (with Go's escapes) and integer / float numbers (with Go's
 * prefixes and `_` separators).
 */
import type { Source } from './source.js';

/** Go's escapes in an interpreted string or character constant (`raw` includes the quotes). */
export function unquoteGo(src: Source, raw: string, pos: number, quote: string): string {
  let out = '';
  for (let i = 1; i < raw.length - 1; i++) {
    const c = raw[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = raw[++i];
    const hex = (n: number): string => {
      const h = raw.slice(i + 1, i + 1 + n);
      if (!/^[0-9a-fA-F]+$/.test(h) || h.length !== n) throw src.parseError(pos, `invalid syntax`);
      i += n;
      return h;
    };
    switch (e) {
      case 'a':
        out += '\x07';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case '\\':
        out += '\\';
        break;
      case '"':
      case "'":
        if (e !== quote) throw src.parseError(pos, `invalid syntax`);
        out += e;
        break;
      case 'x':
        out += Buffer.from([parseInt(hex(2), 16)]).toString('latin1');
        break;
      case 'u':
        out += String.fromCodePoint(parseInt(hex(4), 16));
        break;
      case 'U':
        out += String.fromCodePoint(parseInt(hex(8), 16));
        break;
      default:
        if (e !== undefined && e >= '0' && e <= '7') {
          const o = raw.slice(i, i + 3);
          if (!/^[0-7]{3}$/.test(o)) throw src.parseError(pos, `invalid syntax`);
          out += String.fromCharCode(parseInt(o, 8));
          i += 2;
          break;
        }
        throw src.parseError(pos, `invalid syntax`);
    }
  }
  return out;
}

/** The value of a number token that NUMBER_RE matched. */
export function parseNumber(src: Source, text: string, pos: number): number {
  const t = text.replace(/_/g, '');
  let sign = 1;
  let body = t;
  if (body[0] === '+' || body[0] === '-') {
    if (body[0] === '-') sign = -1;
    body = body.slice(1);
  }
  let v: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(body)) v = parseInt(body.slice(2), 16);
  else if (/^0[bB][01]+$/.test(body)) v = parseInt(body.slice(2), 2);
  else if (/^0[oO][0-7]+$/.test(body)) v = parseInt(body.slice(2), 8);
  else if (/^0[0-7]+$/.test(body)) v = parseInt(body.slice(1), 8);
  else if (/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(body)) v = Number(body);
  else throw src.parseError(pos, `illegal number syntax: "${text}"`);
  return sign * v;
}

/** Where a number literal ends (sticky: matched at the lexer's position). */
export const NUMBER_RE = /[+-]?(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?)/y;
