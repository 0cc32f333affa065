/** docker-compatible output formatting: --format templates, tables, units. */
export {
  compileTemplate,
  parseFormat,
  isJsonFormat,
  isTrue,
  goJson,
  Template,
  TemplateError,
  HeaderRow,
  HEADER_FUNCS,
  type TemplateFunc,
  type TemplateOptions,
} from './template/index.js';
export { renderTable, renderFormatted, tabwrite, type TabwriterOptions, type RenderOptions } from './table.js';
export { humanDuration, timeAgo, humanSize, bytesSize, fromHumanSize, ramInBytes } from './time.js';
export { sprintf, sprint, sprintln, formatValue as goFormatValue } from './gofmt.js';
export { formatFloat } from './gofloat.js';
