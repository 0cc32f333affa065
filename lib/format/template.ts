/**
 * An interpreter for the subset of Go's text/template that docker's
 * `--format` flag accepts, with docker's extra functions (json, join, split,
 * title, lower, upper, pad, truncate).
 *
 * Supported: text and actions with trim markers (`{{- -}}`), comments,
 * fields and field chains (`.A.B`, `$x.A`, `(pipe).A`), `.` and `$`,
 * variable declaration/assignment, pipelines, parenthesized pipelines,
 * if / else if / else, range (arrays, objects in sorted key order, integers)
 * with else, break and continue, with / else with, define / template / block,
 * string (interpreted and raw), char, number, bool and nil literals.
 *
 * Values are plain JS values (see gofmt.ts for how they map onto Go kinds).
 * A property that holds a function is a method: it is called (with `this`
 * bound to its object) with the command's arguments, so a row object may
 * expose `Label(key)` for docker's `{{.Label "com.example"}}`.
 * A missing key prints `<no value>` (Go's default missingkey behaviour).
 */
import { ToteError } from '../errors/index.js';
import { formatValue, goKind, goTypeName, mapEntries, sprint, sprintf, sprintln } from './gofmt.js';

/** A parse or execution error, with Go's message shape (`template: :1: …`). */
export class TemplateError extends ToteError {
  constructor(message: string) {
    super('E_TEMPLATE', message);
    this.name = 'TemplateError';
  }
}

export type TemplateFunc = (...args: unknown[]) => unknown;

export interface TemplateOptions {
  /** Extra or overriding functions, like Go's Template.Funcs. */
  funcs?: Record<string, TemplateFunc>;
  /** The template's name, used in error messages (docker uses ""). */
  name?: string;
}

// ---------------------------------------------------------------------------
// Lexer

type TokKind =
  | 'text'
  | 'ldelim'
  | 'rdelim'
  | 'field'
  | 'dot'
  | 'var'
  | 'ident'
  | 'keyword'
  | 'string'
  | 'number'
  | 'bool'
  | 'nil'
  | 'pipe'
  | 'lparen'
  | 'rparen'
  | 'decl'
  | 'assign'
  | 'comma'
  | 'char'
  | 'eof';

interface Token {
  kind: TokKind;
  /** Source text (for text tokens: the text after trimming). */
  val: string;
  pos: number;
  /** Preceded by white space inside an action. */
  sp: boolean;
  /** Decoded literal value for strings, numbers, chars, bools. */
  lit?: unknown;
}

const KEYWORDS = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'template', 'with']);

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

function isAlnum(c: string | undefined): boolean {
  return c !== undefined && /^[\p{L}\p{Nd}_]$/u.test(c);
}

class Source {
  constructor(
    readonly name: string,
    readonly text: string,
  ) {}

  line(pos: number): number {
    let n = 1;
    for (let i = 0; i < pos && i < this.text.length; i++) if (this.text[i] === '\n') n++;
    return n;
  }

  col(pos: number): number {
    const nl = this.text.lastIndexOf('\n', pos - 1);
    return pos - nl - 1;
  }

  parseError(pos: number, msg: string): TemplateError {
    return new TemplateError(`template: ${this.name}:${this.line(pos)}: ${msg}`);
  }
}

function describeToken(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'EOF';
    case 'rdelim':
      return '"}}"';
    case 'ldelim':
      return '"{{"';
    case 'keyword':
      return `<${t.val}>`;
    case 'text':
      return JSON.stringify(t.val);
    default:
      return `"${t.val}"`;
  }
}

function unquoteGo(src: Source, raw: string, pos: number, quote: string): string {
  let out = '';
  for (let i = 1; i < raw.length - 1; i++) {
    const c = raw[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = raw[++i];
    const hex = (n: number): string => {
      const h = raw.slice(i + 1, i + 1 + n);
      if (!/^[0-9a-fA-F]+$/.test(h) || h.length !== n) throw src.parseError(pos, `invalid syntax`);
      i += n;
      return h;
    };
    switch (e) {
      case 'a':
        out += '\x07';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case '\\':
        out += '\\';
        break;
      case '"':
      case "'":
        if (e !== quote) throw src.parseError(pos, `invalid syntax`);
        out += e;
        break;
      case 'x':
        out += Buffer.from([parseInt(hex(2), 16)]).toString('latin1');
        break;
      case 'u':
        out += String.fromCodePoint(parseInt(hex(4), 16));
        break;
      case 'U':
        out += String.fromCodePoint(parseInt(hex(8), 16));
        break;
      default:
        if (e !== undefined && e >= '0' && e <= '7') {
          const o = raw.slice(i, i + 3);
          if (!/^[0-7]{3}$/.test(o)) throw src.parseError(pos, `invalid syntax`);
          out += String.fromCharCode(parseInt(o, 8));
          i += 2;
          break;
        }
        throw src.parseError(pos, `invalid syntax`);
    }
  }
  return out;
}

function parseNumber(src: Source, text: string, pos: number): number {
  const t = text.replace(/_/g, '');
  let sign = 1;
  let body = t;
  if (body[0] === '+' || body[0] === '-') {
    if (body[0] === '-') sign = -1;
    body = body.slice(1);
  }
  let v: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(body)) v = parseInt(body.slice(2), 16);
  else if (/^0[bB][01]+$/.test(body)) v = parseInt(body.slice(2), 2);
  else if (/^0[oO][0-7]+$/.test(body)) v = parseInt(body.slice(2), 8);
  else if (/^0[0-7]+$/.test(body)) v = parseInt(body.slice(1), 8);
  else if (/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(body)) v = Number(body);
  else throw src.parseError(pos, `illegal number syntax: "${text}"`);
  return sign * v;
}

const NUMBER_RE = /[+-]?(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?)/y;

