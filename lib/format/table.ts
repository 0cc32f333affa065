/**
 * docker's table output: Go's text/tabwriter as docker configures it
 * (`tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)`: minwidth 10, padding 3,
 * pad with spaces), plus `--format` rendering (table / template / json).
 */
import { goJson, HEADER_FUNCS, HeaderRow, isJsonFormat, parseFormat, Template } from './template/index.js';

export interface TabwriterOptions {
  /** Minimal cell width including padding (docker: 10). */
  minwidth?: number;
  /** Padding added to the widest cell of a column (docker: 3). */
  padding?: number;
  /** Padding character (docker: ' '). */
  padchar?: string;
}

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * Go's text/tabwriter over complete text: `\t` terminates a cell, `\n` a
 * line. A column block is a run of consecutive lines that have a
 * tab-terminated cell in that column; its width is the widest cell plus
 * padding (at least minwidth). The last cell of a line is not part of any
 * column and is never padded.
 */
export function tabwrite(text: string, options: TabwriterOptions = {}): string {
  const minwidth = options.minwidth ?? 10;
  const padding = options.padding ?? 3;
  const padchar = options.padchar ?? ' ';
  const lines = text.split('\n').map((l) => {
    const cells = l.split('\t');
    return { cells, widths: cells.map(runeCount) };
  });
  const out: string[] = [];
  const widths: number[] = [];

  const writeLines = (line0: number, line1: number): void => {
    for (let i = line0; i < line1; i++) {
      const { cells, widths: cw } = lines[i];
      let s = '';
      for (let j = 0; j < cells.length; j++) {
        s += cells[j];
        if (j < widths.length) s += padchar.repeat(Math.max(widths[j] - cw[j], 0));
      }
      out.push(s);
    }
  };

  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let t = line0; t < line1; t++) {
      if (column >= lines[t].cells.length - 1) continue;
      // A cell exists in this column: a block starts here.
      writeLines(line0, t);
      line0 = t;
      let width = minwidth;
      for (; t < line1; t++) {
        const line = lines[t];
        if (column >= line.cells.length - 1) break;
        const w = line.widths[column] + padding;
        if (w > width) width = w;
      }
      widths.push(width);
      format(line0, t);
      widths.pop();
      line0 = t; // line t has no cell in this column: skipping it is fine
    }
    writeLines(line0, line1);
  };

  format(0, lines.length);
  return out.join('\n');
}

/**
 * Render a header row and data rows as docker's aligned table, ending with a
 * newline.
 */
export function renderTable(headers: string[], rows: string[][], options?: TabwriterOptions): string {
  const text = [headers, ...rows].map((r) => r.join('\t')).join('\n') + '\n';
  return tabwrite(text, options);
}

export interface RenderOptions {
  /** The template used for a bare `table` format (default: every headerNames key, tab-separated). */
  defaultTemplate?: string;
}

/**
 * Render rows for a `--format` value the way docker's formatter does:
 *  - `json`: one compact JSON object per row;
 *  - `table <template>`: a header row (each field replaced by its column
 *    name from `headerNames`, e.g. {ID: 'CONTAINER ID'}), then one row per
 *    item, `\t`-separated columns aligned by the tabwriter;
 *  - any other template: one line per row.
 * Literal `\t` and `\n` in the format become tab and newline, as in docker.
 * Throws TemplateError for a bad template.
 */
export function renderFormatted(
  format: string,
  rows: object[],
  headerNames: Record<string, string>,
  options: RenderOptions = {},
): string {
  if (isJsonFormat(format)) return rows.map((r) => goJson(r) + '\n').join('');
  const parsed = parseFormat(format);
  let src = parsed.template;
  const table = parsed.table || src === '';
  if (src === '') src = options.defaultTemplate ?? Object.keys(headerNames).map((k) => `{{.${k}}}`).join('\t');
  const tmpl = new Template(src);
  let body = '';
  for (const row of rows) body += tmpl.execute(row) + '\n';
  if (!table) return body;
  let header: string;
  try {
    header = tmpl.execute(new HeaderRow(headerNames), HEADER_FUNCS);
  } catch {
    header = ''; // docker ignores errors rendering the header
  }
  return tabwrite(header + '\n' + body);
}
