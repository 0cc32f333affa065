import { describe, expect, test } from '@jest/globals';
import { globMatch, parseImageFilters } from './filter.js';

describe('images --filter', () => {
  test('parses and groups keys', () => {
    expect([...parseImageFilters(['dangling=true', 'reference=busy*', 'reference=alp*'])]).toEqual([
      ['dangling', ['true']],
      ['reference', ['busy*', 'alp*']],
    ]);
  });
  test('unknown keys and bad values are usage errors', () => {
    expect(() => parseImageFilters(['frob=1'])).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
    expect(() => parseImageFilters(['dangling=maybe'])).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
    expect(() => parseImageFilters(['reference'])).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
  });
  test('reference globs do not cross /', () => {
    expect(globMatch('busy*', 'busybox:latest')).toBe(true);
    expect(globMatch('busybox', 'busybox')).toBe(true);
    expect(globMatch('*', 'library/busybox')).toBe(false);
    expect(globMatch('*/*', 'localhost:5000/app')).toBe(true);
    expect(globMatch('app:v?', 'app:v1')).toBe(true);
  });
});
