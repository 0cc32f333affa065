/**
 * Table headers: the same template rendered against a HeaderRow, with the
 * functions that would transform a value passing the header through.
 */
import type { TemplateFunc } from './builtins.js';

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
