/**
 * The parser: tokens to a tree of nodes, with Go's checks made at parse time
 * (unknown functions, undefined variables, break/continue outside range) and
 * Go's error messages. `define` and `block` bodies are collected in `defines`.
 */
import type { ArgNode, BranchNode, CommandNode, Node, PipeNode } from './ast.js';
import type { TemplateError } from './errors.js';
import { describeToken, type Token, type TokKind } from './lexer.js';
import type { Source } from './source.js';

/** One parse of one token stream; `parseTop` is called once. */
export class Parser {
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
