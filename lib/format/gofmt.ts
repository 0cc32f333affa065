/**
 * Enough of Go's fmt package to print template values the way docker does:
 * fmt.Sprint / Sprintln / Sprintf over JS values mapped onto Go kinds.
 *
 * JS → Go mapping:
 *   undefined            → an invalid (missing) value: "<no value>" in templates, nil in fmt
 *   null                 → nil interface: "<nil>"
 *   integer number       → int;   other numbers → float64
 *   string, boolean      → string, bool
 *   bigint               → int64
 *   array                → []interface {}: "[a b c]"
 *   Date                 → time.Time: "2006-01-02 15:04:05.999999999 +0000 UTC"
 *   Map / plain object   → map[string]interface {}: "map[k:v k2:v2]" (sorted keys;
 *                          function-valued properties, i.e. methods, are not printed)
 *   function             → func
 *   object with String() → fmt.Stringer: printed as String()'s result
 */
import { formatFloat } from './gofloat.js';

export type GoKind = 'invalid' | 'nil' | 'string' | 'int' | 'float' | 'bool' | 'slice' | 'map' | 'func' | 'time';

export function goKind(v: unknown): GoKind {
  if (v === undefined) return 'invalid';
  if (v === null) return 'nil';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return Number.isInteger(v) ? 'int' : 'float';
    case 'bigint':
      return 'int';
    case 'boolean':
      return 'bool';
    case 'function':
      return 'func';
    case 'symbol':
      return 'string';
    default:
      break;
  }
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return 'slice';
  if (v instanceof Date) return 'time';
  return 'map';
}

/** The Go type name used in fmt's %T and error messages. */
export function goTypeName(v: unknown): string {
  switch (goKind(v)) {
    case 'invalid':
    case 'nil':
      return '<nil>';
    case 'string':
      return 'string';
    case 'int':
      return typeof v === 'bigint' ? 'int64' : 'int';
    case 'float':
      return 'float64';
    case 'bool':
      return 'bool';
    case 'slice':
      return '[]interface {}';
    case 'time':
      return 'time.Time';
    case 'func':
      return 'func(...interface {}) interface {}';
    default:
      return 'map[string]interface {}';
  }
}

