/**
 * `--change` for import/commit: a Dockerfile instruction applied to the image
 * config (CMD, ENTRYPOINT, ENV, WORKDIR, USER, EXPOSE, LABEL, VOLUME,
 * STOPSIGNAL, ONBUILD), as docker import accepts.
 */
import { split as shellSplit } from 'shlex';
import { UsageError } from '../errors/index.js';
import type { ImageRuntimeConfig } from './types.js';

/** Exec form (`["a","b"]`) or shell form (`a b` → `/bin/sh -c "a b"`). */
export function parseCommandForm(text: string, shell: string[] = ['/bin/sh', '-c']): string[] {
  const t = text.trim();
  if (t.startsWith('[')) {
    try {
      const v: unknown = JSON.parse(t);
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    } catch {
      // Not JSON after all: docker then treats it as the shell form.
    }
  }
  return [...shell, t];
}

/** `K=V K2="v 2"` or the legacy `K V with spaces` form. */
export function parseKeyValues(text: string, instruction: string): Array<[string, string]> {
  const t = text.trim();
  const firstWord = t.split(/\s+/, 1)[0] ?? '';
  if (!firstWord.includes('=')) {
    const rest = t.slice(firstWord.length).trim();
    if (!firstWord || !rest) throw new UsageError(`${instruction} requires at least one argument: "${text}"`);
    return [[firstWord, rest]];
  }
  let words: string[];
  try {
    words = shellSplit(t);
  } catch (e) {
    throw new UsageError(`${instruction}: ${(e as Error).message}: "${text}"`);
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    if (eq <= 0) throw new UsageError(`${instruction} names must be KEY=VALUE: "${w}"`);
    return [w.slice(0, eq), w.slice(eq + 1)];
  });
}

export function setEnv(env: string[] | undefined, key: string, value: string): string[] {
  const out = (env ?? []).filter((e) => e.split('=', 1)[0] !== key);
  out.push(`${key}=${value}`);
  return out;
}

export function applyChange(config: ImageRuntimeConfig, change: string): ImageRuntimeConfig {
  const m = /^\s*(\w+)\s*(.*)$/s.exec(change);
  if (!m) throw new UsageError(`invalid --change "${change}"`);
  const instruction = m[1].toUpperCase();
  const args = m[2];
  const out: ImageRuntimeConfig = { ...config };
  switch (instruction) {
    case 'CMD':
      out.Cmd = parseCommandForm(args);
      break;
    case 'ENTRYPOINT':
      out.Entrypoint = parseCommandForm(args);
      break;
    case 'ENV':
      for (const [k, v] of parseKeyValues(args, 'ENV')) out.Env = setEnv(out.Env, k, v);
      break;
    case 'LABEL':
      out.Labels = { ...(out.Labels ?? {}) };
      for (const [k, v] of parseKeyValues(args, 'LABEL')) out.Labels[k] = v;
      break;
    case 'WORKDIR':
      out.WorkingDir = args.trim();
      break;
    case 'USER':
      out.User = args.trim();
      break;
    case 'STOPSIGNAL':
      out.StopSignal = args.trim();
      break;
    case 'EXPOSE':
      out.ExposedPorts = { ...(out.ExposedPorts ?? {}) };
      for (const p of args.trim().split(/\s+/).filter(Boolean)) {
        if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/i.test(p)) throw new UsageError(`invalid port "${p}" in EXPOSE`);
        out.ExposedPorts[p.includes('/') ? p.toLowerCase() : `${p}/tcp`] = {};
      }
      break;
    case 'VOLUME': {
      out.Volumes = { ...(out.Volumes ?? {}) };
      const list = args.trim().startsWith('[') ? parseCommandForm(args, []) : args.trim().split(/\s+/);
      for (const v of list.filter(Boolean)) out.Volumes[v] = {};
      break;
    }
    case 'ONBUILD':
      out.OnBuild = [...(out.OnBuild ?? []), args.trim()];
      break;
    default:
      throw new UsageError(
        `invalid --change "${change}": ${instruction} is not supported`,
        'supported: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR',
      );
  }
  return out;
}
