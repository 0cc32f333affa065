/**
 * Go's view of plain JS values where the template engine needs more than
 * gofmt.ts gives: truth, property lookup, and the argument checks of
 * functions that want a string or an int.
 */
import { FuncError } from './errors.js';
import { formatValue, goKind, goTypeName, mapEntries } from '../gofmt.js';

export function isMapLike(v: unknown): v is object {
  return goKind(v) === 'map';
}

/** A "struct": a class instance rather than a plain record (or Map). */
export function isStruct(v: object): boolean {
  if (v instanceof Map) return false;
  const proto = Object.getPrototypeOf(v);
  return proto !== null && proto !== Object.prototype;
}

/** Go's truth: false, 0, nil, and empty strings / arrays / maps are false. */
export function isTrue(v: unknown): boolean {
  switch (goKind(v)) {
    case 'invalid':
    case 'nil':
      return false;
    case 'string':
      return (v as string).length > 0;
    case 'int':
    case 'float':
      return typeof v === 'bigint' ? v !== 0n : v !== 0;
    case 'bool':
      return v as boolean;
    case 'slice':
      return (v as ArrayLike<unknown>).length > 0;
    case 'map':
      if (v instanceof Map) return v.size > 0;
      return isStruct(v as object) || mapEntries(v as object).length > 0;
    default:
      return true;
  }
}

/** Own or inherited (but not Object.prototype) property lookup. */
export function lookupProperty(obj: object, name: string): { found: boolean; value?: unknown } {
  if (obj instanceof Map) return obj.has(name) ? { found: true, value: obj.get(name) } : { found: false };
  for (let o: object | null = obj; o && o !== Object.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o)) {
    if (Object.prototype.hasOwnProperty.call(o, name)) return { found: true, value: Reflect.get(obj, name) };
  }
  return { found: false };
}

export function wrongType(expected: string, v: unknown): FuncError {
  if (v === undefined || v === null) return new FuncError(`invalid value; expected ${expected}`);
  return new FuncError(`wrong type for value; expected ${expected}; got ${goTypeName(v)}`);
}

/** A string argument: strings pass; other scalars are printed with %v (lenient). */
export function strArg(v: unknown): string {
  switch (goKind(v)) {
    case 'string':
      return v as string;
    case 'int':
    case 'float':
    case 'bool':
    case 'time':
      return formatValue(v, 'v');
    default:
      throw wrongType('string', v);
  }
}

export function intArg(v: unknown): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  throw wrongType('int', v);
}