function lex(src: Source): Token[] {
  const s = src.text;
  const n = s.length;
  const toks: Token[] = [];
  let pos = 0;
  const startsWith = (str: string, at: number): boolean => s.startsWith(str, at);
  const rightTrimAt = (at: number): boolean => isSpace(s[at]) && s[at + 1] === '-' && startsWith('}}', at + 2);

  while (pos < n) {
    const idx = s.indexOf('{{', pos);
    if (idx < 0) {
      toks.push({ kind: 'text', val: s.slice(pos), pos, sp: false });
      break;
    }
    const ltrim = s[idx + 2] === '-' && isSpace(s[idx + 3]);
    let textEnd = idx;
    if (ltrim) while (textEnd > pos && isSpace(s[textEnd - 1])) textEnd--;
    if (textEnd > pos) toks.push({ kind: 'text', val: s.slice(pos, textEnd), pos, sp: false });
    const actionStart = idx;
    pos = idx + 2 + (ltrim ? 2 : 0);

    // Comments.
    if (startsWith('/*', pos)) {
      const end = s.indexOf('*/', pos + 2);
      if (end < 0) throw src.parseError(actionStart, 'unclosed comment');
      pos = end + 2;
      let rtrim = false;
      if (rightTrimAt(pos)) {
        rtrim = true;
        pos += 4;
      } else if (startsWith('}}', pos)) {
        pos += 2;
      } else {
        throw src.parseError(actionStart, 'comment ends before closing delimiter');
      }
      if (rtrim) while (pos < n && isSpace(s[pos])) pos++;
      continue;
    }

    toks.push({ kind: 'ldelim', val: '{{', pos: actionStart, sp: false });
    let sp = false;
    for (;;) {
      if (rightTrimAt(pos)) {
        toks.push({ kind: 'rdelim', val: '}}', pos: pos + 2, sp: true });
        pos += 4;
        while (pos < n && isSpace(s[pos])) pos++;
        break;
      }
      if (startsWith('}}', pos)) {
        toks.push({ kind: 'rdelim', val: '}}', pos, sp });
        pos += 2;
        break;
      }
      if (pos >= n) throw src.parseError(actionStart, 'unclosed action');
      const c = s[pos];
      if (isSpace(c)) {
        while (pos < n && isSpace(s[pos]) && !rightTrimAt(pos)) pos++;
        sp = true;
        continue;
      }
      const start = pos;
      const push = (kind: TokKind, val: string, lit?: unknown): void => {
        toks.push({ kind, val, pos: start, sp, lit });
        sp = false;
      };
      if (c === '|') {
        pos++;
        push('pipe', '|');
      } else if (c === '(') {
        pos++;
        push('lparen', '(');
      } else if (c === ')') {
        pos++;
        push('rparen', ')');
      } else if (c === ',') {
        pos++;
        push('comma', ',');
      } else if (c === ':') {
        if (s[pos + 1] !== '=') throw src.parseError(start, 'expected :=');
        pos += 2;
        push('decl', ':=');
      } else if (c === '=') {
        pos++;
        push('assign', '=');
      } else if (c === '"' || c === "'") {
        let i = pos + 1;
        while (i < n && s[i] !== c) {
          if (s[i] === '\\') i++;
          if (s[i] === '\n') break;
          i++;
        }
        if (i >= n || s[i] !== c) throw src.parseError(start, c === '"' ? 'unterminated quoted string' : 'unterminated character constant');
        const raw = s.slice(pos, i + 1);
        pos = i + 1;
        const val = unquoteGo(src, raw, start, c);
        if (c === '"') push('string', raw, val);
        else {
          const cps = Array.from(val);
          if (cps.length !== 1) throw src.parseError(start, `malformed character constant: ${raw}`);
          push('number', raw, cps[0].codePointAt(0));
        }
      } else if (c === '`') {
        const end = s.indexOf('`', pos + 1);
        if (end < 0) throw src.parseError(start, 'unterminated raw quoted string');
        const raw = s.slice(pos, end + 1);
        pos = end + 1;
        push('string', raw, raw.slice(1, -1).replace(/\r/g, ''));
      } else if (c === '$') {
        pos++;
        while (isAlnum(s[pos])) pos++;
        push('var', s.slice(start, pos));
      } else if (c === '.' && !(s[pos + 1] >= '0' && s[pos + 1] <= '9')) {
        pos++;
        while (isAlnum(s[pos])) pos++;
        if (pos === start + 1) push('dot', '.');
        else push('field', s.slice(start, pos));
      } else if ((c >= '0' && c <= '9') || c === '.' || ((c === '+' || c === '-') && /[0-9.]/.test(s[pos + 1] ?? ''))) {
        NUMBER_RE.lastIndex = pos;
        const m = NUMBER_RE.exec(s);
        if (!m || isAlnum(s[pos + m[0].length]) || s[pos + m[0].length] === '.') {
          let e = pos + 1;
          while (e < n && (isAlnum(s[e]) || s[e] === '.')) e++;
          throw src.parseError(start, `bad number syntax: "${s.slice(pos, e)}"`);
        }
        pos += m[0].length;
        push('number', m[0], parseNumber(src, m[0], start));
      } else if (isAlnum(c)) {
        while (isAlnum(s[pos])) pos++;
        const word = s.slice(start, pos);
        if (KEYWORDS.has(word)) push('keyword', word);
        else if (word === 'true' || word === 'false') push('bool', word, word === 'true');
        else if (word === 'nil') push('nil', word);
        else push('ident', word);
      } else {
        pos += c.length;
        push('char', c);
      }
    }
  }
  toks.push({ kind: 'eof', val: '', pos: n, sp: false });
  return toks;
}

// ---------------------------------------------------------------------------
// AST

