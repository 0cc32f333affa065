/**
 * Dockerfile → instructions, as docker's parser reads it: parser directives
 * (`# escape=`, `# syntax=`) at the top, comments, blank lines, line
 * continuations with the escape character (comment lines inside a
 * continuation are dropped), and heredocs (`RUN <<EOF … EOF`).
 */
import { ToteError } from '../errors/index.js';

export const KEYWORDS = [
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
] as const;
export type Keyword = (typeof KEYWORDS)[number];

export interface Heredoc {
  name: string;
  body: string;
  /** `<<-`: leading tabs stripped from the body. */
  chomp: boolean;
  /** `<<"EOF"` / `<<'EOF'`: no expansion in the body. */
  quoted: boolean;
}

export interface Instruction {
  keyword: Keyword;
  /** Flags before the arguments (`--from=x` → from: 'x'; `--link` → ''). */
  flags: Record<string, string>;
  /** The text after the keyword and flags. */
  args: string;
  /** 1-based line of the instruction. */
  line: number;
  /** The instruction as written (continuations joined), for `Step N/M :`. */
  original: string;
  heredocs: Heredoc[];
}

export interface ParsedDockerfile {
  escape: string;
  syntax?: string;
  instructions: Instruction[];
}

export class DockerfileSyntaxError extends ToteError {
  constructor(file: string, line: number, message: string) {
    super('E_DOCKERFILE_SYNTAX', `${file}:${line}: ${message}`, { hint: 'fix the Dockerfile at that line' });
    this.name = 'DockerfileSyntaxError';
  }
}

const FLAG_INSTRUCTIONS = new Set<Keyword>(['FROM', 'RUN', 'COPY', 'ADD', 'HEALTHCHECK']);
const HEREDOC_INSTRUCTIONS = new Set<Keyword>(['RUN', 'COPY', 'ADD']);
const HEREDOC_RE = /<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/g;

/** Leading `--name[=value]` words. */
export function splitFlags(text: string): { flags: Record<string, string>; rest: string } {
  const flags: Record<string, string> = {};
  let rest = text.trimStart();
  for (;;) {
    const m = /^--([A-Za-z][A-Za-z0-9-]*)(?:=(\S*))?(?:\s+|$)/.exec(rest);
    if (!m) break;
    flags[m[1]] = m[2] ?? '';
    rest = rest.slice(m[0].length);
  }
  return { flags, rest: rest.trim() };
}

export function parseDockerfile(text: string, file = 'Dockerfile'): ParsedDockerfile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let escape = '\\';
  let syntax: string | undefined;
  let i = 0;
  // Parser directives: only at the very top, before any comment, blank line or instruction.
  const seen = new Set<string>();
  for (; i < lines.length; i++) {
    const m = /^\s*#\s*([A-Za-z]+)\s*=\s*(.*?)\s*$/.exec(lines[i]);
    if (!m) break;
    const key = m[1].toLowerCase();
    if (key !== 'escape' && key !== 'syntax') break;
    if (seen.has(key)) throw new DockerfileSyntaxError(file, i + 1, `only one ${key} parser directive can be used`);
    seen.add(key);
    if (key === 'escape') {
      if (m[2] !== '\\' && m[2] !== '`') throw new DockerfileSyntaxError(file, i + 1, `invalid escape token '${m[2]}' does not match ` + '` or \\');
      escape = m[2];
    } else syntax = m[2];
  }
  const instructions: Instruction[] = [];
  const isComment = (l: string) => /^\s*#/.test(l);
  const continues = (l: string) => {
    const t = l.replace(/\s+$/, '');
    return t.endsWith(escape) && !t.endsWith(escape + escape) ? t.slice(0, -1) : undefined;
  };
  while (i < lines.length) {
    const first = lines[i];
    if (first.trim() === '' || isComment(first)) {
      i++;
      continue;
    }
    const startLine = i + 1;
    let logical = '';
    let cur: string | undefined = first;
    i++;
    for (;;) {
      const cont: string | undefined = continues(cur!);
      if (cont === undefined) {
        logical += cur;
        break;
      }
      logical += cont;
      // Comment and empty lines inside a continuation are skipped.
      while (i < lines.length && (isComment(lines[i]) || lines[i].trim() === '')) i++;
      if (i >= lines.length) break;
      cur = lines[i++];
    }
    const m = /^\s*(\S+)\s*([\s\S]*)$/.exec(logical);
    if (!m) continue;
    const word = m[1].toUpperCase();
    if (!(KEYWORDS as readonly string[]).includes(word)) {
      throw new DockerfileSyntaxError(file, startLine, `unknown instruction: ${m[1].toUpperCase()}`);
    }
    const keyword = word as Keyword;
    const argsText = m[2].trim();
    const { flags, rest } = FLAG_INSTRUCTIONS.has(keyword) ? splitFlags(argsText) : { flags: {}, rest: argsText };
    const heredocs: Heredoc[] = [];
    if (HEREDOC_INSTRUCTIONS.has(keyword) && !rest.startsWith('[')) {
      for (const h of rest.matchAll(HEREDOC_RE)) {
        const chomp = h[1] === '-';
        const name = h[3];
        const body: string[] = [];
        let closed = false;
        while (i < lines.length) {
          const l = lines[i++];
          if ((chomp ? l.replace(/^\t+/, '') : l) === name) {
            closed = true;
            break;
          }
          body.push(chomp ? l.replace(/^\t+/, '') : l);
        }
        if (!closed) throw new DockerfileSyntaxError(file, startLine, `unterminated heredoc ${name}`);
        heredocs.push({ name, body: body.join('\n') + '\n', chomp, quoted: h[2] !== '' });
      }
    }
    if (rest === '') {
      throw new DockerfileSyntaxError(file, startLine, `${keyword} requires at least one argument`);
    }
    instructions.push({ keyword, flags, args: rest, line: startLine, original: `${keyword} ${argsText}`.trim(), heredocs });
  }
  if (instructions.length === 0) throw new DockerfileSyntaxError(file, 1, 'the Dockerfile cannot be empty');
  if (instructions[0].keyword !== 'FROM' && instructions.some((x) => x.keyword === 'FROM')) {
    const bad = instructions.find((x, n) => x.keyword !== 'ARG' && n < instructions.findIndex((y) => y.keyword === 'FROM'));
    if (bad) throw new DockerfileSyntaxError(file, bad.line, `no build stage in current context: ${bad.keyword} must come after FROM (only ARG may come before it)`);
  }
  if (!instructions.some((x) => x.keyword === 'FROM')) throw new DockerfileSyntaxError(file, instructions[0].line, 'no build stage in current context: the Dockerfile needs a FROM');
  return { escape, syntax, instructions };
}

/** Parses one instruction's text (ONBUILD triggers). */
export function parseInstruction(text: string, file: string, line: number): Instruction {
  const lines = text.split('\n');
  const parsed = parseDockerfile(['FROM scratch', ...lines].join('\n'), file);
  const ins = parsed.instructions[1];
  if (!ins) throw new DockerfileSyntaxError(file, line, `empty instruction "${text}"`);
  return { ...ins, line };
}
