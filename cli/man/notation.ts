/** How commands, arguments and options are written in the pages (man(7) conventions). */
import type { OptionDoc } from './model.js';
import { bold, esc, italic, type Roff } from './roff.js';

/** yargs descriptions are fragments; man pages want sentences. */
export function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** A positional as man(7) writes it: `image` → *IMAGE*, `command..` → *COMMAND*..., `a|b` → *A*. */
export function placeholder(name: string): string {
  const variadic = name.endsWith('..');
  const base = name.replace(/\.\.$/, '').split('|')[0];
  return italic(base.toUpperCase()) + (variadic ? '...' : '');
}

/** `tote run [options] <image> [command..]` → **tote run** [*options*] *IMAGE* [*COMMAND*...] */
export function synopsis(usage: string, path: string[], words = path): string {
  const tokens = usage.trim().split(/\s+/).slice(1 + path.length);
  if (!tokens.includes('[options]')) tokens.unshift('[options]');
  const rest = tokens.map((tok) => {
    const required = /^<([^>]+)>$/.exec(tok);
    if (required) return placeholder(required[1]);
    const optional = /^\[([^\]]+)\]$/.exec(tok);
    if (optional) return optional[1] === 'options' ? `[${italic('options')}]` : `[${placeholder(optional[1])}]`;
    return esc(tok);
  });
  return [bold(['tote', ...words].join(' ')), ...rest].join(' ');
}

/** `--env=value`, `--log-level=debug|info`, or just the switches for a flag that takes no value. */
export function optionTag(o: OptionDoc): string {
  const names = o.switches.map(bold).join(', ');
  if (o.type === 'boolean' || o.type === 'count') return names;
  const value = o.choices ? o.choices.map((c) => italic(String(c))).join('|') : italic(o.type === 'number' ? 'number' : 'value');
  return `${names}=${value}`;
}

/** One tagged paragraph per option or positional: tag, description, then yargs' extras (`[string] [default: …]`). */
export function optionEntries(r: Roff, options: OptionDoc[], positional: boolean): void {
  for (const o of options) {
    const tag = positional ? placeholder(o.key + (o.type === 'array' ? '..' : '')) : optionTag(o);
    const body = [esc(o.describe)];
    if (o.extras) body.push('.br', esc(o.extras));
    r.tp(tag, ...body);
  }
}
