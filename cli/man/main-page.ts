/** tote(1): the overview, global options, every command and noun form, files, environment, exit codes. */
import { globalKeys, header, pageName, sameDefinition, seeAlso } from './common.js';
import type { Tree } from './model.js';
import { optionEntries, sentence } from './notation.js';
import { bold, esc, italic, ref, Roff } from './roff.js';

export function mainPage(tree: Tree, version: string): string {
  const r = new Roff();
  header(r, 'tote', version);
  r.sh('NAME');
  r.raw('tote \\- daemonless, rootless containers in the style of podman');

  r.sh('SYNOPSIS');
  r.raw(`${bold('tote')} [${italic('global options')}] ${italic('COMMAND')} [${italic('options')}] [${italic('ARG')}...]`);
  r.raw('.br');
  r.raw(`${bold('tote')} [${italic('global options')}] ${italic('NOUN')} ${italic('COMMAND')} [${italic('options')}] [${italic('ARG')}...]`);

  r.sh('DESCRIPTION');
  r.raw(`${bold('tote')} runs OCI containers without a daemon and without root privileges, with a command line in the style of ${ref('podman')}.`);
  r.raw('There is no daemon: each command does its work in the calling process. Images and containers are kept in per-user storage,');
  r.raw('and a user namespace built from the ranges in /etc/subuid and /etc/subgid gives containers many uids and gids.');
  r.pp();
  r.raw(`Most commands also have a noun form: ${bold('tote image ls')} is ${bold('tote images')}, ${bold('tote container run')} is ${bold('tote run')}.`);
  r.raw(`Each command is described in its own page, named after it: ${ref('tote-run')}, ${ref('tote-image-ls')}.`);
  r.raw(`${bold('tote')} ${italic('COMMAND')} ${bold('--help')} prints the same information.`);

  r.sh('GLOBAL OPTIONS');
  optionEntries(r, tree.top.options, false);

  r.sh('COMMANDS');
  for (const c of tree.commands) r.tp(ref(pageName(c.path)), esc(sentence(c.help.describe)));

  r.sh('NOUN FORMS');
  r.raw('The same commands grouped by the object they act on, as in podman:');
  for (const n of tree.nouns) r.tp(ref(pageName([n.noun])), esc(sentence(n.describe)));
  for (const n of tree.nouns) {
    for (const v of n.verbs) {
      const twins = tree.commands.filter((c) => sameDefinition(c, v));
      const body = [esc(sentence(v.help.describe))];
      if (twins.length) body.push('.br', `Same as ${twins.map((t) => bold(['tote', ...t.path].join(' '))).join(', ')}.`);
      r.tp(ref(pageName(v.path)), ...body);
    }
  }

  r.sh('FILES');
  r.tp(
    italic('~/.local/share/tote'),
    `Image and container storage: ${italic('$XDG_DATA_HOME/tote')} when XDG_DATA_HOME is set, ${italic('/var/lib/tote')} for root.`,
    `Change it with ${bold('--root')} or TOTE_ROOT.`,
  );
  r.tp(
    italic('$XDG_RUNTIME_DIR/tote'),
    `Runtime state of running containers: ${italic('/tmp/tote-UID')} when XDG_RUNTIME_DIR is unset or not writable, ${italic('/run/tote')} for root.`,
    `Change it with ${bold('--runroot')} or TOTE_RUNROOT.`,
  );
  r.tp(`${italic('/etc/subuid')}, ${italic('/etc/subgid')}`, 'The subordinate uid and gid ranges of each user, mapped into rootless containers; see subuid(5).');

  r.sh('ENVIRONMENT');
  // lib/config reads TOTE_<OPTION> as the default of these global options.
  const globals = globalKeys(tree);
  for (const key of ['root', 'runroot', 'runtime', 'storage-driver']) {
    if (globals.has(key)) r.tp(bold(`TOTE_${key.toUpperCase().replace(/-/g, '_')}`), `Default for ${bold(`--${key}`)}.`);
  }
  r.tp(bold('XDG_DATA_HOME'), 'Parent of the default storage directory (default: ~/.local/share).');
  r.tp(bold('XDG_RUNTIME_DIR'), 'Parent of the default state directory.');
  r.tp(bold('TOTE_CGROUP_ROOT'), 'Rootless: the cgroup subtree delegated to you, where containers get their cgroups (default: /tote-UID on cgroup v1, the systemd user manager\'s subtree on v2).');
  r.tp(bold('TOTE_CGROUP_STRICT'), 'Set to 1: a resource limit this host cannot enforce is an error instead of a warning.');

  r.sh('EXIT STATUS');
  r.tp(bold('125'), 'The error is with tote itself: bad flags or arguments, a missing image or container, a storage or runtime failure.');
  r.tp(bold('126'), "The container's command cannot be invoked (for example, it is not executable).");
  r.tp(bold('127'), "The container's command cannot be found.");
  r.tp(italic('otherwise'), `For ${bold('tote run')}, the exit code of the container's command; 0 on success for other commands.`);

  seeAlso(r, ['podman(1)', 'newuidmap(1)', 'newgidmap(1)', 'subuid(5)', 'subgid(5)', 'user_namespaces(7)']);
  return r.toString();
}