interface NodeBase {
  pos: number;
  /** Source text, for error messages. */
  src: string;
}
interface TextNode extends NodeBase {
  type: 'text';
  text: string;
}
interface FieldNode extends NodeBase {
  type: 'field';
  idents: string[];
}
interface VariableNode extends NodeBase {
  type: 'variable';
  name: string;
  idents: string[];
}
interface ChainNode extends NodeBase {
  type: 'chain';
  node: ArgNode;
  idents: string[];
}
interface IdentNode extends NodeBase {
  type: 'ident';
  name: string;
}
interface DotNode extends NodeBase {
  type: 'dot';
}
interface NilNode extends NodeBase {
  type: 'nil';
}
interface LiteralNode extends NodeBase {
  type: 'literal';
  value: string | number | boolean;
}
interface CommandNode extends NodeBase {
  type: 'command';
  args: ArgNode[];
}
interface PipeNode extends NodeBase {
  type: 'pipe';
  decl: string[];
  isAssign: boolean;
  cmds: CommandNode[];
}
type ArgNode = FieldNode | VariableNode | ChainNode | IdentNode | DotNode | NilNode | LiteralNode | PipeNode;

interface ActionNode extends NodeBase {
  type: 'action';
  pipe: PipeNode;
}
interface BranchNode extends NodeBase {
  type: 'if' | 'range' | 'with';
  pipe: PipeNode;
  list: Node[];
  elseList?: Node[];
}
interface BreakNode extends NodeBase {
  type: 'break' | 'continue';
}
interface TemplateNode extends NodeBase {
  type: 'template';
  name: string;
  pipe?: PipeNode;
}
type Node = TextNode | ActionNode | BranchNode | BreakNode | TemplateNode;

// ---------------------------------------------------------------------------
// Parser

const BUILTIN_NAMES = [
  'and',
  'call',
  'html',
  'index',
  'slice',
  'js',
  'len',
  'not',
  'or',
  'print',
  'printf',
  'println',
  'urlquery',
  'eq',
  'ge',
  'gt',
  'le',
  'lt',
  'ne',
];

class Parser {
  private i = 0;
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  readonly defines = new Map<string, Node[]>();

  constructor(
    private readonly src: Source,
    private readonly toks: Token[],
    private readonly funcNames: Set<string>,
  ) {}

