/**
 * tote's global options, as one table: yargs reads it (cli/parser.ts) and so
 * does the hand-written parser of the normal path (cli/quick-parse.ts).
 */
import type { Options } from 'yargs';

export const GLOBAL_OPTIONS: Record<string, Options> = {
  'log-level': { type: 'string', choices: ['debug', 'info', 'warn', 'error'], default: 'warn', describe: 'Log messages at and above this level', global: true },
  root: { type: 'string', describe: 'Path to the storage root directory', global: true },
  runroot: { type: 'string', describe: 'Path to the state directory', global: true },
  runtime: { type: 'string', describe: 'OCI runtime to use (crun, runc, or a path)', global: true },
  'storage-driver': { type: 'string', choices: ['overlay', 'fuse-overlayfs', 'vfs'], describe: 'Storage driver for container root filesystems (default: probed)', global: true },
};
