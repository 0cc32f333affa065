import { describe, test, expect } from '@jest/globals';
import { compileTemplate, isJsonFormat, parseFormat, TemplateError } from './template.js';

const labels: Record<string, string> = { 'com.x': 'y', k: 'v' };
const row = {
  ID: 'abc123def456',
  Names: ['web', 'db'],
  Name: 'foo',
  State: 'running',
  Size: 0,
  Mounts: [{ Source: '/a' }, { Source: '/b' }],
  Labels: labels,
  Config: { Env: ['A=1', 'B=2'], Tty: false },
  Label(key: string): string {
    return labels[key] ?? '';
  },
};

function run(src: string, data: unknown = row): string {
  return compileTemplate(src)(data);
}

function err(src: string, data: unknown = row): string {
  try {
    run(src, data);
  } catch (e) {
    expect(e).toBeInstanceOf(TemplateError);
    return (e as Error).message;
  }
  throw new Error(`no error for ${src}`);
}

describe('docker --format examples', () => {
  test.each([
    ['{{.ID}}\t{{.Names}}', 'abc123def456\t[web db]'],
    ['{{json .Names}}', '["web","db"]'],
    ['{{join .Names ","}}', 'web,db'],
    ['{{range .Mounts}}{{.Source}} {{end}}', '/a /b '],
    ['{{if eq .State "running"}}up{{end}}', 'up'],
    ['{{if eq .State "exited"}}up{{else}}down{{end}}', 'down'],
    ['{{printf "%-10s|" .Name}}', 'foo       |'],
    ['{{.Label "com.x"}}', 'y'],
    ['{{.Label "nope"}}', ''],
    ['{{index .Labels "k"}}', 'v'],
    ['{{index .Labels "missing"}}', ''],
    ['{{.Config.Env}}', '[A=1 B=2]'],
    ['{{.Labels}}', 'map[com.x:y k:v]'],
    ['{{.Missing}}', '<no value>'],
    ['{{.Labels.missing}}', '<no value>'],
    ['{{.Missing.Deeper}}', '<no value>'],
    ['{{.Config.Tty}} {{.Size}}', 'false 0'],
    ['{{upper .Name}} {{lower "ABC"}} {{title "hello world"}}', 'FOO abc Hello World'],
    ['{{truncate .ID 6}}', 'abc123'],
    ['{{truncate .Name 10}}', 'foo'],
    ['[{{pad .Name 1 2}}]', '[ foo  ]'],
    ['[{{pad "" 1 2}}]', '[]'],
    ['{{split "a:b:c" ":"}}', '[a b c]'],
    ['{{len .Names}} {{len .Labels}} {{len "héllo"}}', '2 2 6'],
    ['{{println "a" 1}}', 'a 1\n'],
    ['{{print "a" 1 2 "b" 3}}', 'a1 2b3'],
  ])('%s', (src, want) => {
    expect(run(src)).toBe(want);
  });

  test('json keeps key order, is compact and does not escape HTML', () => {
    const data = { b: 1, a: '<&>', c: [1, { d: null }], e: true };
    expect(run('{{json .}}', data)).toBe('{"b":1,"a":"<&>","c":[1,{"d":null}],"e":true}');
    expect(run('{{json .Missing}}', data)).toBe('null');
  });

  test('methods are skipped by json', () => {
    expect(run('{{json .}}', { A: 1, F() {} })).toBe('{"A":1}');
  });
});

