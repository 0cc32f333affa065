/**
 * Shell completion (the generated bash script, driven the way bash drives
 * it) and the docker alias: `system df`, `system prune`, daemon flags.
 */
import { describe, test, expect, beforeAll } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { makeEnv, show, lines, CLI } from './harness.js';

const e = makeEnv();

beforeAll(async () => {
  await e.importBusybox('busybox');
});

async function ok(args: string[], input?: string): Promise<string> {
  const r = await e.tote(args, { input });
  expect({ args, code: r.code, out: show(r) }).toMatchObject({ code: 0 });
  return r.stdout;
}

describe('completion', () => {
  let script = '';
  let bin = '';
  beforeAll(async () => {
    script = path.join(e.dir, 'tote.bash');
    writeFileSync(script, await ok(['completion', 'bash']));
    // The script calls `tote`: this one, on this test's store.
    bin = path.join(e.dir, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'tote'), `#!/bin/sh\nexec ${process.execPath} ${CLI} ${e.globalArgs.join(' ')} "$@"\n`);
    chmodSync(path.join(bin, 'tote'), 0o755);
    await ok(['create', '--name', 'web', 'busybox', 'true']);
    await ok(['volume', 'create', 'data']);
  });

  /** What bash would offer for the command line `words` (the last word is being completed). */
  function complete(...words: string[]): string[] {
    const program = `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _tote; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = spawnSync('bash', ['--norc', '-c', program], { encoding: 'utf8', cwd: e.dir, env: { ...e.env, PATH: `${bin}:${e.env.PATH}` } });
    expect(r.stderr).toBe('');
    return lines(r.stdout).filter(Boolean).sort();
  }

  test('the scripts are valid for their shells', async () => {
    expect(spawnSync('bash', ['-n', script]).status).toBe(0);
    const zsh = await ok(['completion', 'zsh']);
    expect(zsh.split('\n')[0]).toBe('#compdef tote');
    expect(zsh).toContain('bashcompinit');
    const fish = await ok(['completion', 'fish']);
    expect(fish).toContain("complete -c tote -n 'test -z (__tote_path)' -a run -d 'Run a command in a new container'");
    expect(fish).toContain("complete -c tote -n '__tote_is container' -a ls");
    expect(fish).toContain("complete -c tote -n '__tote_is run' -l sdnotify -x -a 'conmon container ignore'");
    expect(fish).toContain("complete -c tote -n '__tote_is rm' -a '(__tote_names containers)'");
    const bad = await e.tote(['completion', 'tcsh']);
    expect(bad.code).toBe(125);
  });

  test('commands, noun verbs and global flags', () => {
    expect(complete('tote', 'ru')).toEqual(['run']);
    expect(complete('tote', 'sy')).toEqual(['system']);
    expect(complete('tote', 'system', '')).toEqual(['df', 'info', 'prune']);
    expect(complete('tote', 'container', 'st')).toEqual(['start', 'stats', 'stop']);
    expect(complete('tote', '--root', '/x', 'gen')).toEqual(['generate']);
    expect(complete('tote', '--log-level', 'd')).toEqual(['debug']);
    expect(complete('tote', '--run')).toEqual(['--runroot', '--runtime']);
  });

  test('flags of the command being typed, and their choices', () => {
    expect(complete('tote', 'run', '--sd')).toEqual(['--sdnotify']);
    expect(complete('tote', 'run', '--sdnotify', '')).toEqual(['conmon', 'container', 'ignore']);
    expect(complete('tote', 'generate', 'systemd', '--re')).toEqual(['--restart-policy', '--restart-sec']);
    expect(complete('tote', 'image', 'ls', '--q')).toEqual(['--quiet']);
  });

  test('container, image and volume names from the store', () => {
    expect(complete('tote', 'rm', '')).toEqual(['web']);
    expect(complete('tote', 'container', 'start', 'w')).toEqual(['web']);
    expect(complete('tote', 'run', '--name', 'x', 'bu')).toEqual(['busybox:latest']);
    expect(complete('tote', 'rmi', '')).toEqual(['busybox:latest']);
    expect(complete('tote', 'volume', 'rm', '')).toEqual(['data']);
    // After run's IMAGE comes the container's command: no more image names.
    expect(complete('tote', 'run', 'busybox', 'bu')).not.toContain('busybox:latest');
  });
});

describe('docker alias', () => {
  test('daemon flags fail with a clear message; --context default is accepted', async () => {
    for (const args of [['-H', 'tcp://1.2.3.4:2375', 'ps'], ['--host=unix:///var/run/docker.sock', 'ps'], ['--tlsverify', 'ps']]) {
      const r = await e.tote(args);
      expect({ args, code: r.code }).toEqual({ args, code: 125 });
      expect(r.stderr).toMatch(/^Error: (-H|--host|--tlsverify) is a docker daemon flag: tote has no daemon/);
    }
    const ctx = await e.tote(['--context', 'remote', 'ps']);
    expect(ctx.code).toBe(125);
    expect(ctx.stderr).toContain('Error: --context remote: tote has no contexts');
    const short = await e.tote(['-c', 'remote', 'ps']);
    expect(short.code).toBe(125);
    expect(await ok(['--context', 'default', 'ps', '-a', '--format', '{{.Names}}'])).toContain('web');
    // -D is docker's debug switch.
    expect((await e.tote(['-D', 'version'])).code).toBe(0);
  });

  test('system df: the table docker prints', async () => {
    const out = lines(await ok(['system', 'df']));
    expect(out[0]).toMatch(/^TYPE +TOTAL +ACTIVE +SIZE +RECLAIMABLE$/);
    expect(out.map((l) => l.split(/ {2,}/)[0])).toEqual(['TYPE', 'Images', 'Containers', 'Local Volumes', 'Build Cache']);
    expect(out[1]).toMatch(/^Images +1 +1 +[\d.]+[kM]?B +0B \(0%\)$/);
    expect(out[2]).toMatch(/^Containers +1 +0 +/);
    expect(out[3]).toMatch(/^Local Volumes +1 +0 +/);
    expect(await ok(['system', 'df', '--format', '{{.Type}}={{.TotalCount}}'])).toBe('Images=1\nContainers=1\nLocal Volumes=1\nBuild Cache=0\n');
    const verbose = await ok(['system', 'df', '-v']);
    expect(verbose).toContain('Images space usage:');
    expect(verbose).toMatch(/\nbusybox +latest +[0-9a-f]{12} /);
    expect(verbose).toMatch(/\nVOLUME NAME +LINKS +SIZE\ndata +0 +/);
  });

  test('system prune: asks, then removes stopped containers and dangling images; -a and --volumes go further', async () => {
    const declined = await e.tote(['system', 'prune'], { input: 'n\n' });
    expect(declined.stdout).toContain('WARNING! This will remove:\n  - all stopped containers\n  - all dangling images\n');
    expect(await ok(['ps', '-a', '--format', '{{.Names}}'])).toContain('web');

    const pruned = await ok(['system', 'prune', '-f']);
    expect(pruned).toMatch(/^Deleted Containers:\n[0-9a-f]{64}\n/);
    expect(pruned).toMatch(/Total reclaimed space: /);
    expect(await ok(['ps', '-a', '-q'])).toBe('');
    // The image is named: only -a removes it. The volume stays without --volumes.
    expect(await ok(['images', '-q'])).not.toBe('');
    expect(await ok(['volume', 'ls', '-q'])).toBe('data\n');

    const all = await ok(['system', 'prune', '-a', '--volumes', '-f']);
    expect(all).toContain('Deleted Volumes:\ndata\n');
    expect(all).toMatch(/Deleted Images:\nuntagged: docker\.io\/library\/busybox:latest\ndeleted: sha256:[0-9a-f]{64}\n/);
    expect(await ok(['images', '-q'])).toBe('');
    expect(await ok(['volume', 'ls', '-q'])).toBe('');
  });
});
