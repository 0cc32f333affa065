import { describe, test, expect } from '@jest/globals';
import { err, run } from './harness.js';

const calls = 'error calling';

describe('comparison and logic', () => {
  test('comparison and logic', () => {
    expect(run('{{eq 1 1}} {{ne "a" "b"}} {{lt 1 2}} {{le 2 2}} {{gt "b" "a"}} {{ge 1 2}}')).toBe('true true true true true false');
    expect(run('{{eq .State "exited" "running"}}')).toBe('true');
    expect(run('{{and 1 0 2}} {{and 1 2}} {{or 0 "" "x"}} {{or 0 ""}} {{not .Missing}}')).toBe('0 2 x  true');
    expect(run('{{eq .Missing "x"}}')).toBe('false');
    // `and` short-circuits: the failing index is never evaluated
    expect(run('{{and .Missing (index .Names 9)}}')).toBe('<no value>');
  });

  test('and / or take the piped value as their last operand', () => {
    expect(run('{{"x" | and 0}} {{"x" | or 0}} {{"x" | and 1}}')).toBe('0 x x');
    expect(err('{{and}}')).toMatch(/wrong number of args for and: want at least 1 got 0$/);
    expect(err('{{or}}')).toMatch(/wrong number of args for or: want at least 1 got 0$/);
  });

  test('comparison errors', () => {
    expect(run('{{eq nil nil}}')).toBe('true');
    expect(err('{{eq 1}}')).toMatch(`${calls} eq: missing argument for comparison`);
    expect(err('{{eq .Names .Names}}')).toMatch(`${calls} eq: non-comparable type [web db]: []interface {}`);
    expect(err('{{lt true false}}')).toMatch(`${calls} lt: invalid type for comparison`);
    expect(err('{{lt 1 "a"}}')).toMatch(`${calls} lt: incompatible types for comparison`);
  });
});

describe('len, index and slice', () => {
  test('index and slice', () => {
    expect(run('{{index .Names 1}}')).toBe('db');
    expect(run('{{index . "a" 0}}', { a: [7] })).toBe('7');
    expect(run('{{slice .Names 1}}')).toBe('[db]');
    expect(run('{{slice "hello" 1 3}}')).toBe('el');
    expect(run('{{slice .Names 0 1 2}}')).toBe('[web]');
  });

  test('index of a string is a byte; a missing map key is the zero value of the map', () => {
    expect(run('{{index "abc" 1}}')).toBe('98');
    const data = { S: { a: 'x' }, N: { a: 1 }, B: { a: true }, M: { a: 1, b: 'x' } };
    expect(run('{{index .S "z"}}|{{index .N "z"}}|{{index .B "z"}}|{{index .M "z"}}', data)).toBe('|0|false|<nil>');
  });

  test('len errors', () => {
    expect(err('{{len nil}}')).toMatch(`${calls} len: len of nil pointer`);
    expect(err('{{len 3}}')).toMatch(`${calls} len: len of type int`);
  });

  test('index errors', () => {
    expect(err('{{index nil 1}}')).toMatch(`${calls} index: index of untyped nil`);
    expect(err('{{index .Names "x"}}')).toMatch(`${calls} index: cannot index slice with type string`);
    expect(err('{{index .Labels .Names}}')).toMatch(`${calls} index: value has type []interface {}; should be string`);
    expect(err('{{index 3 1}}')).toMatch(`${calls} index: can't index item of type int`);
    expect(err('{{index .Names -1}}')).toMatch(`${calls} index: index out of range: -1`);
  });

  test('slice errors', () => {
    expect(err('{{slice nil}}')).toMatch(`${calls} slice: slice of untyped nil`);
    expect(err('{{slice .Names 0 1 2 3}}')).toMatch(`${calls} slice: too many slice indexes: 4`);
    expect(err('{{slice 3 1}}')).toMatch(`${calls} slice: can't slice item of type int`);
    expect(err('{{slice "abc" 0 1 2}}')).toMatch(`${calls} slice: cannot 3-index slice a string`);
    expect(err('{{slice .Names "a"}}')).toMatch(`${calls} slice: cannot index slice/array with type string`);
    expect(err('{{slice .Names 5}}')).toMatch(`${calls} slice: index out of range: 5`);
    expect(err('{{slice .Names 2 1}}')).toMatch(`${calls} slice: invalid slice index: 2 > 1`);
  });
});

describe('escapers and call', () => {
  test('html, js, urlquery', () => {
    expect(run('{{html "<a href=\\"x\\">&\'"}}')).toBe('&lt;a href=&#34;x&#34;&gt;&amp;&#39;');
    expect(run('{{js "a\\\\b\'\\"<>&=\\n"}}')).toBe('a\\\\b\\\'\\"\\u003C\\u003E\\u0026\\u003D\\u000A');
    expect(run('{{urlquery "a b&c=d!*()\'/"}}')).toBe('a+b%26c%3Dd%21%2A%28%29%27%2F');
    // Several arguments are printed together first, like print.
    expect(run('{{html 1 "a"}}')).toBe('1a');
  });

  test('call wants a function', () => {
    expect(err('{{call .Name}}')).toMatch(`${calls} call: non-function of type string`);
  });
});

describe("docker's functions", () => {
  test('string arguments: other scalars are printed, lists are refused', () => {
    expect(run('{{upper 1}} {{upper true}}')).toBe('1 TRUE');
    expect(err('{{upper .Names}}')).toMatch(/wrong type for value; expected string; got \[\]interface \{\}$/);
    expect(err('{{upper}}')).toMatch(/wrong number of args for upper: want 1 got 0$/);
  });

  test('join takes a list (a string passes through)', () => {
    expect(run('{{join .Name ","}}')).toBe('foo');
    expect(run('{{join . "-"}}', [1, 'a', true])).toBe('1-a-true');
    expect(err('{{join 1 ","}}')).toMatch(/wrong type for value; expected \[\]string; got int$/);
  });

  test('split on the empty string splits into characters', () => {
    expect(run('{{split "héy" ""}}')).toBe('[h é y]');
  });

  test('pad and truncate want ints', () => {
    expect(err('{{pad "x" 1.5 0}}')).toMatch(/wrong type for value; expected int; got float64$/);
    expect(run('[{{pad "x" -1 1}}]')).toBe('[x ]');
    expect(run('{{truncate "hello" 0}}|{{truncate "hello" 5}}')).toBe('|hello');
  });
});
