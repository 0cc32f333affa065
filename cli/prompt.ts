/** Interactive confirmation, as docker's prune commands ask it. */
import { createInterface } from 'node:readline';

/** One line from stdin ('' at end of input: a closed or empty stdin answers no). */
export function readAnswer(): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin });
    let done = false;
    const finish = (s: string) => {
      if (done) return;
      done = true;
      rl.close();
      resolve(s);
    };
    rl.once('line', finish);
    rl.once('close', () => finish(''));
  });
}

/** Prints `question` (without a newline) and reads y/yes. */
export async function confirm(question: string): Promise<boolean> {
  process.stdout.write(question);
  return /^y(es)?$/i.test((await readAnswer()).trim());
}