describe('syntax', () => {
  test('trim markers', () => {
    expect(run('a  {{- "b" -}}  \n c')).toBe('abc');
    expect(run('a {{"b"}} c')).toBe('a b c');
    expect(run('{{- /* comment */ -}}  x')).toBe('x');
    expect(run('x{{/* c */}}y')).toBe('xy');
    // "-3" is a number, not a trim marker
    expect(run('{{-3}}')).toBe('-3');
  });

  test('variables', () => {
    expect(run('{{$x := .Name}}{{$x}}')).toBe('foo');
    expect(run('{{$x := 1}}{{$x = 2}}{{$x}}')).toBe('2');
    expect(run('{{range $i, $e := .Names}}{{$i}}={{$e}};{{end}}')).toBe('0=web;1=db;');
    expect(run('{{range $e := .Names}}{{$e}};{{end}}')).toBe('web;db;');
    expect(run('{{range .Names}}{{$.Name}}{{end}}')).toBe('foofoo');
    expect(run('{{with $x := .Config}}{{$x.Env}}{{end}}')).toBe('[A=1 B=2]');
  });

  test('if / else if / else and truthiness', () => {
    const t = '{{if .A}}a{{else if .B}}b{{else}}c{{end}}';
    expect(run(t, { A: 1, B: 1 })).toBe('a');
    expect(run(t, { A: 0, B: 'x' })).toBe('b');
    for (const falsy of [false, 0, null, undefined, '', [], {}]) expect(run(t, { A: falsy, B: falsy })).toBe('c');
    for (const truthy of [true, 1, -1, 'x', [0], { k: 0 }, new Date()]) expect(run('{{if .A}}y{{end}}', { A: truthy })).toBe('y');
  });

  test('range over objects is in sorted key order; else; break / continue; integers', () => {
    expect(run('{{range $k, $v := .}}{{$k}}={{$v}} {{end}}', { b: 2, a: 1, c: 3 })).toBe('a=1 b=2 c=3 ');
    expect(run('{{range .X}}x{{else}}empty{{end}}', { X: [] })).toBe('empty');
    expect(run('{{range .X}}x{{else}}empty{{end}}', {})).toBe('empty');
    expect(run('{{range .}}{{if eq . 3}}{{break}}{{end}}{{.}}{{end}}', [1, 2, 3, 4])).toBe('12');
    expect(run('{{range .}}{{if eq . 2}}{{continue}}{{end}}{{.}}{{end}}', [1, 2, 3])).toBe('13');
    expect(run('{{range 3}}{{.}}{{end}}')).toBe('012');
  });

  test('with / else with', () => {
    expect(run('{{with .Config}}{{.Tty}}{{end}}')).toBe('false');
    expect(run('{{with .Nope}}x{{else}}none{{end}}')).toBe('none');
    expect(run('{{with .Nope}}x{{else with .Name}}{{.}}{{end}}')).toBe('foo');
  });

  test('pipelines, parentheses and chains', () => {
    expect(run('{{.Name | upper | printf "<%s>"}}')).toBe('<FOO>');
    expect(run('{{(index .Mounts 1).Source}}')).toBe('/b');
    expect(run('{{printf "%s-%s" (upper .Name) .State}}')).toBe('FOO-running');
    expect(run('{{.Names | join "," | len}}', { Names: 'x' })).toBe('1');
  });

  test('literals', () => {
    expect(run('{{"a\\tb"}}|{{`raw\\n`}}|{{\'a\'}}|{{1.5}}|{{0x1F}}|{{1e3}}|{{true}}|{{-2}}')).toBe('a\tb|raw\\n|97|1.5|31|1000|true|-2');
  });

  test('comparison and logic', () => {
    expect(run('{{eq 1 1}} {{ne "a" "b"}} {{lt 1 2}} {{le 2 2}} {{gt "b" "a"}} {{ge 1 2}}')).toBe('true true true true true false');
    expect(run('{{eq .State "exited" "running"}}')).toBe('true');
    expect(run('{{and 1 0 2}} {{and 1 2}} {{or 0 "" "x"}} {{or 0 ""}} {{not .Missing}}')).toBe('0 2 x  true');
    expect(run('{{eq .Missing "x"}}')).toBe('false');
    // `and` short-circuits: the failing index is never evaluated
    expect(run('{{and .Missing (index .Names 9)}}')).toBe('<no value>');
  });

  test('index and slice', () => {
    expect(run('{{index .Names 1}}')).toBe('db');
    expect(run('{{index . "a" 0}}', { a: [7] })).toBe('7');
    expect(run('{{slice .Names 1}}')).toBe('[db]');
    expect(run('{{slice "hello" 1 3}}')).toBe('el');
  });

  test('define, template, block', () => {
    expect(run('{{define "T"}}[{{.}}]{{end}}{{template "T" .Name}}{{template "T" "x"}}')).toBe('[foo][x]');
    expect(run('{{block "B" .Name}}<{{.}}>{{end}}')).toBe('<foo>');
  });

  test('value printing like Go', () => {
    expect(run('{{.}}', null)).toBe('<nil>');
    expect(run('{{.A}}', { A: null })).toBe('<nil>');
    expect(run('{{.}}', [1, 'a', [true], { z: 1, a: [] }])).toBe('[1 a [true] map[a:[] z:1]]');
    expect(run('{{.}}', 0.5)).toBe('0.5');
    expect(run('{{.}}', 1234567.5)).toBe('1.2345675e+06');
    expect(run('{{.}}', new Date(Date.UTC(2024, 0, 2, 3, 4, 5)))).toBe('2024-01-02 03:04:05 +0000 UTC');
  });

  test('methods get their arguments and this', () => {
    class Row {
      constructor(private readonly n: string) {}
      Greet(who: string, n: number): string {
        return `${this.n}:${who}:${n}`;
      }
      get Upper(): string {
        return this.n.toUpperCase();
      }
    }
    expect(run('{{.Greet "x" 2}} {{.Upper}}', new Row('r'))).toBe('r:x:2 R');
    expect(run('{{"y" | .Greet "x"}}', { Greet: (a: string, b: string) => a + b })).toBe('xy');
  });

  test('extra functions', () => {
    const render = compileTemplate('{{shout .}}', { funcs: { shout: (s) => `${String(s)}!` } });
    expect(render('hi')).toBe('hi!');
  });
});

describe('errors', () => {
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

  test('execution errors', () => {
    expect(err('{{.Name.Foo}}')).toBe('template: :1:2: executing "" at <.Name.Foo>: can\'t evaluate field Foo in type string');
    expect(err('{{index .Names 5}}')).toMatch(/error calling index: index out of range: 5$/);
    expect(err('{{eq .Name 1}}')).toMatch(/incompatible types for comparison$/);
    expect(err('{{upper}}')).toMatch(/wrong number of args for upper: want 1 got 0$/);
    expect(err('{{.Name "x"}}')).toMatch(/Name is not a method but has arguments$/);
    expect(err('{{range .Name}}{{end}}')).toMatch(/range can't iterate over foo$/);
    expect(err('{{template "nope"}}')).toMatch(/no template "nope"/);
  });

  test('TemplateError has a stable code', () => {
    try {
      run('{{');
    } catch (e) {
      expect((e as TemplateError).code).toBe('E_TEMPLATE');
    }
  });
});

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

describe('Stringer', () => {
  test('objects with a String() method print as its result', () => {
    class Port {
      constructor(readonly n: number) {}
      String(): string {
        return `${this.n}/tcp`;
      }
    }
    expect(run('{{.P}} {{printf "%s|%v" .P .P}} {{.P.n}}', { P: new Port(80) })).toBe('80/tcp 80/tcp|80/tcp 80');
  });
});
