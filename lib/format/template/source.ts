/** The template text with its name, for Go-shaped error positions. */
import { TemplateError } from './errors.js';

export class Source {
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
