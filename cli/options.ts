/** Helpers over yargs option tables, shared by commands and the argv splitter. */
import type { Options } from 'yargs';

function namesOf(name: string, o: Options): string[] {
  const alias = o.alias === undefined ? [] : Array.isArray(o.alias) ? o.alias : [o.alias];
  return [name, ...alias];
}

/** Every long name and alias. */
export function optionNames(table: Record<string, Options>): string[] {
  return Object.entries(table).flatMap(([n, o]) => namesOf(n, o));
}

/** Names and aliases of the options that take a value (everything but booleans). */
export function valueOptionNames(table: Record<string, Options>): string[] {
  return Object.entries(table)
    .filter(([, o]) => o.type !== 'boolean')
    .flatMap(([n, o]) => namesOf(n, o));
}