  private peek(k = 0): Token {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)];
  }

  private next(): Token {
    return this.toks[Math.min(this.i++, this.toks.length - 1)];
  }

  private error(pos: number, msg: string): TemplateError {
    return this.src.parseError(pos, msg);
  }

  private unexpected(t: Token, context: string): TemplateError {
    if (t.kind === 'eof') return this.error(t.pos, `unexpected EOF`);
    return this.error(t.pos, `unexpected ${describeToken(t)} in ${context}`);
  }

  private expect(kind: TokKind, context: string): Token {
    const t = this.next();
    if (t.kind !== kind) throw this.unexpected(t, context);
    return t;
  }

  private text(from: number, to: number): string {
    return this.src.text.slice(from, to);
  }

  parseTop(): Node[] {
    const r = this.parseList(true);
    if (r.term !== 'eof') throw this.error(r.tok.pos, `unexpected {{${r.term}}}`);
    return r.list;
  }

  /** Parses nodes until {{end}}, {{else}} or EOF; consumes `{{end` / `{{else`. */
  private parseList(top = false): { list: Node[]; term: 'end' | 'else' | 'eof'; tok: Token } {
    const list: Node[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') return { list, term: 'eof', tok: t };
      if (t.kind === 'text') {
        this.next();
        list.push({ type: 'text', text: t.val, pos: t.pos, src: t.val });
        continue;
      }
      if (t.kind !== 'ldelim') throw this.unexpected(t, 'input');
      const k = this.peek(1);
      if (k.kind === 'keyword' && (k.val === 'end' || k.val === 'else')) {
        this.next();
        this.next();
        return { list, term: k.val, tok: k };
      }
      if (top && k.kind === 'keyword' && k.val === 'define') {
        this.next();
        this.next();
        this.parseDefine(k);
        continue;
      }
      this.next();
      list.push(this.parseAction(t));
    }
  }

  private parseDefine(k: Token): void {
    const nameTok = this.expect('string', 'define clause');
    this.expect('rdelim', 'define clause');
    const saved = this.vars;
    this.vars = ['$'];
    const r = this.parseList();
    this.vars = saved;
    if (r.term !== 'end') throw r.term === 'eof' ? this.error(k.pos, 'unexpected EOF') : this.error(r.tok.pos, 'unexpected {{else}}');
    this.expect('rdelim', 'end');
    this.defines.set(nameTok.lit as string, r.list);
  }

  private parseAction(ld: Token): Node {
    const t = this.peek();
    if (t.kind === 'keyword') {
      this.next();
      switch (t.val) {
        case 'if':
        case 'range':
        case 'with':
          return this.parseControl(t.val, ld);
        case 'break':
        case 'continue': {
          if (this.rangeDepth === 0) throw this.error(t.pos, `{{${t.val}}} outside {{range}}`);
          const end = this.expect('rdelim', t.val);
          return { type: t.val, pos: t.pos, src: this.text(ld.pos, end.pos + 2) };
        }
        case 'template':
        case 'block':
          return this.parseTemplate(t, ld);
        default:
          throw this.unexpected(t, 'command');
      }
    }
    const pipe = this.parsePipeline('command', 'rdelim');
    return { type: 'action', pipe, pos: pipe.pos, src: pipe.src };
  }

  private parseTemplate(kw: Token, ld: Token): Node {
    const context = kw.val === 'block' ? 'block clause' : 'template clause';
    const nameTok = this.next();
    if (nameTok.kind !== 'string') throw this.unexpected(nameTok, context);
    let pipe: PipeNode | undefined;
    if (this.peek().kind !== 'rdelim') pipe = this.parsePipeline(context, 'rdelim');
    else this.next();
    const name = nameTok.lit as string;
    if (kw.val === 'block') {
      if (!pipe) throw this.error(kw.pos, `missing value for block clause`);
      const saved = this.vars;
      this.vars = ['$'];
      const r = this.parseList();
      this.vars = saved;
      if (r.term !== 'end') throw r.term === 'eof' ? this.error(kw.pos, 'unexpected EOF') : this.error(r.tok.pos, 'unexpected {{else}}');
      this.expect('rdelim', 'end');
      this.defines.set(name, r.list);
    }
    return { type: 'template', name, pipe, pos: kw.pos, src: this.text(ld.pos, kw.pos + kw.val.length) };
  }

  private parseControl(kind: 'if' | 'range' | 'with', ld: Token): BranchNode {
    const mark = this.vars.length;
    const pipe = this.parsePipeline(kind, 'rdelim');
    if (kind === 'range') this.rangeDepth++;
    const r = this.parseList();
    if (kind === 'range') this.rangeDepth--;
    let elseList: Node[] | undefined;
    if (r.term === 'eof') throw this.error(r.tok.pos, 'unexpected EOF');
    if (r.term === 'else') {
      const nt = this.peek();
      if ((kind === 'if' && nt.kind === 'keyword' && nt.val === 'if') || (kind === 'with' && nt.kind === 'keyword' && nt.val === 'with')) {
        // {{else if …}} is {{else}}{{if …}}…{{end}}{{end}} sharing one {{end}}.
        this.next();
        elseList = [this.parseControl(kind, r.tok)];
      } else {
        this.expect('rdelim', 'else');
        const r2 = this.parseList();
        if (r2.term === 'eof') throw this.error(r2.tok.pos, 'unexpected EOF');
        if (r2.term === 'else') throw this.error(r2.tok.pos, `expected end; found {{else}}`);
        this.expect('rdelim', 'end');
        elseList = r2.list;
      }
    } else {
      this.expect('rdelim', 'end');
    }
    this.vars.length = mark;
    return { type: kind, pipe, list: r.list, elseList, pos: ld.pos, src: `{{${kind} ${pipe.src}}}` };
  }

  private parsePipeline(context: string, terminator: 'rdelim' | 'rparen'): PipeNode {
    const start = this.peek().pos;
    const decl: string[] = [];
    let isAssign = false;
    const t0 = this.peek();
    if (t0.kind === 'var') {
      const t1 = this.peek(1);
      if (t1.kind === 'decl' || t1.kind === 'assign') {
        this.next();
        this.next();
        decl.push(t0.val);
        isAssign = t1.kind === 'assign';
      } else if (t1.kind === 'comma') {
        if (context !== 'range') throw this.error(t1.pos, `too many declarations in ${context}`);
        const t2 = this.peek(2);
        const t3 = this.peek(3);
        if (t2.kind !== 'var' || (t3.kind !== 'decl' && t3.kind !== 'assign')) throw this.error(t1.pos, `too many declarations in ${context}`);
        this.i += 4;
        decl.push(t0.val, t2.val);
        isAssign = t3.kind === 'assign';
      }
    }
    for (const v of decl) {
      if (isAssign) {
        if (!this.vars.includes(v)) throw this.error(t0.pos, `undefined variable "${v}"`);
      } else {
        this.vars.push(v);
      }
    }
    const cmds: CommandNode[] = [];
    let end: Token;
    for (;;) {
      const t = this.peek();
      if (t.kind === terminator) {
        end = this.next();
        break;
      }
      if (t.kind === 'eof' || t.kind === 'rdelim' || t.kind === 'rparen') {
        if (terminator === 'rparen') throw this.error(t.pos, 'unclosed left paren');
        if (t.kind === 'eof') throw this.error(t.pos, 'unclosed action');
        throw this.unexpected(t, 'operand');
      }
      if (cmds.length > 0) {
        if (t.kind !== 'pipe') throw this.unexpected(t, 'operand');
        this.next();
      } else if (t.kind === 'pipe') {
        throw this.error(t.pos, `missing command`);
      }
      cmds.push(this.parseCommand(terminator));
    }
    if (cmds.length === 0) throw this.error(start, `missing value for ${context}`);
    for (let k = 1; k < cmds.length; k++) {
      const first = cmds[k].args[0];
      if (first.type === 'literal' || first.type === 'nil' || first.type === 'dot') {
        throw this.error(cmds[k].pos, `non executable command in pipeline stage ${k + 1}`);
      }
    }
    return { type: 'pipe', decl, isAssign, cmds, pos: start, src: this.text(start, end.pos).trim() };
  }

  private parseCommand(terminator: 'rdelim' | 'rparen'): CommandNode {
    const args: ArgNode[] = [];
    const start = this.peek().pos;
    let last = start;
    for (;;) {
      const t = this.peek();
      if (t.kind === terminator || t.kind === 'pipe' || t.kind === 'eof' || t.kind === 'rdelim' || t.kind === 'rparen') break;
      if (args.length > 0 && !t.sp) throw this.unexpected(t, 'operand');
      const op = this.parseOperand();
      args.push(op);
      last = op.pos + op.src.length;
    }
    if (args.length === 0) throw this.error(start, 'empty command');
    return { type: 'command', args, pos: start, src: this.text(start, last) };
  }

  private parseOperand(): ArgNode {
    const term = this.parseTerm();
    if (this.peek().kind !== 'field' || this.peek().sp) return term;
    const idents: string[] = [];
    let endPos = term.pos + term.src.length;
    while (this.peek().kind === 'field' && !this.peek().sp) {
      const f = this.next();
      idents.push(f.val.slice(1));
      endPos = f.pos + f.val.length;
    }
    const src = this.text(term.pos, endPos);
    switch (term.type) {
      case 'field':
        return { type: 'field', idents: [...term.idents, ...idents], pos: term.pos, src };
      case 'variable':
        return { type: 'variable', name: term.name, idents: [...term.idents, ...idents], pos: term.pos, src };
      case 'literal':
      case 'nil':
      case 'dot':
        throw this.error(term.pos, `unexpected . after term "${term.src}"`);
      default:
        return { type: 'chain', node: term, idents, pos: term.pos, src };
    }
  }

  private parseTerm(): ArgNode {
    const t = this.next();
    switch (t.kind) {
      case 'ident':
        if (!this.funcNames.has(t.val)) throw this.error(t.pos, `function "${t.val}" not defined`);
        return { type: 'ident', name: t.val, pos: t.pos, src: t.val };
      case 'dot':
        return { type: 'dot', pos: t.pos, src: '.' };
      case 'nil':
        return { type: 'nil', pos: t.pos, src: 'nil' };
      case 'var':
        if (!this.vars.includes(t.val)) throw this.error(t.pos, `undefined variable "${t.val}"`);
        return { type: 'variable', name: t.val, idents: [], pos: t.pos, src: t.val };
      case 'field':
        return { type: 'field', idents: [t.val.slice(1)], pos: t.pos, src: t.val };
      case 'bool':
      case 'number':
      case 'string':
        return { type: 'literal', value: t.lit as string | number | boolean, pos: t.pos, src: t.val };
      case 'lparen': {
        const pipe = this.parsePipeline('parenthesized pipeline', 'rparen');
        const src = this.text(t.pos, this.toks[this.i - 1].pos + 1);
        return { ...pipe, pos: t.pos, src };
      }
      default:
        throw this.unexpected(t, 'operand');
    }
  }
}

