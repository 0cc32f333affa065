import { describe, test, expect } from '@jest/globals';
import { err, run } from './harness.js';
import { Template } from './index.js';

describe('parse errors', () => {
  test('parse errors', () => {
    expect(err('{{.Name} }}')).toBe('template: :1: unexpected "}" in operand');
    expect(err('{{foo .}}')).toBe('template: :1: function "foo" not defined');
    expect(err('{{$x}}')).toBe('template: :1: undefined variable "$x"');
    expect(err('{{if .A}}x')).toBe('template: :1: unexpected EOF');
    expect(err('{{end}}')).toBe('template: :1: unexpected {{end}}');
    expect(err('a\n{{.A')).toBe('template: :2: unclosed action');
    expect(err('{{}}')).toBe('template: :1: missing value for command');
    expect(err('{{break}}')).toMatch(/outside \{\{range\}\}/);
    expect(err('{{(.A}}')).toBe('template: :1: unclosed left paren');
    expect(err('{{"abc}}')).toBe('template: :1: unterminated quoted string');
  });

  test('control structures', () => {
    expect(err('{{if}}{{end}}')).toBe('template: :1: missing value for if');
    expect(err('{{range .Names}}{{else}}{{else}}{{end}}')).toBe('template: :1: expected end; found {{else}}');
    expect(err('{{.A}} {{else}}')).toBe('template: :1: unexpected {{else}}');
    expect(err('{{if .A}}{{else}}')).toBe('template: :1: unexpected EOF');
    expect(err('{{with .A}}{{else with .B}}')).toBe('template: :1: unexpected EOF');
    expect(err('{{range .Names}}{{.}}{{end}}{{break}}')).toBe('template: :1: {{break}} outside {{range}}');
    expect(err('{{continue}}')).toBe('template: :1: {{continue}} outside {{range}}');
  });

  test('define, template and block clauses', () => {
    expect(err('{{define "T"}}x')).toBe('template: :1: unexpected EOF');
    expect(err('{{define "T"}}x{{else}}{{end}}')).toBe('template: :1: unexpected {{else}}');
    expect(err('{{define 1}}{{end}}')).toBe('template: :1: unexpected "1" in define clause');
    expect(err('{{template 1}}')).toBe('template: :1: unexpected "1" in template clause');
    expect(err('{{block "B"}}{{end}}')).toBe('template: :1: missing value for block clause');
    expect(err('{{block "B" .}}x')).toBe('template: :1: unexpected EOF');
    expect(err('{{block "B" .}}x{{else}}{{end}}')).toBe('template: :1: unexpected {{else}}');
  });

  test('declarations', () => {
    expect(err('{{$a, $b := .Names}}')).toBe('template: :1: too many declarations in command');
    expect(err('{{range $a, 1}}{{end}}')).toBe('template: :1: too many declarations in range');
    expect(err('{{$a = 1}}')).toBe('template: :1: undefined variable "$a"');
    // A variable lives to the end of its control structure.
    expect(err('{{with $x := 1}}{{$x}}{{end}}{{$x}}')).toBe('template: :1: undefined variable "$x"');
    expect(err('{{range $i, $e := .Names}}{{end}}{{$i}}')).toBe('template: :1: undefined variable "$i"');
  });

  test('pipelines and operands', () => {
    expect(err('{{.Name | }}')).toBe('template: :1: empty command');
    expect(err('{{| .Name}}')).toBe('template: :1: missing command');
    expect(err('{{.Name|1}}')).toBe('template: :1: non executable command in pipeline stage 2');
    expect(err('{{.Name | .}}')).toBe('template: :1: non executable command in pipeline stage 2');
    expect(err('{{.Name)}}')).toBe('template: :1: unexpected ")" in operand');
    expect(err('{{.Name(1)}}')).toBe('template: :1: unexpected "(" in operand');
    expect(err('{{nil.A}}')).toBe('template: :1: unexpected . after term "nil"');
    expect(err('{{.Name.}}')).toBe('template: :1: unexpected "." in operand');
    expect(err('{{@}}')).toBe('template: :1: unexpected "@" in operand');
  });

  test('field chains on a parenthesized pipeline', () => {
    expect(run('{{(index .Mounts 1).Source}}')).toBe('/b');
    expect(run('{{(1)}}')).toBe('1');
  });

  test('the template name is in parse errors', () => {
    expect(() => new Template('{{end}}', { name: 'ps' })).toThrow('template: ps:1: unexpected {{end}}');
  });
});
