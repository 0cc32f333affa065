/**
 * The executor: walks a parsed template against data and collects the
 * output, with Go's evaluation rules (fields, methods, pipelines with the
 * previous result as last argument, lazy and/or) and Go's execution errors.
 */
import type { ArgNode, BranchNode, CommandNode, IdentNode, Node, NodeBase, PipeNode, VariableNode } from './ast.js';
import { BUILTINS, type FuncDef, type TemplateFunc } from './builtins.js';
import { FuncError, TemplateError } from './errors.js';
import { formatValue, goKind, goTypeName, mapEntries } from '../gofmt.js';
import { HeaderRow } from './header.js';
import type { Source } from './source.js';
import { isStruct, isTrue, lookupProperty } from './values.js';

/** A pipeline's previous result, passed on as the next command's last argument (none for the first). */
const NO_FINAL: unique symbol = Symbol('no final');
type Final = unknown | typeof NO_FINAL;

/** Unwind the walk to the enclosing range. */
export class BreakSignal {}
export class ContinueSignal {}

/** What the executor needs of a parsed template. */
export interface Parsed {
  readonly source: Source;
  readonly defines: Map<string, Node[]>;
}

/** One binding on the variable stack; `$` is the bottom one (the data passed to execute). */
interface Variable {
  name: string;
  value: unknown;
}

const MAX_TEMPLATE_DEPTH = 1000;

/** One run of a template: the output so far, the variable stack and the template-call depth. */
export class Execution {
  private vars: Variable[];
  private out: string[] = [];
  private depth = 0;

  constructor(
    private readonly tmpl: Parsed,
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
        // Go allows 100000; a JavaScript stack overflows long before, so the
        // limit is lower: a recursive --format must fail as a template error.
        if (++this.depth > MAX_TEMPLATE_DEPTH) throw this.error(node, `exceeded maximum template depth (${MAX_TEMPLATE_DEPTH})`);
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
