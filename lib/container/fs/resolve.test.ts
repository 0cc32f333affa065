/** Path resolution inside a container root: links, loops, `..`, absolute targets. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanContainerPath, hasTrailingSeparator, isContentsOnly, joinRoot, resolveInRoot } from './resolve.js';

let base: string;
let root: string;

beforeAll(async () => {
  base = await fs.mkdtemp(path.join(os.tmpdir(), 'tote-resolve-'));
  root = path.join(base, 'root');
  await fs.mkdir(path.join(root, 'etc/sub'), { recursive: true });
  await fs.writeFile(path.join(root, 'etc/passwd'), 'x');
  await fs.symlink('/etc', path.join(root, 'abs-etc'));
  await fs.symlink('/', path.join(root, 'rootlink'));
  await fs.symlink('../../../../../../..', path.join(root, 'etc/updots'));
  await fs.symlink('sub', path.join(root, 'etc/rel-sub'));
  await fs.symlink('loop-b', path.join(root, 'loop-a'));
  await fs.symlink('loop-a', path.join(root, 'loop-b'));
  await fs.symlink('self', path.join(root, 'self'));
  await fs.symlink(os.tmpdir(), path.join(root, 'hostlink'));
  await fs.symlink('/abs-etc/passwd', path.join(root, 'chain'));
});

afterAll(async () => {
  await fs.rm(base, { recursive: true, force: true });
});

describe('resolveInRoot', () => {
  test('plain paths, absolute or relative, start at the root', async () => {
    expect(await resolveInRoot(root, '/etc/passwd', false)).toBe('etc/passwd');
    expect(await resolveInRoot(root, 'etc/passwd', false)).toBe('etc/passwd');
    expect(await resolveInRoot(root, '/', true)).toBe('');
    expect(await resolveInRoot(root, '', true)).toBe('');
  });

  test('.. never climbs above the root', async () => {
    expect(await resolveInRoot(root, '/../../etc', true)).toBe('etc');
    expect(await resolveInRoot(root, '/etc/../../../..', true)).toBe('');
    expect(await resolveInRoot(root, 'etc/sub/../passwd', true)).toBe('etc/passwd');
  });

  test('absolute link targets are relative to the root', async () => {
    expect(await resolveInRoot(root, '/abs-etc/passwd', false)).toBe('etc/passwd');
    expect(await resolveInRoot(root, '/rootlink/etc', false)).toBe('etc');
    expect(await resolveInRoot(root, '/chain', true)).toBe('etc/passwd');
  });

  test('a link to a host path resolves inside the root', async () => {
    const tmpRel = os.tmpdir().replace(/^\/+/, '');
    expect(await resolveInRoot(root, '/hostlink/x', true)).toBe(`${tmpRel}/x`);
  });

  test('relative links climbing with .. stop at the root', async () => {
    expect(await resolveInRoot(root, '/etc/updots/etc/passwd', true)).toBe('etc/passwd');
    expect(await resolveInRoot(root, '/etc/updots', true)).toBe('');
    expect(await resolveInRoot(root, '/etc/rel-sub', true)).toBe('etc/sub');
  });

  test('the final link is kept unless followed or written with a trailing / or /.', async () => {
    expect(await resolveInRoot(root, '/rootlink', false)).toBe('rootlink');
    expect(await resolveInRoot(root, '/rootlink', true)).toBe('');
    expect(await resolveInRoot(root, '/abs-etc/', false)).toBe('etc');
    expect(await resolveInRoot(root, '/abs-etc/.', false)).toBe('etc');
  });

  test('symlink loops are an error, not a hang', async () => {
    await expect(resolveInRoot(root, '/loop-a', true)).rejects.toMatchObject({ code: 'E_CP_LOOP' });
    await expect(resolveInRoot(root, '/self/x', false)).rejects.toMatchObject({ code: 'E_CP_LOOP' });
    // Not followed: no loop.
    expect(await resolveInRoot(root, '/loop-a', false)).toBe('loop-a');
  });

  test('missing components are kept lexically', async () => {
    expect(await resolveInRoot(root, '/nope/a/../b', true)).toBe('nope/b');
    expect(await resolveInRoot(root, '/abs-etc/new/file', true)).toBe('etc/new/file');
    expect(await resolveInRoot(root, '/etc/passwd/below', true)).toBe('etc/passwd/below');
  });
});

describe('path helpers', () => {
  test('joinRoot keeps a trailing slash on the root itself', () => {
    expect(joinRoot('/proc/1/root', '')).toBe('/proc/1/root/');
    expect(joinRoot('/proc/1/root', 'etc')).toBe('/proc/1/root/etc');
    expect(joinRoot('/', 'etc')).toBe('/etc');
  });
  test('docker trailing-separator rules', () => {
    expect(cleanContainerPath('a/../b/')).toBe('/b');
    expect(hasTrailingSeparator('/etc/')).toBe(true);
    expect(hasTrailingSeparator('/etc/.')).toBe(true);
    expect(hasTrailingSeparator('/etc')).toBe(false);
    expect(isContentsOnly('/etc/.')).toBe(true);
    expect(isContentsOnly('/etc/')).toBe(false);
  });
});
