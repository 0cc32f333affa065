/**
 * What the registry client makes of failures: which errors are worth a
 * retry, how long a Retry-After asks to wait, and the registry's own words
 * from an error body.
 */
import http from 'node:http';
import { ToteError } from '../errors/index.js';

const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_STREAM_PREMATURE_CLOSE', 'E_SHORT_READ']);
export const TLS_CODES = /CERT|SSL|EPROTO|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/;

export function isTransient(e: unknown): boolean {
  const code = (e as { code?: string })?.code;
  return (code !== undefined && TRANSIENT_CODES.has(code)) || /socket hang up|aborted/i.test(String((e as Error)?.message));
}

/**
 * Retry-After (RFC 9110 §10.2.3) in ms: delay-seconds or an HTTP date,
 * capped at 30 s so a registry cannot park us for hours; undefined when
 * absent or unreadable (then our own backoff applies).
 */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  const text = header?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, 30_000);
  // HTTP dates name a month; without one, Date.parse reads things like "-1" as a year.
  const at = /[a-z]{3}/i.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - now), 30_000);
}

export class RegistryError extends ToteError {
  readonly status: number;
  constructor(code: string, message: string, status: number, hint?: string) {
    super(code, message, { hint });
    this.name = 'RegistryError';
    this.status = status;
  }
}

/** The registry's own words from an error body (`{"errors":[{code,message}]}`). */
export function registryMessage(status: number, body: Buffer): string {
  try {
    const j = JSON.parse(body.toString('utf8')) as { errors?: Array<{ code?: string; message?: string }>; details?: string; error?: string };
    if (j.errors?.length) {
      return j.errors
        .map((e) => {
          const code = (e.code ?? '').toLowerCase().replace(/_/g, ' ');
          const msg = e.message ?? '';
          return code && msg && code !== msg ? `${code}: ${msg}` : msg || code;
        })
        .join('; ');
    }
    if (j.details || j.error) return String(j.details ?? j.error);
  } catch {
    // not JSON
  }
  const text = body.toString('utf8').trim().split('\n')[0]?.slice(0, 200);
  return text ? `${status} ${http.STATUS_CODES[status] ?? ''}: ${text}`.replace(/ :/, ':') : `${status} ${http.STATUS_CODES[status] ?? ''}`.trim();
}