// ---------------------------------------------------------------------------
// Execution helpers

const NO_FINAL: unique symbol = Symbol('no final');
type Final = unknown | typeof NO_FINAL;

class BreakSignal {}
class ContinueSignal {}

/** Errors thrown by template functions; the executor adds position context. */
class FuncError extends Error {}

function isMapLike(v: unknown): v is object {
  return goKind(v) === 'map';
}

/** A "struct": a class instance rather than a plain record (or Map). */
function isStruct(v: object): boolean {
  if (v instanceof Map) return false;
  const proto = Object.getPrototypeOf(v);
  return proto !== null && proto !== Object.prototype;
}

/** Go's truth: false, 0, nil, and empty strings / arrays / maps are false. */
export function isTrue(v: unknown): boolean {
  switch (goKind(v)) {
    case 'invalid':
    case 'nil':
      return false;
    case 'string':
      return (v as string).length > 0;
    case 'int':
    case 'float':
      return typeof v === 'bigint' ? v !== 0n : v !== 0;
    case 'bool':
      return v as boolean;
    case 'slice':
      return (v as ArrayLike<unknown>).length > 0;
    case 'map':
      if (v instanceof Map) return v.size > 0;
      return isStruct(v as object) || mapEntries(v as object).length > 0;
    default:
      return true;
  }
}

/** Own or inherited (but not Object.prototype) property lookup. */
function lookupProperty(obj: object, name: string): { found: boolean; value?: unknown } {
  if (obj instanceof Map) return obj.has(name) ? { found: true, value: obj.get(name) } : { found: false };
  for (let o: object | null = obj; o && o !== Object.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o)) {
    if (Object.prototype.hasOwnProperty.call(o, name)) return { found: true, value: Reflect.get(obj, name) };
  }
  return { found: false };
}

function wrongType(expected: string, v: unknown): FuncError {
  if (v === undefined || v === null) return new FuncError(`invalid value; expected ${expected}`);
  return new FuncError(`wrong type for value; expected ${expected}; got ${goTypeName(v)}`);
}

/** A string argument: strings pass; other scalars are printed with %v (lenient). */
function strArg(v: unknown): string {
  switch (goKind(v)) {
    case 'string':
      return v as string;
    case 'int':
    case 'float':
    case 'bool':
    case 'time':
      return formatValue(v, 'v');
    default:
      throw wrongType('string', v);
  }
}

function intArg(v: unknown): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  throw wrongType('int', v);
}

/** Go's encoding/json output, compact, without HTML escaping (docker's SetEscapeHTML(false)). */
export function goJson(v: unknown): string {
  const s = JSON.stringify(v === undefined ? null : v, (_k, val: unknown) => (typeof val === 'bigint' ? Number(val) : val));
  return (s ?? 'null').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function goTitle(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    const sep = /^[\p{L}\p{Nd}_]$/u.test(prev) ? false : prev.codePointAt(0)! < 0x80 ? true : /\s/u.test(prev);
    out += sep ? ch.toUpperCase() : ch;
    prev = ch;
  }
  return out;
}

type Kind = 'bool' | 'number' | 'string' | 'invalid' | 'other';
function basicKind(v: unknown): Kind {
  switch (goKind(v)) {
    case 'bool':
      return 'bool';
    case 'int':
    case 'float':
      return 'number';
    case 'string':
      return 'string';
    case 'invalid':
    case 'nil':
      return 'invalid';
    default:
      return 'other';
  }
}

function eq(a: unknown, ...rest: unknown[]): boolean {
  if (rest.length === 0) throw new FuncError('missing argument for comparison');
  const k1 = basicKind(a);
  for (const b of rest) {
    const k2 = basicKind(b);
    let truth: boolean;
    if (k1 !== k2) {
      if (k1 !== 'invalid' && k2 !== 'invalid') throw new FuncError('incompatible types for comparison');
      truth = false;
    } else if (k1 === 'other') {
      if (Array.isArray(a) || Array.isArray(b) || isMapLike(a) || isMapLike(b)) {
        throw new FuncError(`non-comparable type ${formatValue(b, 'v')}: ${goTypeName(b)}`);
      }
      truth = a === b;
    } else if (k1 === 'invalid') {
      truth = true;
    } else {
      truth = typeof a === 'bigint' || typeof b === 'bigint' ? BigInt(a as number) === BigInt(b as number) : a === b;
    }
    if (truth) return true;
  }
  return false;
}

function lt(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === 'invalid' || k1 === 'other' || k1 === 'bool' || k2 === 'invalid' || k2 === 'other' || k2 === 'bool') {
    throw new FuncError('invalid type for comparison');
  }
  if (k1 !== k2) throw new FuncError('incompatible types for comparison');
  return (a as number | string) < (b as number | string);
}

