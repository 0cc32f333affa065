/** The two error kinds of the template engine. */
import { ToteError } from '../../errors/index.js';

/** A parse or execution error, with Go's message shape (`template: :1: …`). */
export class TemplateError extends ToteError {
  constructor(message: string) {
    super('E_TEMPLATE', message);
    this.name = 'TemplateError';
  }
}

/**
 * Thrown by template functions (builtins, methods) with just the cause; the
 * executor catches it and adds Go's position context (`executing "" at <…>`).
 */
export class FuncError extends Error {}
