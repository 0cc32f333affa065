import { describe, test, expect } from '@jest/globals';
import { isJsonFormat, parseFormat } from './index.js';

describe('parseFormat / isJsonFormat', () => {
  test('table prefix and docker escapes', () => {
    expect(parseFormat('table {{.ID}}\\t{{.Names}}')).toEqual({ table: true, template: '{{.ID}}\t{{.Names}}' });
    expect(parseFormat('{{.ID}}\\n')).toEqual({ table: false, template: '{{.ID}}\n' });
    expect(parseFormat('table')).toEqual({ table: true, template: '' });
    expect(parseFormat('  {{.ID}}  ')).toEqual({ table: false, template: '{{.ID}}' });
  });

  test('json', () => {
    expect(isJsonFormat('json')).toBe(true);
    expect(isJsonFormat(' json ')).toBe(true);
    expect(isJsonFormat('{{json .}}')).toBe(false);
  });
});
