/** Go's comparison functions (eq, ne, lt, le, gt, ge) over basic kinds. */
import { FuncError } from './errors.js';
import { formatValue, goKind, goTypeName } from '../gofmt.js';
import { isMapLike } from './values.js';

type Kind = 'bool' | 'number' | 'string' | 'invalid' | 'other';
function basicKind(v: unknown): Kind {
  switch (goKind(v)) {
    case 'bool':
      return 'bool';
    case 'int':
    case 'float':
      return 'number';
    case 'string':
      return 'string';
    case 'invalid':
    case 'nil':
      return 'invalid';
    default:
      return 'other';
  }
}

export function eq(a: unknown, ...rest: unknown[]): boolean {
  if (rest.length === 0) throw new FuncError('missing argument for comparison');
  const k1 = basicKind(a);
  for (const b of rest) {
    const k2 = basicKind(b);
    let truth: boolean;
    if (k1 !== k2) {
      if (k1 !== 'invalid' && k2 !== 'invalid') throw new FuncError('incompatible types for comparison');
      truth = false;
    } else if (k1 === 'other') {
      if (Array.isArray(a) || Array.isArray(b) || isMapLike(a) || isMapLike(b)) {
        throw new FuncError(`non-comparable type ${formatValue(b, 'v')}: ${goTypeName(b)}`);
      }
      truth = a === b;
    } else if (k1 === 'invalid') {
      truth = true;
    } else {
      truth = typeof a === 'bigint' || typeof b === 'bigint' ? BigInt(a as number) === BigInt(b as number) : a === b;
    }
    if (truth) return true;
  }
  return false;
}

export function lt(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === 'invalid' || k1 === 'other' || k1 === 'bool' || k2 === 'invalid' || k2 === 'other' || k2 === 'bool') {
    throw new FuncError('invalid type for comparison');
  }
  if (k1 !== k2) throw new FuncError('incompatible types for comparison');
  return (a as number | string) < (b as number | string);
}
