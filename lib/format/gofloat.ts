/**
 * Go's strconv.FormatFloat for float64 ('e', 'f', 'g'), exactly: explicit
 * precisions are rounded half-to-even on the exact binary value (what Go
 * does), not JS's toFixed/toPrecision rounding (half-up on ties); precision -1
 * means "shortest representation that round-trips".
 */

/** Decimal digits: value = 0.d1d2d3... × 10^dp. No leading/trailing zeros; '' for 0. */
interface Digits {
  d: string;
  dp: number;
}

function trimZeros(d: string, dp: number): Digits {
  let start = 0;
  while (start < d.length && d[start] === '0') start++;
  let end = d.length;
  while (end > start && d[end - 1] === '0') end--;
  const t = d.slice(start, end);
  return t === '' ? { d: '', dp: 0 } : { d: t, dp: dp - start };
}

/** The exact decimal expansion of a finite, non-negative double. */
function exactDigits(x: number): Digits {
  if (x === 0) return { d: '', dp: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) {
    exp = -1074; // subnormal
  } else {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  if (exp >= 0) {
    const s = (mant << BigInt(exp)).toString();
    return trimZeros(s, s.length);
  }
  const s = (mant * 5n ** BigInt(-exp)).toString();
  return trimZeros(s, s.length + exp);
}

/** The shortest digits that round-trip (JS and Go agree on these). */
function shortestDigits(x: number): Digits {
  if (x === 0) return { d: '', dp: 0 };
  const s = x.toExponential(); // e.g. "1.2345e+6"
  const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return exactDigits(x);
  return trimZeros(m[1] + (m[2] ?? ''), Number(m[3]) + 1);
}

/** Round to nd significant digits, half-to-even on exact ties (Go's decimal.Round). */
function roundDigits(a: Digits, nd: number): Digits {
  if (nd < 0 || nd >= a.d.length) return nd < 0 ? { d: '', dp: 0 } : a;
  const next = a.d.charCodeAt(nd) - 48;
  let up: boolean;
  if (next === 5 && nd + 1 === a.d.length) {
    up = nd > 0 && (a.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  } else {
    up = next >= 5;
  }
  if (!up) return trimZeros(a.d.slice(0, nd), a.dp);
  // Round up: increment the nd-digit prefix.
  const digits = a.d.slice(0, nd).split('').map((c) => c.charCodeAt(0) - 48);
  let i = nd - 1;
  while (i >= 0 && digits[i] === 9) {
    digits[i] = 0;
    i--;
  }
  if (i < 0) return { d: '1', dp: a.dp + 1 };
  digits[i]++;
  return trimZeros(digits.join(''), a.dp);
}

function digitAt(a: Digits, i: number): string {
  return i >= 0 && i < a.d.length ? a.d[i] : '0';
}

function fmtE(neg: boolean, a: Digits, prec: number, e: 'e' | 'E'): string {
  let s = neg ? '-' : '';
  s += a.d.length === 0 ? '0' : a.d[0];
  if (prec > 0) {
    s += '.';
    for (let i = 1; i <= prec; i++) s += digitAt(a, i);
  }
  let exp = a.d.length === 0 ? 0 : a.dp - 1;
  s += e;
  if (exp < 0) {
    s += '-';
    exp = -exp;
  } else {
    s += '+';
  }
  s += exp < 10 ? '0' + exp : String(exp);
  return s;
}

function fmtF(neg: boolean, a: Digits, prec: number): string {
  let s = neg ? '-' : '';
  if (a.dp > 0) {
    for (let i = 0; i < a.dp; i++) s += digitAt(a, i);
  } else {
    s += '0';
  }
  if (prec > 0) {
    s += '.';
    for (let i = 0; i < prec; i++) s += digitAt(a, a.dp + i);
  }
  return s;
}

/**
 * strconv.FormatFloat(x, fmt, prec, 64). `fmt` is one of e E f F g G;
 * prec -1 means shortest.
 */
export function formatFloat(x: number, fmt: 'e' | 'E' | 'f' | 'F' | 'g' | 'G', prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  const shortest = prec < 0;
  const lower = fmt.toLowerCase() as 'e' | 'f' | 'g';
  const eChar = fmt === 'E' || fmt === 'G' ? 'E' : 'e';
  let digs: Digits;
  if (shortest) {
    digs = shortestDigits(abs);
    switch (lower) {
      case 'e':
        prec = Math.max(digs.d.length - 1, 0);
        break;
      case 'f':
        prec = Math.max(digs.d.length - digs.dp, 0);
        break;
      case 'g':
        prec = digs.d.length;
        break;
    }
  } else {
    const exact = exactDigits(abs);
    switch (lower) {
      case 'e':
        digs = roundDigits(exact, prec + 1);
        break;
      case 'f':
        digs = roundDigits(exact, exact.d.length === 0 ? 0 : exact.dp + prec);
        break;
      default:
        if (prec === 0) prec = 1;
        digs = roundDigits(exact, prec);
        break;
    }
  }
  switch (lower) {
    case 'e':
      return fmtE(neg, digs, prec, eChar);
    case 'f':
      return fmtF(neg, digs, prec);
    default: {
      let eprec = prec;
      if (eprec > digs.d.length && digs.d.length >= digs.dp) eprec = digs.d.length;
      if (shortest) eprec = 6;
      const exp = digs.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > digs.d.length) prec = digs.d.length;
        return fmtE(neg, digs, Math.max(prec - 1, 0), eChar);
      }
      if (prec > digs.dp) prec = digs.d.length;
      return fmtF(neg, digs, Math.max(prec - digs.dp, 0));
    }
  }
}
