import { describe, test, expect } from '@jest/globals';
import { sprint, sprintf, sprintln } from './gofmt.js';
import { formatFloat } from './gofloat.js';

describe('sprintf (Go fmt verbs)', () => {
  test.each<[string, unknown[], string]>([
    ['%s|%v|%q', ['a', 'b', 'c"d'], 'a|b|"c\\"d"'],
    ['%5s|%-5s|%.2s', ['ab', 'ab', 'abcdef'], '   ab|ab   |ab'],
    ['%d|%5d|%-5d|%05d|%+d|% d', [1, 2, 3, 4, 5, 6], '1|    2|3    |00004|+5| 6'],
    ['%x|%X|%#x|%o|%#o|%b|%x', [255, 255, 255, 8, 8, 5, 'hi'], 'ff|FF|0xff|10|010|101|6869'],
    ['%t|%v', [true, false], 'true|false'],
    ['%c|%q|%U|%#U', [65, 97, 0x1f600, 0x41], "A|'a'|U+1F600|U+0041 'A'"],
    ['%f|%.2f|%8.3f|%-8.1f|%e|%g', [3.14159, 3.14159, 3.14159, 2.5, 1234.5678, 0.000012345], '3.141590|3.14|   3.142|2.5     |1.234568e+03|1.2345e-05'],
    ['%.0f %.0f %.0f %.1f', [0.5, 1.5, 2.5, 0.25], '0 2 2 0.2'],
    ['%v|%v|%v|%v|%v', [1.5, 2.5e-5, 1234567.5, 100000.5, 1e21], '1.5|2.5e-05|1.2345675e+06|100000.5|1000000000000000000000'],
    ['%v|%d|%s', [[1, 2], [1, 2], ['a', 'b']], '[1 2]|[1 2]|[a b]'],
    ['%v', [{ b: 1, a: 'x' }], 'map[a:x b:1]'],
    ['%v|%s', [null, null], '<nil>|%!s(<nil>)'],
    ['%d', ['x'], '%!d(string=x)'],
    ['%d', [1.5], '%!d(float64=1.5)'],
    ['%s', [5], '%!s(int=5)'],
    ['%d %d', [1], '1 %!d(MISSING)'],
    ['%d', [1, 'x'], '1%!(EXTRA string=x)'],
    ['100%%', [], '100%'],
    ['%', [], '%!(NOVERB)'],
    ['%z', [1], '%!z(int=1)'],
    ['%[2]d-%[1]d', [1, 2], '2-1'],
    ['%*d|%-*d|', [4, 1, 3, 2], '   1|2  |'],
    ['%T %T %T %T', ['a', 1, 1.5, [1]], 'string int float64 []interface {}'],
  ])('%s', (format, args, want) => {
    expect(sprintf(format, ...args)).toBe(want);
  });
});

describe('sprint / sprintln', () => {
  test('spaces only between non-string operands', () => {
    expect(sprint('a', 1, 2, 'b', 'c', 3)).toBe('a1 2bc3');
    expect(sprintln('a', 1, 'b')).toBe('a 1 b\n');
  });
});

describe('formatFloat (strconv.FormatFloat)', () => {
  test.each<[number, 'e' | 'f' | 'g', number, string]>([
    [0, 'g', 3, '0'],
    [0, 'e', 2, '0.00e+00'],
    [999.999, 'g', 3, '1e+03'],
    [999.999, 'g', 4, '1000'],
    [1.125, 'g', 3, '1.12'],
    [1.135, 'g', 3, '1.14'],
    [123456, 'g', -1, '123456'],
    [1e6, 'g', -1, '1e+06'],
    [0.0001, 'g', -1, '0.0001'],
    [0.00001, 'g', -1, '1e-05'],
    [-2.5, 'f', 0, '-2'],
    [1e300, 'e', 3, '1.000e+300'],
    [Infinity, 'g', -1, '+Inf'],
    [NaN, 'f', 2, 'NaN'],
  ])('%d %s %d', (x, fmt, prec, want) => {
    expect(formatFloat(x, fmt, prec)).toBe(want);
  });
});
