/** A compiled template: parse once, execute against any number of rows. */
import { BUILTIN_NAMES, BUILTINS, def, type FuncDef, type TemplateFunc } from './builtins.js';
import type { Node } from './ast.js';
import { TemplateError } from './errors.js';
import { BreakSignal, ContinueSignal, Execution } from './exec.js';
import { lex } from './lexer.js';
import { Parser } from './parser.js';
import { Source } from './source.js';

export interface TemplateOptions {
  /** Extra or overriding functions, like Go's Template.Funcs. */
  funcs?: Record<string, TemplateFunc>;
  /** The template's name, used in error messages (docker uses ""). */
  name?: string;
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
    const state = new Execution(this, table, data);
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
