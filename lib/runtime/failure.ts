/**
 * Tells a runtime failure from the container's own exit status. Both crun
 * and runc exit 1 when they cannot start the process; their JSON log
 * (--log-format json) says why, and docker's 126/127 rule is applied to it.
 */
import { promises as fs } from 'node:fs';
import { ContainerCommandError, SystemError, type ToteError } from '../errors/index.js';

/** The last error-level message in a runtime's JSON log, if any. */
export async function lastRuntimeError(logFile: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await fs.readFile(logFile, 'utf8');
  } catch {
    return undefined;
  }
  let last: string | undefined;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const entry = JSON.parse(line) as { level?: string; msg?: string };
      if (entry.level === 'error' && entry.msg) last = entry.msg;
    } catch {
      // crun writes one JSON object per line without a newline at the end,
      // and may concatenate them: fall back to a regex scan.
      for (const m of line.matchAll(/"msg":"((?:[^"\\]|\\.)*)","level":"error"/g)) last = JSON.parse(`"${m[1]}"`) as string;
    }
  }
  return last;
}

/** `command` is the executable the container was to run, named in the message as docker does. */
export function classifyRuntimeError(runtimeName: string, message: string, command?: string): ToteError {
  const m = message.toLowerCase();
  const named = command && !message.includes(command) ? `${command}: ` : '';
  const text = `${runtimeName}: ${named}${message}`;
  if (/no such file or directory|executable file not found|not found in \$path/.test(m)) {
    return new ContainerCommandError(`${text}: OCI runtime attempted to invoke a command that was not found`, 127);
  }
  if (/permission denied|operation not permitted|is a directory|exec format error|not a directory/.test(m)) {
    return new ContainerCommandError(`${text}: OCI permission denied`, 126);
  }
  return new SystemError('E_RUNTIME', text, { hint: 'run with --log-level=debug for details' });
}
