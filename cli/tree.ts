/**
 * The command tree: every command and its noun forms, the single source of
 * truth for the entry point's own parser (cli/quick-parse.ts), the yargs
 * parser built from it (cli/yargs-tree.ts) and the man page generator.
 * Loading it must not load yargs.
 */
import { runCommand } from './commands/run.js';
import { importCommand } from './commands/import.js';
import { imagesCommand } from './commands/images.js';
import { tagCommand } from './commands/tag.js';
import { rmiCommand } from './commands/rmi.js';
import { inspectCommand } from './commands/inspect.js';
import { psCommand } from './commands/ps.js';
import { rmCommand } from './commands/rm.js';
import { infoCommand } from './commands/info.js';
import { versionCommand } from './commands/version.js';
import { unshareCommand } from './commands/unshare.js';
import { cleanupCommand } from './commands/cleanup.js';
import { networkVerbs } from './commands/network.js';
import { imagePruneCommand } from './commands/image-prune.js';
import { pauseCommand, unpauseCommand } from './commands/pause.js';
import { cpCommand } from './commands/cp.js';
import { diffCommand } from './commands/diff.js';
import { exportCommand } from './commands/export.js';
import { commitCommand } from './commands/commit.js';
import { VOLUME_VERBS } from './commands/volume/index.js';
import { logsCommand } from './commands/logs.js';
import { createCommand } from './commands/create.js';
import { startCommand, stopCommand, killCommand, restartCommand, waitCommand } from './commands/lifecycle.js';
import { attachCommand } from './commands/attach.js';
import { execCommand } from './commands/exec.js';
import { topCommand } from './commands/top.js';
import { statsCommand } from './commands/stats.js';
import { updateCommand } from './commands/update.js';
import { renameCommand } from './commands/rename.js';
import { portCommand } from './commands/port.js';
import { containerPruneCommand } from './commands/prune.js';
import { buildCommand } from './commands/build.js';
import { historyCommand } from './commands/history.js';
import { pullCommand } from './commands/pull.js';
import { pushCommand } from './commands/push.js';
import { saveCommand } from './commands/save.js';
import { loadCommand } from './commands/load.js';
import { loginCommand, logoutCommand } from './commands/login.js';
import { generateSystemdCommand } from './commands/generate.js';
import { completionCommand } from './commands/completion.js';
import { dfCommand } from './commands/system/df.js';
import { systemPruneCommand } from './commands/system/prune.js';

export { renamed, type AnyCommand } from './command.js';
import { renamed, type AnyCommand } from './command.js';

export const TOP_LEVEL: AnyCommand[] = [
  runCommand,
  createCommand,
  startCommand,
  stopCommand,
  killCommand,
  restartCommand,
  waitCommand,
  attachCommand,
  execCommand,
  pauseCommand,
  unpauseCommand,
  importCommand,
  renamed(imagesCommand, 'images'),
  tagCommand,
  renamed(rmiCommand, 'rmi'),
  inspectCommand('all'),
  renamed(psCommand, 'ps'),
  renamed(rmCommand, 'rm'),
  renamed(logsCommand, 'logs'),
  infoCommand,
  versionCommand,
  unshareCommand,
  renamed(cpCommand, 'cp'),
  renamed(diffCommand, 'diff'),
  renamed(exportCommand, 'export'),
  renamed(commitCommand, 'commit'),
  topCommand,
  statsCommand,
  updateCommand,
  renameCommand,
  portCommand,
  pullCommand,
  pushCommand,
  saveCommand,
  loadCommand,
  loginCommand,
  logoutCommand,
  completionCommand,
  buildCommand,
  historyCommand,
];

export const NOUNS: Record<string, { describe: string; verbs: AnyCommand[] }> = {
  image: {
    describe: 'Manage images',
    verbs: [
      renamed(imagesCommand, 'ls', ['list']),
      renamed(importCommand, 'import'),
      renamed(tagCommand, 'tag'),
      renamed(rmiCommand, 'rm', ['remove']),
      inspectCommand('image'),
      buildCommand,
      historyCommand,
      pullCommand,
      pushCommand,
      saveCommand,
      loadCommand,
      imagePruneCommand,
    ],
  },
  container: {
    describe: 'Manage containers',
    verbs: [renamed(runCommand, 'run'), createCommand, startCommand, stopCommand, killCommand, restartCommand, waitCommand, attachCommand, execCommand, renamed(psCommand, 'ls', ['list', 'ps']), renamed(rmCommand, 'rm', ['remove']), inspectCommand('container'), cleanupCommand, renamed(logsCommand, 'logs')],
  },
  volume: { describe: 'Manage volumes', verbs: VOLUME_VERBS },
  network: { describe: 'Manage networks', verbs: networkVerbs },
  system: { describe: 'Manage tote', verbs: [renamed(infoCommand, 'info'), dfCommand, systemPruneCommand] },
  generate: { describe: 'Generate structured data (systemd units) for containers', verbs: [generateSystemdCommand] },
};
// cp, diff, export, commit under `tote container` too.
NOUNS.container!.verbs.push(renamed(cpCommand, 'cp'), renamed(diffCommand, 'diff'), renamed(exportCommand, 'export'), renamed(commitCommand, 'commit'));
NOUNS.container!.verbs.push(topCommand, renameCommand, containerPruneCommand, portCommand, pauseCommand, unpauseCommand, statsCommand, updateCommand);

export const KNOWN = new Set([...TOP_LEVEL.map((c) => String(c.command).split(' ')[0]), ...Object.keys(NOUNS), 'help', 'completion']);
