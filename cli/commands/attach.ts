/** `tote attach CONTAINER`: connect the terminal to a running container. */
import type { CommandModule } from 'yargs';
import { makeContext, type GlobalArgs } from '../context.js';
import { setExitCode } from '../exit.js';

interface AttachArgs extends GlobalArgs {
  container: string;
  detachKeys?: string;
  noStdin?: boolean;
  sigProxy?: boolean;
}

export const attachCommand: CommandModule<GlobalArgs, AttachArgs> = {
  command: 'attach <container>',
  describe: "Attach to a running container's input and output",
  builder: (y) =>
    y
      .positional('container', { type: 'string', demandOption: true, describe: 'Container name or id' })
      .option('detach-keys', { type: 'string', describe: 'Key sequence for detaching (default "ctrl-p,ctrl-q")' })
      .option('no-stdin', { type: 'boolean', describe: 'Do not attach STDIN' })
      .option('sig-proxy', { type: 'boolean', default: true, describe: 'Proxy received signals to the container (non-TTY mode)' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const [lib, { ToteError }] = await Promise.all([import('../../lib/container/index.js'), import('../../lib/errors/index.js')]);
    const record = await lib.refreshStatus(ctx.config, await lib.findContainer(ctx.config, args.container));
    if (record.status !== 'running') {
      throw new ToteError('E_CONTAINER_STATE', `you cannot attach to a stopped container, start it first`);
    }
    const { terminalIo } = await import('../terminal.js');
    const interactive = record.spec.interactive && !args.noStdin;
    const term = terminalIo({ tty: record.spec.tty, interactive, sigProxy: args.sigProxy ?? true, detachKeys: lib.parseDetachKeys(args.detachKeys ?? 'ctrl-p,ctrl-q') });
    const onSignal = (sig: NodeJS.Signals) => {
      if (!record.spec.tty && (args.sigProxy ?? true) && record.pid) {
        try {
          process.kill(record.pid, sig);
        } catch {
          // Gone.
        }
      }
    };
    const sigs: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const s of sigs) process.on(s, onSignal);
    try {
      const result = await lib.attach(lib.volatilePaths(ctx.config, record.id).attach, {
        stdin: interactive ? term.io.stdin : undefined,
        stdout: process.stdout,
        stderr: process.stderr,
        detachKeys: term.io.detachKeys,
        size: record.spec.tty ? term.io.size : undefined,
        onResize: record.spec.tty ? term.io.onResize : undefined,
      });
      if (result.kind === 'exited') setExitCode(result.exitCode);
    } finally {
      for (const s of sigs) process.off(s, onSignal);
      term.restore();
    }
  },
};
