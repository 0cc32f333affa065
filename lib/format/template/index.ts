/**
 * An interpreter for the subset of Go's text/template that docker's
 * `--format` flag accepts, with docker's extra functions (json, join, split,
 * title, lower, upper, pad, truncate).
 *
 * Supported: text and actions with trim markers (`{{- -}}`), comments,
 * fields and field chains (`.A.B`, `$x.A`, `(pipe).A`), `.` and `$`,
 * variable declaration/assignment, pipelines, parenthesized pipelines,
 * if / else if / else, range (arrays, objects in sorted key order, integers)
 * with else, break and continue, with / else with, define / template / block,
 * string (interpreted and raw), char, number, bool and nil literals.
 *
 * Values are plain JS values (see gofmt.ts for how they map onto Go kinds).
 * A property that holds a function is a method: it is called (with `this`
 * bound to its object) with the command's arguments, so a row object may
 * expose `Label(key)` for docker's `{{.Label "com.example"}}`.
 * A missing key prints `<no value>` (Go's default missingkey behaviour).
 */
export { compileTemplate, Template, type TemplateOptions } from './template.js';
export { TemplateError } from './errors.js';
export { type TemplateFunc } from './builtins.js';
export { HEADER_FUNCS, HeaderRow } from './header.js';
export { isTrue } from './values.js';
export { goJson } from './text.js';
export { isJsonFormat, parseFormat } from './format-flag.js';
