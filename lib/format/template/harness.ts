/**
 * Shared by the template tests: a docker-like container row, and helpers
 * that render a template or return the TemplateError message it throws.
 */
import { expect } from '@jest/globals';
import { compileTemplate, TemplateError } from './index.js';

const labels: Record<string, string> = { 'com.x': 'y', k: 'v' };
export const row = {
  ID: 'abc123def456',
  Names: ['web', 'db'],
  Name: 'foo',
  State: 'running',
  Size: 0,
  Mounts: [{ Source: '/a' }, { Source: '/b' }],
  Labels: labels,
  Config: { Env: ['A=1', 'B=2'], Tty: false },
  Label(key: string): string {
    return labels[key] ?? '';
  },
};

export function run(src: string, data: unknown = row): string {
  return compileTemplate(src)(data);
}

/** The message of the TemplateError that parsing or rendering `src` throws. */
export function err(src: string, data: unknown = row): string {
  try {
    run(src, data);
  } catch (e) {
    expect(e).toBeInstanceOf(TemplateError);
    return (e as Error).message;
  }
  throw new Error(`no error for ${src}`);
}