function goLen(v: unknown): number {
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

function goIndex(item: unknown, ...indexes: unknown[]): unknown {
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

function goSlice(item: unknown, ...indexes: unknown[]): unknown {
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

function htmlEscape(s: string): string {
  return s.replace(/[<>&'"\0]/g, (c) =>
    c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === "'" ? '&#39;' : c === '"' ? '&#34;' : '\uFFFD',
  );
}

function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '"') out += '\\"';
    else if (ch === '<') out += '\\u003C';
    else if (ch === '>') out += '\\u003E';
    else if (ch === '&') out += '\\u0026';
    else if (ch === '=') out += '\\u003D';
    else if (cp < 0x20) out += '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
    else out += ch;
  }
  return out;
}

function evalArgsString(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(...args);
}

interface FuncDef {
  fn: TemplateFunc;
  min: number;
  max: number;
}

function def(fn: TemplateFunc, min: number, max = min): FuncDef {
  return { fn, min, max };
}

const BUILTINS: Record<string, FuncDef> = {
  // and / or are evaluated lazily by the executor; these are fallbacks.
  and: def((...a) => a.find((x) => !isTrue(x)) ?? a[a.length - 1], 1, Infinity),
  or: def((...a) => a.find((x) => isTrue(x)) ?? a[a.length - 1], 1, Infinity),
  not: def((a) => !isTrue(a), 1),
  len: def((a) => goLen(a), 1),
  index: def((item, ...ix) => goIndex(item, ...ix), 1, Infinity),
  slice: def((item, ...ix) => goSlice(item, ...ix), 1, Infinity),
  print: def((...a) => sprint(...a), 0, Infinity),
  printf: def((f, ...a) => sprintf(strArg(f), ...a), 1, Infinity),
  println: def((...a) => sprintln(...a), 0, Infinity),
  html: def((...a) => htmlEscape(evalArgsString(a)), 0, Infinity),
  js: def((...a) => jsEscape(evalArgsString(a)), 0, Infinity),
  urlquery: def((...a) => encodeURIComponent(evalArgsString(a)).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()), 0, Infinity),
  call: def(
    (fn, ...a) => {
      if (typeof fn !== 'function') throw new FuncError(`non-function of type ${goTypeName(fn)}`);
      return (fn as TemplateFunc)(...a);
    },
    1,
    Infinity,
  ),
  eq: def((a, ...b) => eq(a, ...b), 1, Infinity),
  ne: def((a, b) => !eq(a, b), 2),
  lt: def((a, b) => lt(a, b), 2),
  le: def((a, b) => lt(a, b) || eq(a, b), 2),
  gt: def((a, b) => !lt(a, b) && !eq(a, b), 2),
  ge: def((a, b) => !lt(a, b), 2),
  // docker's additions (cli/templates/templates.go basicFunctions).
  json: def((v) => goJson(v), 1),
  split: def((s, sep) => {
    const str = strArg(s);
    const sp = strArg(sep);
    return sp === '' ? Array.from(str) : str.split(sp);
  }, 2),
  join: def((list, sep) => {
    const sp = strArg(sep);
    if (typeof list === 'string') return list;
    if (goKind(list) !== 'slice') throw wrongType('[]string', list);
    return Array.from(list as ArrayLike<unknown>)
      .map((x) => (typeof x === 'string' ? x : formatValue(x, 'v')))
      .join(sp);
  }, 2),
  title: def((s) => goTitle(strArg(s)), 1),
  lower: def((s) => strArg(s).toLowerCase(), 1),
  upper: def((s) => strArg(s).toUpperCase(), 1),
  pad: def((s, l, r) => {
    const str = strArg(s);
    if (str === '') return str;
    return ' '.repeat(Math.max(intArg(l), 0)) + str + ' '.repeat(Math.max(intArg(r), 0));
  }, 3),
  truncate: def((s, n) => {
    const str = strArg(s);
    const len = intArg(n);
    const bytes = Buffer.from(str, 'utf8');
    if (bytes.length < len) return str;
    return bytes.subarray(0, Math.max(len, 0)).toString('utf8');
  }, 2),
};

/**
 * docker's templates.HeaderFunctions: when rendering a table header, these
 * return their (header string) argument unchanged.
 */
export const HEADER_FUNCS: Record<string, TemplateFunc> = {
  json: (v) => v,
  split: (v) => v,
  join: (v) => v,
  title: (v) => v,
  lower: (v) => v,
  upper: (v) => v,
  truncate: (v) => v,
  // Not docker (whose header would fail): a header cell for `index .Labels "k"`.
  index: (v) => v,
};

/**
 * The data a table header is rendered against: every field chain evaluates
 * to its column header (`.Label "x"` included), via `header(idents)`.
 */
export class HeaderRow {
  constructor(private readonly names: Record<string, string>) {}

  header(idents: string[]): string {
    const full = idents.join('.');
    if (Object.prototype.hasOwnProperty.call(this.names, full)) return this.names[full];
    if (Object.prototype.hasOwnProperty.call(this.names, idents[0])) return this.names[idents[0]];
    return full.toUpperCase();
  }

  String(): string {
    return '';
  }
}

// ---------------------------------------------------------------------------
// Executor

interface Variable {
  name: string;
  value: unknown;
}

class State {
  private vars: Variable[];
  private out: string[] = [];
  private depth = 0;

  constructor(
    private readonly tmpl: Template,
    private readonly funcs: Map<string, FuncDef>,
    root: unknown,
  ) {
    this.vars = [{ name: '$', value: root }];
  }

  result(): string {
    return this.out.join('');
  }

  private error(node: NodeBase, msg: string): TemplateError {
    const src = this.tmpl.source;
    return new TemplateError(
      `template: ${src.name}:${src.line(node.pos)}:${src.col(node.pos)}: executing "${src.name}" at <${node.src}>: ${msg}`,
    );
  }

  private mark(): number {
    return this.vars.length;
  }

  private pop(mark: number): void {
    this.vars.length = mark;
  }

  private push(name: string, value: unknown): void {
    this.vars.push({ name, value });
  }

