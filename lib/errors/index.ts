/**
 * Typed errors with stable codes. lib/ throws these; the CLI entry point is
 * the one place that turns them into "Error: …" lines and exit codes.
 * Codes are never reused: tests match on `code`, not on message text.
 */

/** docker's exit-code table (podman libpod/define/exec_codes.go). */
export const ExitCode = {
  /** tote itself failed. */
  Tote: 125,
  /** The container command exists but cannot be invoked (EACCES, a directory). */
  CannotInvoke: 126,
  /** The container command was not found (ENOENT). */
  NotFound: 127,
} as const;

export interface ToteErrorOptions {
  hint?: string;
  cause?: unknown;
  exitCode?: number;
}

export class ToteError extends Error {
  readonly code: string;
  readonly hint?: string;
  readonly exitCode: number;

  constructor(code: string, message: string, options: ToteErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ToteError';
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCode.Tote;
  }
}

/** Bad flags or arguments: always exit 125, like docker's CLI. */
export class UsageError extends ToteError {
  constructor(message: string, hint?: string) {
    super('E_USAGE', message, { hint });
    this.name = 'UsageError';
  }
}

export class NoSuchImageError extends ToteError {
  constructor(ref: string) {
    super('E_NO_SUCH_IMAGE', `${ref}: no such image`, {
      hint: 'list local images with `tote images`, or import one with `tote import`',
    });
    this.name = 'NoSuchImageError';
  }
}

export class NoSuchContainerError extends ToteError {
  constructor(ref: string) {
    super('E_NO_SUCH_CONTAINER', `no container with name or ID "${ref}" found: no such container`, {
      hint: 'list containers with `tote ps -a`',
    });
    this.name = 'NoSuchContainerError';
  }
}

/** The container's command could not be started (126) or found (127). */
export class ContainerCommandError extends ToteError {
  constructor(message: string, exitCode: 126 | 127) {
    super(exitCode === 127 ? 'E_CMD_NOT_FOUND' : 'E_CMD_CANNOT_INVOKE', message, { exitCode });
    this.name = 'ContainerCommandError';
  }
}

/** Wraps a system call or child-process failure with context. */
export class SystemError extends ToteError {
  constructor(code: string, message: string, options: ToteErrorOptions = {}) {
    super(code, message, options);
    this.name = 'SystemError';
  }
}

export function isToteError(e: unknown): e is ToteError {
  return e instanceof ToteError;
}

/** Node's errno-style errors carry `code`; this narrows them. */
export function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}
