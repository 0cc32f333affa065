/**
 * Output post-processing of the caller's terminal. Node's raw mode keeps
 * ONLCR, so the container's "\r\n" would reach the screen as "\r\r\n";
 * docker's raw mode (cfmakeraw) turns output processing off too. Node has
 * no termios call for that, so stty does it on the terminal on stdin.
 */
import { spawnSync } from 'node:child_process';

export function setOutputProcessing(enabled: boolean): void {
  spawnSync('stty', [enabled ? 'opost' : '-opost'], { stdio: ['inherit', 'ignore', 'ignore'] });
}
