/** Go's len, index and slice builtins over strings, arrays and maps. */
import { FuncError } from './errors.js';
import { goKind, goTypeName, mapEntries } from '../gofmt.js';
import { lookupProperty } from './values.js';

export function goLen(v: unknown): number {
  switch (goKind(v)) {
    case 'string':
      return Buffer.byteLength(v as string, 'utf8');
    case 'slice':
      return (v as ArrayLike<unknown>).length;
    case 'map':
      return v instanceof Map ? v.size : mapEntries(v as object).length;
    case 'invalid':
    case 'nil':
      throw new FuncError('len of nil pointer');
    default:
      throw new FuncError(`len of type ${goTypeName(v)}`);
  }
}

/** The zero value for a missing map key, inferred from the map's values. */
function zeroFor(map: object): unknown {
  const vals = mapEntries(map).map(([, v]) => v);
  if (vals.length === 0 || vals.every((v) => typeof v === 'string')) return '';
  if (vals.every((v) => typeof v === 'number')) return 0;
  if (vals.every((v) => typeof v === 'boolean')) return false;
  return null;
}

function indexArg(idx: unknown, len: number, what: string): number {
  if (typeof idx !== 'number' || !Number.isInteger(idx)) {
    if (typeof idx === 'bigint') idx = Number(idx);
    else throw new FuncError(`cannot index ${what} with type ${goTypeName(idx)}`);
  }
  const x = idx as number;
  if (x < 0 || x >= len) throw new FuncError(`index out of range: ${x}`);
  return x;
}

export function goIndex(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new FuncError('index of untyped nil');
  for (const idx of indexes) {
    if (item === undefined || item === null) throw new FuncError('index of nil pointer');
    switch (goKind(item)) {
      case 'slice': {
        const arr = item as ArrayLike<unknown>;
        item = arr[indexArg(idx, arr.length, 'slice')];
        if (item === undefined) item = null;
        break;
      }
      case 'string': {
        const bytes = Buffer.from(item as string, 'utf8');
        item = bytes[indexArg(idx, bytes.length, 'string')];
        break;
      }
      case 'map': {
        if (typeof idx !== 'string' && typeof idx !== 'number') {
          throw new FuncError(`value has type ${goTypeName(idx)}; should be string`);
        }
        const key = String(idx);
        const r = lookupProperty(item as object, key);
        item = r.found && typeof r.value !== 'function' ? (r.value === undefined ? null : r.value) : zeroFor(item as object);
        break;
      }
      default:
        throw new FuncError(`can't index item of type ${goTypeName(item)}`);
    }
  }
  return item;
}

export function goSlice(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new FuncError('slice of untyped nil');
  if (indexes.length > 3) throw new FuncError(`too many slice indexes: ${indexes.length}`);
  const kind = goKind(item);
  if (kind !== 'string' && kind !== 'slice') throw new FuncError(`can't slice item of type ${goTypeName(item)}`);
  if (kind === 'string' && indexes.length === 3) throw new FuncError('cannot 3-index slice a string');
  const len = kind === 'string' ? Buffer.byteLength(item as string) : (item as unknown[]).length;
  const idx = [0, len];
  indexes.slice(0, 2).forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isInteger(x)) throw new FuncError(`cannot index slice/array with type ${goTypeName(x)}`);
    if (x < 0 || x > len) throw new FuncError(`index out of range: ${x}`);
    idx[i] = x;
  });
  if (idx[0] > idx[1]) throw new FuncError(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (kind === 'string') return Buffer.from(item as string, 'utf8').subarray(idx[0], idx[1]).toString('utf8');
  return Array.from(item as ArrayLike<unknown>).slice(idx[0], idx[1]);
}
