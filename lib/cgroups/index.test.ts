import { describe, expect, test } from '@jest/globals';
import { detectCgroupMode } from './index.js';

const CG2 = 0x63677270;
const TMPFS = 0x01021994;

function fake(types: Record<string, number>) {
  return (p: string) => {
    if (!(p in types)) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    return { type: types[p] };
  };
}

describe('detectCgroupMode', () => {
  test('unified v2', () => expect(detectCgroupMode('/cg', fake({ '/cg': CG2 }))).toBe('v2'));
  test('hybrid: tmpfs with a v2 tree at unified/', () =>
    expect(detectCgroupMode('/cg', fake({ '/cg': TMPFS, '/cg/unified': CG2 }))).toBe('hybrid'));
  test('legacy v1', () => expect(detectCgroupMode('/cg', fake({ '/cg': TMPFS }))).toBe('v1'));
  test('no cgroupfs', () => expect(detectCgroupMode('/cg', fake({}))).toBe('none'));
});
