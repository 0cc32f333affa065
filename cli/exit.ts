/** Handlers report the exit code here; the entry point is the only one that exits. */
let code = 0;

export function setExitCode(n: number): void {
  code = n;
}

export function exitCode(): number {
  return code;
}