  private setVar(node: NodeBase, name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) {
        this.vars[i].value = value;
        return;
      }
    }
    throw this.error(node, `undefined variable: ${name}`);
  }

  private setTopVar(n: number, value: unknown): void {
    this.vars[this.vars.length - n].value = value;
  }

  private varValue(node: NodeBase, name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) return this.vars[i].value;
    }
    throw this.error(node, `undefined variable: ${name}`);
  }

  walk(dot: unknown, list: Node[]): void {
    for (const node of list) this.walkNode(dot, node);
  }

  private walkNode(dot: unknown, node: Node): void {
    switch (node.type) {
      case 'text':
        this.out.push(node.text);
        return;
      case 'action': {
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case 'if':
      case 'with': {
        const mark = this.mark();
        const val = this.evalPipeline(dot, node.pipe);
        if (isTrue(val)) this.walk(node.type === 'with' ? val : dot, node.list);
        else if (node.elseList) this.walk(dot, node.elseList);
        this.pop(mark);
        return;
      }
      case 'range':
        this.walkRange(dot, node);
        return;
      case 'break':
        throw new BreakSignal();
      case 'continue':
        throw new ContinueSignal();
      case 'template': {
        const body = this.tmpl.defines.get(node.name);
        if (!body) throw this.error(node, `template: no template "${node.name}" associated with template "${this.tmpl.source.name}"`);
        if (++this.depth > 100000) throw this.error(node, 'exceeded maximum template depth (100000)');
        const newDot = node.pipe ? this.evalPipeline(dot, node.pipe) : undefined;
        const saved = this.vars;
        this.vars = [{ name: '$', value: newDot }];
        try {
          this.walk(newDot, body);
        } finally {
          this.vars = saved;
          this.depth--;
        }
        return;
      }
    }
  }

  private walkRange(dot: unknown, node: BranchNode): void {
    const mark = this.mark();
    const val = this.evalPipeline(dot, node.pipe);
    const decl = node.pipe.decl;
    const one = (index: unknown, elem: unknown): boolean => {
      if (decl.length > 0) {
        if (node.pipe.isAssign) {
          this.setVar(node, decl[0], decl.length > 1 ? index : elem);
        } else {
          this.setTopVar(1, elem);
        }
      }
      if (decl.length > 1) {
        if (node.pipe.isAssign) this.setVar(node, decl[1], elem);
        else this.setTopVar(2, index);
      }
      const m = this.mark();
      try {
        this.walk(elem, node.list);
      } catch (e) {
        if (e instanceof BreakSignal) return false;
        if (!(e instanceof ContinueSignal)) throw e;
      } finally {
        this.pop(m);
      }
      return true;
    };
    let count = 0;
    switch (goKind(val)) {
      case 'invalid':
      case 'nil':
        break;
      case 'slice': {
        const arr = Array.from(val as ArrayLike<unknown>);
        count = arr.length;
        for (let i = 0; i < arr.length; i++) if (!one(i, arr[i] === undefined ? null : arr[i])) break;
        break;
      }
      case 'map': {
        const entries = mapEntries(val as object);
        count = entries.length;
        for (const [k, v] of entries) if (!one(k, v === undefined ? null : v)) break;
        break;
      }
      case 'int': {
        if (decl.length > 1) throw this.error(node, `can't use ${formatValue(val, 'v')} to iterate over more than one variable`);
        count = Math.max(Number(val), 0);
        for (let i = 0; i < count; i++) if (!one(i, i)) break;
        break;
      }
      default:
        throw this.error(node, `range can't iterate over ${formatValue(val, 'v')}`);
    }
    if (count === 0 && node.elseList) this.walk(dot, node.elseList);
    this.pop(mark);
  }

  private printValue(node: NodeBase, v: unknown): void {
    if (v === undefined) {
      this.out.push('<no value>');
      return;
    }
    if (typeof v === 'function') throw this.error(node, `can't print ${node.src} of type ${goTypeName(v)}`);
    this.out.push(formatValue(v, 'v'));
  }

  private evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    let value: Final = NO_FINAL;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    for (const name of pipe.decl) {
      if (pipe.isAssign) this.setVar(pipe, name, value);
      else this.push(name, value);
    }
    return value === NO_FINAL ? undefined : value;
  }

  private notAFunction(node: NodeBase, args: ArgNode[], final: Final): void {
    if (args.length > 1 || final !== NO_FINAL) throw this.error(node, `can't give argument to non-function ${args[0].src}`);
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0];
    switch (first.type) {
      case 'field':
        return this.evalFieldChain(dot, dot, first, first.idents, cmd.args, final);
      case 'chain': {
        if (cmd.args.length > 1) throw this.error(first, `can't give argument to non-function ${first.src}`);
        const recv = this.evalArg(dot, first.node);
        return this.evalFieldChain(dot, recv, first, first.idents, cmd.args, final);
      }
      case 'ident':
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(first, cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable':
        return this.evalVariable(dot, first, cmd.args, final);
      default:
        break;
    }
    this.notAFunction(first, cmd.args, final);
    switch (first.type) {
      case 'dot':
        return dot;
      case 'nil':
        throw this.error(first, 'nil is not a command');
      case 'literal':
        return first.value;
    }
  }

  private evalVariable(dot: unknown, node: VariableNode, args: ArgNode[], final: Final): unknown {
    const value = this.varValue(node, node.name);
    if (node.idents.length === 0) {
      this.notAFunction(node, args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, node, node.idents, args, final);
  }

  private evalFieldChain(dot: unknown, receiver: unknown, node: NodeBase, idents: string[], args: ArgNode[], final: Final): unknown {
    if (receiver instanceof HeaderRow) return receiver.header(idents);
    const n = idents.length;
    for (let i = 0; i < n - 1; i++) {
      receiver = this.evalField(dot, idents[i], node, [], NO_FINAL, receiver);
      if (receiver instanceof HeaderRow) return receiver.header(idents.slice(i + 1));
    }
    return this.evalField(dot, idents[n - 1], node, args, final, receiver);
  }

  private evalField(dot: unknown, name: string, node: NodeBase, args: ArgNode[], final: Final, receiver: unknown): unknown {
    if (receiver === undefined) return undefined;
    if (receiver === null) throw this.error(node, `nil pointer evaluating interface {}.${name}`);
    const kind = goKind(receiver);
    if (kind === 'map' || kind === 'time' || kind === 'func') {
      const r = lookupProperty(receiver as object, name);
      if (r.found && typeof r.value === 'function') {
        return this.evalCall(dot, r.value as TemplateFunc, receiver, node, name, args, final, undefined);
      }
      const hasArgs = args.length > 1 || final !== NO_FINAL;
      if (hasArgs) throw this.error(node, `${name} is not a method but has arguments`);
      if (r.found) return r.value;
      if (kind === 'map' && !isStruct(receiver as object)) return undefined;
      if (kind === 'map') return undefined;
    }
    throw this.error(node, `can't evaluate field ${name} in type ${goTypeName(receiver)}`);
  }

  private evalFunction(dot: unknown, node: IdentNode, cmd: NodeBase, args: ArgNode[], final: Final): unknown {
    const f = this.funcs.get(node.name);
    if (!f) throw this.error(node, `"${node.name}" is not a defined function`);
    if (node.name === 'and' || node.name === 'or') {
      if (this.funcs.get(node.name) === BUILTINS[node.name]) return this.evalAndOr(dot, node, cmd, args, final);
    }
    return this.evalCall(dot, f.fn, undefined, cmd, node.name, args, final, f);
  }

  private evalAndOr(dot: unknown, node: IdentNode, cmd: NodeBase, args: ArgNode[], final: Final): unknown {
    const count = args.length - 1 + (final === NO_FINAL ? 0 : 1);
    if (count < 1) throw this.error(cmd, `wrong number of args for ${node.name}: want at least 1 got 0`);
    let v: unknown;
    for (let i = 1; i < args.length; i++) {
      v = this.evalArg(dot, args[i]);
      if (isTrue(v) === (node.name === 'or')) return v;
    }
    if (final !== NO_FINAL) v = final;
    return v;
  }

  private evalCall(
    dot: unknown,
    fn: TemplateFunc,
    self: unknown,
    node: NodeBase,
    name: string,
    args: ArgNode[],
    final: Final,
    f: FuncDef | undefined,
  ): unknown {
    const argv: unknown[] = [];
    for (let i = 1; i < args.length; i++) argv.push(this.evalArg(dot, args[i]));
    if (final !== NO_FINAL) argv.push(final);
    for (let i = 0; i < argv.length; i++) if (argv[i] === undefined) argv[i] = null;
    if (f) {
      if (argv.length < f.min || argv.length > f.max) {
        const want = f.min === f.max ? `${f.min}` : `at least ${f.min}`;
        throw this.error(node, `wrong number of args for ${name}: want ${want} got ${argv.length}`);
      }
    }
    try {
      return fn.apply(self, argv);
    } catch (e) {
      if (e instanceof TemplateError) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      if (e instanceof FuncError && (name === 'index' || name === 'slice' || name === 'call' || name === 'eq' || name === 'ne' || name === 'lt' || name === 'le' || name === 'gt' || name === 'ge' || name === 'len')) {
        throw this.error(node, `error calling ${name}: ${msg}`);
      }
      if (e instanceof FuncError) throw this.error(node, msg);
      throw this.error(node, `error calling ${name}: ${msg}`);
    }
  }

  private evalArg(dot: unknown, node: ArgNode): unknown {
    switch (node.type) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'field':
        return this.evalFieldChain(dot, dot, node, node.idents, [node], NO_FINAL);
      case 'variable':
        return this.evalVariable(dot, node, [node], NO_FINAL);
      case 'pipe':
        return this.evalPipeline(dot, node);
      case 'ident':
        return this.evalFunction(dot, node, node, [node], NO_FINAL);
      case 'chain': {
        const recv = this.evalArg(dot, node.node);
        return this.evalFieldChain(dot, recv, node, node.idents, [node], NO_FINAL);
      }
      case 'literal':
        return node.value;
    }
  }
}