/** Enumerable data entries of a map-like value, sorted by key; methods excluded. */
export function mapEntries(v: object): [string, unknown][] {
  let entries: [string, unknown][];
  if (v instanceof Map) {
    entries = [...v.entries()].map(([k, val]) => [String(k), val]);
  } else {
    entries = Object.entries(v);
  }
  return entries.filter(([, val]) => typeof val !== 'function').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function sliceItems(v: unknown): unknown[] {
  return Array.isArray(v) ? v : Array.from(v as ArrayLike<unknown>);
}

function pad2(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** time.Time.String() in UTC. */
export function goTimeString(d: Date): string {
  if (Number.isNaN(d.getTime())) return '0001-01-01 00:00:00 +0000 UTC';
  let s =
    `${pad2(d.getUTCFullYear(), 4)}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  const ms = d.getUTCMilliseconds();
  if (ms) s += '.' + pad2(ms, 3).replace(/0+$/, '');
  return s + ' +0000 UTC';
}

/** strconv.Quote (ASCII-only output when `ascii`, as for %+q). */
export function goQuote(s: string, ascii = false, quote = '"'): string {
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') {
      out += '\\' + ch;
      continue;
    }
    if (ascii ? cp >= 0x20 && cp < 0x7f : isGoPrint(ch)) {
      out += ch;
      continue;
    }
    switch (ch) {
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
      default:
        break;
    }
    if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp < 0x10000) out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += '\\U' + cp.toString(16).padStart(8, '0');
  }
  return out + quote;
}

const printRe = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
function isGoPrint(ch: string): boolean {
  return printRe.test(ch);
}

function canBackquote(s: string): boolean {
  for (const ch of s) {
    if (ch === '`' || ch === '\uFEFF') return false;
    const cp = ch.codePointAt(0)!;
    if ((cp < 0x20 && ch !== '\t') || cp === 0x7f) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// The formatting state for a single verb.

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width?: number;
  prec?: number;
}

const plainSpec: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false };

function runeLen(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Pad to the width (in runes), honouring '-' and '0'. */
function padTo(s: string, spec: Spec, zeroOK: boolean): string {
  if (spec.width === undefined) return s;
  const n = spec.width - runeLen(s);
  if (n <= 0) return s;
  if (spec.minus) return s + ' '.repeat(n);
  if (spec.zero && zeroOK) {
    // Zeros go after any sign.
    const sign = s[0] === '-' || s[0] === '+' || s[0] === ' ' ? s[0] : '';
    return sign + '0'.repeat(n) + s.slice(sign.length);
  }
  return ' '.repeat(n) + s;
}

function badVerb(verb: string, v: unknown): string {
  if (v === undefined || v === null) return `%!${verb}(<nil>)`;
  return `%!${verb}(${goTypeName(v)}=${formatValue(v, 'v', plainSpec, 0)})`;
}

function fmtInteger(n: bigint, verb: string, spec: Spec): string {
  const neg = n < 0n;
  const abs = neg ? -n : n;
  let digits: string;
  let prefix = '';
  switch (verb) {
    case 'b':
      digits = abs.toString(2);
      if (spec.sharp) prefix = '0b';
      break;
    case 'o':
    case 'O':
      digits = abs.toString(8);
      if (verb === 'O') prefix = '0o';
      else if (spec.sharp) prefix = '0';
      break;
    case 'x':
      digits = abs.toString(16);
      if (spec.sharp) prefix = '0x';
      break;
    case 'X':
      digits = abs.toString(16).toUpperCase();
      if (spec.sharp) prefix = '0X';
      break;
    default:
      digits = abs.toString(10);
      break;
  }
  if (spec.prec !== undefined) {
    if (spec.prec === 0 && abs === 0n) digits = '';
    digits = digits.padStart(spec.prec, '0');
  } else if (spec.zero && !spec.minus && spec.width !== undefined) {
    const signLen = neg || spec.plus || spec.space ? 1 : 0;
    digits = digits.padStart(spec.width - signLen - prefix.length, '0');
  }
  if (prefix === '0' && digits.startsWith('0')) prefix = '';
  const sign = neg ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  return padTo(sign + prefix + digits, { ...spec, zero: false }, false);
}

function fmtFloatVerb(x: number, verb: string, spec: Spec): string {
  let s: string;
  switch (verb) {
    case 'v':
      s = formatFloat(x, 'g', spec.prec ?? -1);
      break;
    case 'e':
    case 'E':
    case 'f':
    case 'F':
      s = formatFloat(x, verb, spec.prec ?? 6);
      break;
    case 'g':
    case 'G':
      s = formatFloat(x, verb, spec.prec ?? -1);
      break;
    default:
      return badVerb(verb, x);
  }
  if (s === '+Inf' || s === '-Inf' || s === 'NaN') {
    if (s === '+Inf' && !spec.plus) s = spec.space ? ' Inf' : 'Inf';
    if (s === 'NaN' && spec.plus) s = '+NaN';
    return padTo(s, spec, false);
  }
  if (s[0] !== '-') {
    if (spec.plus) s = '+' + s;
    else if (spec.space) s = ' ' + s;
  }
  return padTo(s, spec, true);
}

function fmtString(s: string, verb: string, spec: Spec): string {
  switch (verb) {
    case 'v':
    case 's': {
      if (spec.prec !== undefined) s = Array.from(s).slice(0, spec.prec).join('');
      return padTo(s, spec, true);
    }
    case 'q': {
      if (spec.prec !== undefined) s = Array.from(s).slice(0, spec.prec).join('');
      const q = spec.sharp && canBackquote(s) ? '`' + s + '`' : goQuote(s, spec.plus);
      return padTo(q, spec, true);
    }
    case 'x':
    case 'X': {
      let bytes = Buffer.from(s, 'utf8');
      if (spec.prec !== undefined) bytes = bytes.subarray(0, spec.prec);
      let parts = [...bytes].map((b) => b.toString(16).padStart(2, '0'));
      if (verb === 'X') parts = parts.map((p) => p.toUpperCase());
      const px = verb === 'X' ? '0X' : '0x';
      let out: string;
      if (spec.space) out = parts.map((p) => (spec.sharp ? px + p : p)).join(' ');
      else out = (spec.sharp && parts.length ? px : '') + parts.join('');
      return padTo(out, spec, true);
    }
    default:
      return badVerb(verb, s);
  }
}

function fmtNumber(v: number | bigint, verb: string, spec: Spec): string {
  const isInt = typeof v === 'bigint' || Number.isInteger(v);
  switch (verb) {
    case 'v':
    case 'd':
    case 'b':
    case 'o':
    case 'O':
    case 'x':
    case 'X':
      if (isInt) return fmtInteger(BigInt(v), verb === 'v' ? 'd' : verb, spec);
      if (verb === 'v' || verb === 'x' || verb === 'X') return fmtFloatVerb(Number(v), verb === 'v' ? 'v' : 'g', spec);
      return badVerb(verb, v);
    case 'c':
    case 'q':
    case 'U': {
      if (!isInt) return badVerb(verb, v);
      const n = Number(v);
      const cp = n >= 0 && n <= 0x10ffff ? n : 0xfffd;
      const ch = String.fromCodePoint(cp);
      if (verb === 'c') return padTo(ch, spec, false);
      if (verb === 'q') return padTo(goQuote(ch, spec.plus, "'"), spec, false);
      let u = 'U+' + cp.toString(16).toUpperCase().padStart(4, '0');
      if (spec.sharp && isGoPrint(ch)) u += ` '${ch}'`;
      return padTo(u, spec, false);
    }
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
      // Lenient: JS cannot tell 50 from 50.0, so integers take float verbs too.
      return fmtFloatVerb(Number(v), verb, spec);
    default:
      return badVerb(verb, v);
  }
}

/** fmt's formatting of one operand for one verb. `depth` > 0 inside containers. */
export function formatValue(v: unknown, verb: string, spec: Spec = plainSpec, depth = 0): string {
  if (verb === 'T') return padTo(goTypeName(v), spec, false);
  if (verb === 'p') return badVerb(verb, v);
  const sharpV = verb === 'v' && spec.sharp;
  switch (goKind(v)) {
    case 'invalid':
    case 'nil':
      if (sharpV) return '<nil>';
      return verb === 'v' || depth > 0 ? padTo('<nil>', spec, false) : badVerb(verb, v);
    case 'string':
      if (sharpV) return goQuote(String(v));
      return fmtString(String(v), verb, spec);
    case 'int':
    case 'float':
      return fmtNumber(v as number | bigint, verb, spec);
    case 'bool':
      if (verb === 't' || verb === 'v') return padTo(String(v), spec, false);
      return badVerb(verb, v);
    case 'time':
      if (verb === 'v' || verb === 's') return fmtString(goTimeString(v as Date), 's', spec);
      if (verb === 'q') return fmtString(goTimeString(v as Date), 'q', spec);
      return badVerb(verb, v);
    case 'func':
      return verb === 'v' ? '0x0' : badVerb(verb, v);
    case 'slice': {
      const items = sliceItems(v).map((x) => formatValue(x, verb, spec, depth + 1));
      if (sharpV) return `[]interface {}{${items.join(', ')}}`;
      return `[${items.join(' ')}]`;
    }
    default: {
      // fmt.Stringer: an object with a String() method prints as its result.
      const str = (v as { String?: unknown }).String;
      if (typeof str === 'function' && !(v instanceof Map) && (verb === 'v' || verb === 's' || verb === 'q')) {
        return fmtString(String(str.call(v)), verb, spec);
      }
      const entries = mapEntries(v as object);
      if (sharpV) {
        return `map[string]interface {}{${entries
          .map(([k, val]) => `${goQuote(k)}:${formatValue(val, verb, spec, depth + 1)}`)
          .join(', ')}}`;
      }
      const parts = entries.map(([k, val]) => `${formatValue(k, verb, spec, depth + 1)}:${formatValue(val, verb, spec, depth + 1)}`);
      return `map[${parts.join(' ')}]`;
    }
  }
}

/** fmt.Sprint: %v of each operand, spaces between operands when neither is a string. */
export function sprint(...args: unknown[]): string {
  let out = '';
  for (let i = 0; i < args.length; i++) {
    const isString = typeof args[i] === 'string';
    if (i > 0 && !isString && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(args[i], 'v');
  }
  return out;
}

/** fmt.Sprintln: %v of each operand, always space-separated, newline-terminated. */
export function sprintln(...args: unknown[]): string {
  return args.map((a) => formatValue(a, 'v')).join(' ') + '\n';
}

/** fmt.Sprintf. */
export function sprintf(format: string, ...args: unknown[]): string {
  let out = '';
  let argNum = 0;
  let reordered = false;
  let goodArgNum = true;
  const end = format.length;
  let i = 0;

  // Parses "[n]" at position i; returns the new index.
  const argIndex = (): void => {
    if (i >= end || format[i] !== '[') return;
    reordered = true;
    const close = format.indexOf(']', i);
    const n = close < 0 ? NaN : Number(format.slice(i + 1, close));
    if (close < 0 || !Number.isInteger(n) || n < 1 || String(n) !== format.slice(i + 1, close)) {
      goodArgNum = false;
      i = close < 0 ? end : close + 1;
      return;
    }
    if (n - 1 >= args.length) goodArgNum = false;
    argNum = n - 1;
    i = close + 1;
  };

  const starArg = (): number | undefined => {
    if (argNum >= args.length) return undefined;
    const a = args[argNum++];
    return typeof a === 'number' && Number.isInteger(a) ? a : undefined;
  };

  while (i < end) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const spec: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false };
    goodArgNum = true;
    // Flags.
    flags: for (; i < end; i++) {
      switch (format[i]) {
        case '#':
          spec.sharp = true;
          break;
        case '0':
          spec.zero = true;
          break;
        case '+':
          spec.plus = true;
          break;
        case '-':
          spec.minus = true;
          break;
        case ' ':
          spec.space = true;
          break;
        default:
          break flags;
      }
    }
    argIndex();
    // Width.
    if (i < end && format[i] === '*') {
      i++;
      const w = starArg();
      if (w === undefined) out += '%!(BADWIDTH)';
      else if (w < 0) {
        spec.minus = true;
        spec.width = -w;
      } else spec.width = w;
    } else {
      const m = /^\d+/.exec(format.slice(i));
      if (m) {
        spec.width = Number(m[0]);
        i += m[0].length;
      }
    }
    // Precision.
    if (i < end && format[i] === '.') {
      i++;
      argIndex();
      if (i < end && format[i] === '*') {
        i++;
        const p = starArg();
        if (p === undefined || p < 0) out += '%!(BADPREC)';
        else spec.prec = p;
      } else {
        const m = /^\d+/.exec(format.slice(i));
        spec.prec = m ? Number(m[0]) : 0;
        if (m) i += m[0].length;
      }
    }
    argIndex();
    if (i >= end) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (!goodArgNum) {
      out += `%!${verb}(BADINDEX)`;
      continue;
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    if (spec.minus) spec.zero = false;
    out += formatValue(args[argNum++], verb, spec);
  }

  if (!reordered && argNum < args.length) {
    out += '%!(EXTRA ';
    out += args
      .slice(argNum)
      .map((a) => (a === null || a === undefined ? '<nil>' : `${goTypeName(a)}=${formatValue(a, 'v')}`))
      .join(', ');
    out += ')';
  }
  return out;
}
