/** `tote login [-u USER] [-p PASS | --password-stdin] [--get-login] [SERVER]`, `tote logout [--all] [SERVER]` */
import type { CommandModule } from 'yargs';
import { UsageError } from '../../lib/errors/index.js';
import { makeContext, type GlobalArgs } from '../context.js';
import { err, out } from '../output.js';

interface LoginArgs extends GlobalArgs {
  server?: string;
  username?: string;
  password?: string;
  passwordStdin?: boolean;
  getLogin?: boolean;
  tlsVerify?: boolean;
  authfile?: string;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function prompt(question: string, hidden: boolean): Promise<string> {
  if (!process.stdin.isTTY) throw new UsageError('cannot prompt for credentials: standard input is not a terminal', 'use -u USER with -p PASSWORD or --password-stdin');
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  if (hidden) {
    // Echo nothing while the password is typed.
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
      if (s.startsWith(question)) process.stderr.write(question);
    };
  }
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    rl.close();
    if (hidden) process.stderr.write('\n');
  }
}

export const loginCommand: CommandModule<GlobalArgs, LoginArgs> = {
  command: 'login [server]',
  describe: 'Log in to a registry',
  builder: (y) =>
    y
      .positional('server', { type: 'string', describe: 'Registry (default docker.io)' })
      .option('username', { alias: 'u', type: 'string', describe: 'Username' })
      .option('password', { alias: 'p', type: 'string', describe: 'Password' })
      .option('password-stdin', { type: 'boolean', describe: 'Take the password from standard input' })
      .option('get-login', { type: 'boolean', describe: 'Print the user name stored for the registry' })
      .option('tls-verify', { type: 'boolean', describe: 'Require HTTPS and verify certificates (default true)' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const reg = await import('../../lib/registry/index.js');
    const server = reg.normalizeAuthKey(args.server ?? 'docker.io');
    if (args.getLogin) {
      const user = await reg.storedLogin(ctx.config, server);
      if (!user) throw new (await import('../../lib/errors/index.js')).ToteError('E_NOT_LOGGED_IN', `not logged into ${server}`, { hint: `tote login ${server}` });
      out(user);
      return;
    }
    if (args.password !== undefined && args.passwordStdin) throw new UsageError('--password and --password-stdin are mutually exclusive');
    let username = args.username;
    let password = args.password;
    if (args.passwordStdin) {
      if (!username) throw new UsageError('--password-stdin needs --username');
      password = await readStdin();
    }
    if (password !== undefined && args.password !== undefined) err('WARNING! Using --password via the CLI is insecure. Use --password-stdin.');
    if (!username) username = await prompt('Username: ', false);
    if (password === undefined) password = await prompt('Password: ', true);
    if (!username) throw new UsageError('username is empty');
    const creds = { username, password };
    await reg.verifyLogin(ctx.config, server, creds, { tlsVerify: args.tlsVerify, reporter: ctx.reporter });
    await reg.storeCredentials(ctx.config, server, creds);
    out('Login Succeeded!');
  },
};

interface LogoutArgs extends GlobalArgs {
  server?: string;
  all?: boolean;
}

export const logoutCommand: CommandModule<GlobalArgs, LogoutArgs> = {
  command: 'logout [server]',
  describe: 'Log out of a registry',
  builder: (y) =>
    y
      .positional('server', { type: 'string', describe: 'Registry (default docker.io)' })
      .option('all', { alias: 'a', type: 'boolean', describe: 'Remove the credentials of every registry' }) as never,
  handler: async (args) => {
    const ctx = makeContext(args);
    const reg = await import('../../lib/registry/index.js');
    if (args.all) {
      await reg.removeCredentials(ctx.config, undefined);
      out('Removed login credentials for all registries');
      return;
    }
    const server = reg.normalizeAuthKey(args.server ?? 'docker.io');
    const removed = await reg.removeCredentials(ctx.config, server);
    if (!removed) {
      const { ToteError } = await import('../../lib/errors/index.js');
      throw new ToteError('E_NOT_LOGGED_IN', `not logged into ${server}`);
    }
    out(`Removing login credentials for ${server}`);
  },
};
