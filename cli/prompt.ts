/**
 * Interactive confirmation, as docker's prune commands ask it. node:readline
 * is loaded when a question is asked (~10–30 ms): this module is part of the
 * command tree that every less frequent command loads.
 */

/** One line from stdin ('' at end of input: a closed or empty stdin answers no). */
export async function readAnswer(): Promise<string> {
  const { createInterface } = await import('node:readline');
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
