/** docker's handling of the --format value before any template is parsed. */

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
