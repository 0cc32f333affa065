import { describe, test, expect } from '@jest/globals';
import { err, run } from './harness.js';
import { lex } from './lexer.js';
import { Source } from './source.js';

const kinds = (text: string) => lex(new Source('', text)).map((t) => `${t.kind}:${t.val}`);

describe('tokens', () => {
  test('text and actions, with white space marked on the token after it', () => {
    expect(kinds('a{{.B | f $x}}c')).toEqual(['text:a', 'ldelim:{{', 'field:.B', 'pipe:|', 'ident:f', 'var:$x', 'rdelim:}}', 'text:c', 'eof:']);
    const toks = lex(new Source('', '{{.A .B}}'));
    expect(toks.map((t) => t.sp)).toEqual([false, false, true, false, false]);
  });

  test('keywords, booleans, nil, declarations and punctuation', () => {
    expect(kinds('{{range $i, $e := (nil) }}{{$i = true}}')).toEqual([
      'ldelim:{{', 'keyword:range', 'var:$i', 'comma:,', 'var:$e', 'decl::=', 'lparen:(', 'nil:nil', 'rparen:)', 'rdelim:}}',
      'ldelim:{{', 'var:$i', 'assign:=', 'bool:true', 'rdelim:}}', 'eof:',
    ]);
  });
});

describe('trim markers and comments', () => {
  test('trim markers', () => {
    expect(run('a  {{- "b" -}}  \n c')).toBe('abc');
    expect(run('a {{"b"}} c')).toBe('a b c');
    expect(run('{{- /* comment */ -}}  x')).toBe('x');
    expect(run('x{{/* c */}}y')).toBe('xy');
    // "-3" is a number, not a trim marker
    expect(run('{{-3}}')).toBe('-3');
    // a trim marker needs the space: "{{.Name-}}" is a "-" inside the action
    expect(run('{{ .Name -}} x')).toBe('foox');
    expect(err('{{ .Name- }}')).toBe('template: :1: unexpected "-" in operand');
  });

  test('an unmatched }} is text', () => {
    expect(run('a}}b')).toBe('a}}b');
  });

  test('comment errors', () => {
    expect(err('{{/* x')).toBe('template: :1: unclosed comment');
    expect(err('{{/* x */ .}}')).toBe('template: :1: comment ends before closing delimiter');
  });
});

describe('literals', () => {
  test('literals', () => {
    expect(run('{{"a\\tb"}}|{{`raw\\n`}}|{{\'a\'}}|{{1.5}}|{{0x1F}}|{{1e3}}|{{true}}|{{-2}}')).toBe('a\tb|raw\\n|97|1.5|31|1000|true|-2');
  });

  test("Go's string escapes", () => {
    expect(run('{{"\\a\\b\\f\\n\\r\\t\\v\\\\\\""}}')).toBe('\x07\b\f\n\r\t\v\\"');
    expect(run('{{"\\x41\\u00e9\\U0001F600\\101"}}')).toBe('Aé😀A');
    // A raw string keeps backslashes and drops carriage returns.
    expect(run('{{`a\\x\r\nb`}}')).toBe('a\\x\nb');
  });

  test('bad escapes are invalid syntax', () => {
    for (const bad of ['"\\q"', '"\\x4"', '"\\18"', '"\\\'"']) expect(err(`{{${bad}}}`)).toBe('template: :1: invalid syntax');
  });

  test('character constants are their code point', () => {
    expect(run("{{'\\''}} {{'\"'}} {{'é'}} {{'\\n'}}")).toBe('39 34 233 10');
    expect(err("{{'ab'}}")).toBe("template: :1: malformed character constant: 'ab'");
  });

  test('number forms', () => {
    expect(run('{{0b101}} {{0o17}} {{017}} {{1_000}} {{.5}} {{1.5e-2}} {{+3}} {{08}}')).toBe('5 15 15 1000 0.5 0.015 3 8');
  });

  test('bad numbers', () => {
    expect(err('{{1.2.3}}')).toBe('template: :1: bad number syntax: "1.2.3"');
    expect(err('{{0x}}')).toBe('template: :1: bad number syntax: "0x"');
    expect(err('{{1a}}')).toBe('template: :1: bad number syntax: "1a"');
  });

  test('unterminated literals', () => {
    expect(err('{{"abc}}')).toBe('template: :1: unterminated quoted string');
    expect(err('{{`a')).toBe('template: :1: unterminated raw quoted string');
    expect(err("{{'a}}")).toBe('template: :1: unterminated character constant');
  });

  test('a lone colon', () => {
    expect(err('{{ :x }}')).toBe('template: :1: expected :=');
  });
});
