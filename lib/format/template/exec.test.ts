import { describe, test, expect } from '@jest/globals';
import { err, run } from './harness.js';
import { compileTemplate, TemplateError } from './index.js';

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

describe('evaluation', () => {
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

describe('evaluation: corners', () => {
  test('range assigns to variables declared outside it', () => {
    expect(run('{{$i := 0}}{{$e := 0}}{{range $i, $e = .Names}}{{end}}{{$i}} {{$e}}')).toBe('1 db');
  });

  test('range: zero or negative counts run the else branch; missing elements are nil', () => {
    expect(run('{{range 0}}x{{else}}none{{end}}|{{range -2}}x{{end}}')).toBe('none|');
    expect(run('{{range .}}{{.}}{{end}}', [undefined, 1])).toBe('<nil>1');
    expect(run('{{range .}}{{.}}{{end}}', { b: 2, a: null })).toBe('<nil>2');
  });

  test('a block defined inside range may continue it', () => {
    expect(run('{{range .Names}}{{block "B" .}}[{{.}}]{{continue}}{{end}}{{end}}')).toBe('[web][db]');
  });

  test('a Map is a map', () => {
    expect(run('{{.k}} {{len .}}', new Map([['k', 1]]))).toBe('1 1');
  });

  test('functions, variables and chains as arguments', () => {
    const render = compileTemplate('{{printf "<%s>" now}} {{$x := 1}}{{printf "%d" $x}} {{printf "%s" (index .Mounts 0).Source}}', {
      funcs: { now: () => 'N' },
    });
    expect(render({ Mounts: [{ Source: '/a' }] })).toBe('<N> 1 /a');
  });

  test('the piped value is the last argument', () => {
    const render = compileTemplate('{{"x" | shout | shout}}', { funcs: { shout: (s) => `${String(s)}!` } });
    expect(render({})).toBe('x!!');
  });
});

describe('execution errors', () => {
  test('execution errors', () => {
    expect(err('{{.Name.Foo}}')).toBe('template: :1:2: executing "" at <.Name.Foo>: can\'t evaluate field Foo in type string');
    expect(err('{{index .Names 5}}')).toMatch(/error calling index: index out of range: 5$/);
    expect(err('{{eq .Name 1}}')).toMatch(/incompatible types for comparison$/);
    expect(err('{{upper}}')).toMatch(/wrong number of args for upper: want 1 got 0$/);
    expect(err('{{.Name "x"}}')).toMatch(/Name is not a method but has arguments$/);
    expect(err('{{range .Name}}{{end}}')).toMatch(/range can't iterate over foo$/);
    expect(err('{{template "nope"}}')).toMatch(/no template "nope"/);
  });

  test('endless recursion is a template error, not a stack overflow', () => {
    expect(err('{{define "T"}}{{template "T" .}}{{end}}{{template "T" .}}')).toMatch(/exceeded maximum template depth \(1000\)$/);
    // Deep but finite recursion still works.
    expect(run('{{define "T"}}{{if .}}x{{template "T" (slice . 1)}}{{end}}{{end}}{{template "T" .Names}}', { Names: Array(200).fill('n') })).toBe('x'.repeat(200));
  });

  test('TemplateError has a stable code', () => {
    try {
      run('{{');
    } catch (e) {
      expect((e as TemplateError).code).toBe('E_TEMPLATE');
    }
  });
});

describe('execution errors: corners', () => {
  test('arguments to something that is not a function', () => {
    expect(err('{{1 2}}')).toBe('template: :1:2: executing "" at <1>: can\'t give argument to non-function 1');
    expect(err('{{. 1}}')).toMatch(/can't give argument to non-function \.$/);
    expect(err('{{(.Name) 1}}')).toMatch(/can't give argument to non-function \(\.Name\)$/);
    expect(err('{{"a" | (.Name)}}')).toBe('template: :1:8: executing "" at <(.Name)>: can\'t give argument to non-function (.Name)');
    expect(err('{{$x := 1}}{{$x 2}}')).toBe('template: :1:13: executing "" at <$x>: can\'t give argument to non-function $x');
  });

  test('nil and non-struct receivers', () => {
    expect(err('{{nil}}')).toMatch(/nil is not a command$/);
    expect(err('{{.A.B}}', { A: null })).toMatch(/<\.A\.B>: nil pointer evaluating interface \{\}\.B$/);
    expect(err('{{$x := 1}}{{$x.A}}')).toMatch(/can't evaluate field A in type int$/);
  });

  test('range over an int with two variables', () => {
    expect(err('{{range $i, $e := 3}}{{end}}')).toMatch(/can't use 3 to iterate over more than one variable$/);
  });

  test('a function value cannot be printed', () => {
    expect(err('{{index . 0}}', [() => 1])).toMatch(/can't print index \. 0 of type func\(\.\.\.interface \{\}\) interface \{\}$/);
  });

  test("a caller's function that throws", () => {
    const render = compileTemplate('{{boom}}', { funcs: { boom: () => { throw new Error('boom'); } } });
    expect(() => render({})).toThrow('template: :1:2: executing "" at <boom>: error calling boom: boom');
  });

  test('break in a block run outside its range', () => {
    expect(err('{{range .Names}}{{block "B" .}}{{break}}{{end}}{{end}}{{template "B" 1}}')).toBe('template: break or continue outside range');
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
