/** Minimal roff (man(7) macro package) writing helpers. */

/** Escapes text for a roff text line: backslashes, hyphens, non-ASCII, leading control characters. */
export function esc(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\e';
    else if (ch === '-') out += '\\-';
    else if (cp > 0x7e) out += `\\[u${cp.toString(16).toUpperCase().padStart(4, '0')}]`;
    else out += ch;
  }
  return out.replace(/^([.'])/gm, '\\&$1');
}

export const bold = (text: string): string => `\\fB\\%${esc(text)}\\fR`;
export const italic = (text: string): string => `\\fI${esc(text)}\\fR`;

/** A man page reference: `tote-run(1)` with the name in bold. */
export const ref = (name: string, section = 1): string => `${bold(name)}(${section})`;

/** Quotes a macro argument. */
export function arg(text: string): string {
  return `"${esc(text).replace(/"/g, '\\(dq')}"`;
}

/** Collects lines of a page. */
export class Roff {
  private readonly lines: string[] = [];

  /** A raw line (already escaped). */
  raw(line: string): this {
    this.lines.push(line);
    return this;
  }

  th(title: string, section: number, source: string, manual: string): this {
    return this.raw(`.TH ${arg(title.toUpperCase())} ${section} "" ${arg(source)} ${arg(manual)}`);
  }

  sh(heading: string): this {
    return this.raw(`.SH ${arg(heading)}`);
  }

  pp(): this {
    return this.raw('.PP');
  }

  /** A tagged paragraph: `tag` is raw (escaped) roff, `body` lines likewise. */
  tp(tag: string, ...body: string[]): this {
    this.raw('.TP').raw(tag);
    for (const b of body) this.raw(b);
    return this;
  }

  toString(): string {
    return this.lines.join('\n') + '\n';
  }
}