/** A parsed template. */
export class Template {
  readonly source: Source;
  readonly root: Node[];
  readonly defines: Map<string, Node[]>;
  private readonly funcs: Map<string, FuncDef>;

  constructor(text: string, options: TemplateOptions = {}) {
    this.source = new Source(options.name ?? '', text);
    this.funcs = new Map(Object.entries(BUILTINS));
    for (const [name, fn] of Object.entries(options.funcs ?? {})) {
      this.funcs.set(name, def(fn, 0, Infinity));
    }
    const parser = new Parser(this.source, lex(this.source), new Set([...BUILTIN_NAMES, ...this.funcs.keys()]));
    this.root = parser.parseTop();
    this.defines = parser.defines;
  }

  /** Render against `data`. Extra functions override this template's for this call only. */
  execute(data: unknown, funcs?: Record<string, TemplateFunc>): string {
    let table = this.funcs;
    if (funcs) {
      table = new Map(this.funcs);
      for (const [name, fn] of Object.entries(funcs)) table.set(name, def(fn, 0, Infinity));
    }
    const state = new State(this, table, data);
    try {
      state.walk(data, this.root);
    } catch (e) {
      if (e instanceof BreakSignal || e instanceof ContinueSignal) throw new TemplateError('template: break or continue outside range');
      throw e;
    }
    return state.result();
  }
}

/**
 * Compile a Go text/template (docker --format syntax) into a render function.
 * Throws TemplateError on a parse error; the render function throws
 * TemplateError on an execution error.
 */
export function compileTemplate(src: string, options: TemplateOptions = {}): (data: unknown) => string {
  const t = new Template(src, options);
  return (data: unknown) => t.execute(data);
}

/** `--format json` (docker: the bare word json, surrounding spaces ignored). */
export function isJsonFormat(src: string): boolean {
  return src.trim() === 'json';
}

/**
 * docker's Format preprocessing (cli/command/formatter Context.preFormat):
 * a leading `table` marks table output and is removed, surrounding spaces are
 * trimmed, and the two-character sequences `\t` and `\n` become a tab and a
 * newline.
 */
export function parseFormat(src: string): { table: boolean; template: string } {
  const table = src.startsWith('table');
  let t = table ? src.slice('table'.length) : src;
  t = t.replace(/^ +| +$/g, '');
  t = t.replace(/\\t|\\n/g, (m) => (m === '\\t' ? '\t' : '\n'));
  return { table, template: t };
}
