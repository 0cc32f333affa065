/**
 * The function table every template starts with: Go's builtins plus
 * docker's additions, each with the argument counts the executor checks.
 */
import { FuncError } from './errors.js';
import { formatValue, goKind, goTypeName, sprint, sprintf, sprintln } from '../gofmt.js';
import { goIndex, goLen, goSlice } from './collections.js';
import { eq, lt } from './compare.js';
import { evalArgsString, goJson, goTitle, htmlEscape, jsEscape, urlQueryEscape } from './text.js';
import { intArg, isTrue, strArg, wrongType } from './values.js';

/** A template function; a method on the data has the same shape (called with `this`). */
export type TemplateFunc = (...args: unknown[]) => unknown;

/** A function with the argument counts it accepts (Go checks them against the Go signature). */
export interface FuncDef {
  fn: TemplateFunc;
  min: number;
  max: number;
}

/** `def(fn, n)`: exactly n arguments; `def(fn, n, Infinity)`: at least n (a caller's function: any count). */
export function def(fn: TemplateFunc, min: number, max = min): FuncDef {
  return { fn, min, max };
}

export const BUILTINS: Record<string, FuncDef> = {
  // and / or are evaluated lazily by the executor; these are fallbacks.
  and: def((...a) => a.find((x) => !isTrue(x)) ?? a[a.length - 1], 1, Infinity),
  or: def((...a) => a.find((x) => isTrue(x)) ?? a[a.length - 1], 1, Infinity),
  not: def((a) => !isTrue(a), 1),
  len: def((a) => goLen(a), 1),
  index: def((item, ...ix) => goIndex(item, ...ix), 1, Infinity),
  slice: def((item, ...ix) => goSlice(item, ...ix), 1, Infinity),
  print: def((...a) => sprint(...a), 0, Infinity),
  printf: def((f, ...a) => sprintf(strArg(f), ...a), 1, Infinity),
  println: def((...a) => sprintln(...a), 0, Infinity),
  html: def((...a) => htmlEscape(evalArgsString(a)), 0, Infinity),
  js: def((...a) => jsEscape(evalArgsString(a)), 0, Infinity),
  urlquery: def((...a) => urlQueryEscape(evalArgsString(a)), 0, Infinity),
  call: def(
    (fn, ...a) => {
      if (typeof fn !== 'function') throw new FuncError(`non-function of type ${goTypeName(fn)}`);
      return (fn as TemplateFunc)(...a);
    },
    1,
    Infinity,
  ),
  eq: def((a, ...b) => eq(a, ...b), 1, Infinity),
  ne: def((a, b) => !eq(a, b), 2),
  lt: def((a, b) => lt(a, b), 2),
  le: def((a, b) => lt(a, b) || eq(a, b), 2),
  gt: def((a, b) => !lt(a, b) && !eq(a, b), 2),
  ge: def((a, b) => !lt(a, b), 2),
  // docker's additions (cli/templates/templates.go basicFunctions).
  json: def((v) => goJson(v), 1),
  split: def((s, sep) => {
    const str = strArg(s);
    const sp = strArg(sep);
    return sp === '' ? Array.from(str) : str.split(sp);
  }, 2),
  join: def((list, sep) => {
    const sp = strArg(sep);
    if (typeof list === 'string') return list;
    if (goKind(list) !== 'slice') throw wrongType('[]string', list);
    return Array.from(list as ArrayLike<unknown>)
      .map((x) => (typeof x === 'string' ? x : formatValue(x, 'v')))
      .join(sp);
  }, 2),
  title: def((s) => goTitle(strArg(s)), 1),
  lower: def((s) => strArg(s).toLowerCase(), 1),
  upper: def((s) => strArg(s).toUpperCase(), 1),
  pad: def((s, l, r) => {
    const str = strArg(s);
    if (str === '') return str;
    return ' '.repeat(Math.max(intArg(l), 0)) + str + ' '.repeat(Math.max(intArg(r), 0));
  }, 3),
  truncate: def((s, n) => {
    const str = strArg(s);
    const len = intArg(n);
    const bytes = Buffer.from(str, 'utf8');
    if (bytes.length < len) return str;
    return bytes.subarray(0, Math.max(len, 0)).toString('utf8');
  }, 2),
};

/** Go's builtin names: always known to the parser, whatever the function table holds. */
export const BUILTIN_NAMES = [
  'and',
  'call',
  'html',
  'index',
  'slice',
  'js',
  'len',
  'not',
  'or',
  'print',
  'printf',
  'println',
  'urlquery',
  'eq',
  'ge',
  'gt',
  'le',
  'lt',
  'ne',
];
