/** The parse tree: what the parser builds and the executor walks. */

export interface NodeBase {
  pos: number;
  /** Source text, for error messages. */
  src: string;
}
export interface TextNode extends NodeBase {
  type: 'text';
  text: string;
}
export interface FieldNode extends NodeBase {
  type: 'field';
  idents: string[];
}
export interface VariableNode extends NodeBase {
  type: 'variable';
  name: string;
  idents: string[];
}
export interface ChainNode extends NodeBase {
  type: 'chain';
  node: ArgNode;
  idents: string[];
}
export interface IdentNode extends NodeBase {
  type: 'ident';
  name: string;
}
export interface DotNode extends NodeBase {
  type: 'dot';
}
export interface NilNode extends NodeBase {
  type: 'nil';
}
export interface LiteralNode extends NodeBase {
  type: 'literal';
  value: string | number | boolean;
}
export interface CommandNode extends NodeBase {
  type: 'command';
  args: ArgNode[];
}
export interface PipeNode extends NodeBase {
  type: 'pipe';
  decl: string[];
  isAssign: boolean;
  cmds: CommandNode[];
}
export type ArgNode = FieldNode | VariableNode | ChainNode | IdentNode | DotNode | NilNode | LiteralNode | PipeNode;

export interface ActionNode extends NodeBase {
  type: 'action';
  pipe: PipeNode;
}
export interface BranchNode extends NodeBase {
  type: 'if' | 'range' | 'with';
  pipe: PipeNode;
  list: Node[];
  elseList?: Node[];
}
export interface BreakNode extends NodeBase {
  type: 'break' | 'continue';
}
export interface TemplateNode extends NodeBase {
  type: 'template';
  name: string;
  pipe?: PipeNode;
}
export type Node = TextNode | ActionNode | BranchNode | BreakNode | TemplateNode;
