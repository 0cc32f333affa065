import { describe, expect, test } from '@jest/globals';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ContainerRecord, ImageRecord } from '../storage/index.js';
import { compilePsFilters, directorySize, dockerState, parsePsFilters, selectContainers, type FilterContext } from './filter.js';
import { parsePruneFilters, pruneCandidates } from './prune.js';
import { CONTAINER_NAME_RE } from './rename.js';

const hex = (c: string) => c.repeat(64);

function ctr(id: string, name: string, created: string, over: Partial<ContainerRecord> = {}): ContainerRecord {
  return {
    id: hex(id),
    name,
    image: 'busybox',
    imageId: hex('b'),
    created,
    status: 'running',
    labels: {},
    driver: 'overlay',
    runtime: 'runc',
    spec: {
      entrypoint: [],
      cmd: ['sleep', '100'],
      env: [],
      workingDir: '/',
      user: '',
      hostname: name,
      tty: false,
      interactive: false,
      readOnly: false,
      autoRemove: false,
      mounts: [],
    },
    ...over,
  };
}

const image = (id: string, names: string[], layers: string[]): ImageRecord => ({
  id: hex(id),
  manifestDigest: 'sha256:' + hex('0'),
  names,
  layers,
  size: 100,
  created: '2024-01-01T00:00:00Z',
  stored: '2024-01-01T00:00:00Z',
});

// Newest first, as allContainers returns them.
const list: ContainerRecord[] = [
  ctr('5', 'web', '2024-01-05T00:00:00Z', { labels: { app: 'web', tier: 'front' }, imageId: hex('d') }),
  ctr('4', 'created_one', '2024-01-04T00:00:00Z', { status: 'created' }),
  ctr('3', 'failed', '2024-01-03T00:00:00Z', { status: 'exited', exitCode: 3, startedAt: '2024-01-03T00:00:01Z' }),
  ctr('2', 'ok', '2024-01-02T00:00:00Z', { status: 'exited', exitCode: 0, startedAt: '2024-01-02T00:00:01Z', labels: { app: 'db' } }),
  ctr('1', 'old_web', '2024-01-01T00:00:00Z', { status: 'paused', labels: { app: 'web' } }),
];
const images = [image('b', ['docker.io/library/busybox:latest'], ['l1']), image('d', ['docker.io/library/derived:1'], ['l1', 'l2'])];
const ctx: FilterContext = { containers: list, images };

const names = (flags: string[], opts: { all?: boolean; last?: number; latest?: boolean } = { all: true }) =>
  selectContainers(list, parsePsFilters(flags), ctx, opts).map((c) => c.name);

describe('parsePsFilters', () => {
  test('groups values by key', () => {
    expect([...parsePsFilters(['name=a', 'name=b', 'status=exited'])]).toEqual([
      ['name', ['a', 'b']],
      ['status', ['exited']],
    ]);
  });
  test('unknown key is a usage error worded as docker', () => {
    expect(() => parsePsFilters(['foo=bar'])).toThrow("invalid filter 'foo'");
    expect(() => parsePsFilters(['foo=bar'])).toThrow(expect.objectContaining({ code: 'E_USAGE', exitCode: 125 }));
  });
  test('bad status, bad exit code, missing "="', () => {
    expect(() => parsePsFilters(['status=sleeping'])).toThrow("invalid filter 'status=sleeping'");
    expect(() => parsePsFilters(['exited=zero'])).toThrow("invalid filter 'exited=zero'");
    expect(() => parsePsFilters(['name'])).toThrow(/expected name=value/);
  });
  test("docker's keys tote cannot evaluate say so", () => {
    expect(() => parsePsFilters(['health=healthy'])).toThrow(/not supported/);
  });
});

describe('ps filters', () => {
  test('no filter: running and paused unless --all', () => {
    expect(names([], {})).toEqual(['web', 'old_web']);
    expect(names([])).toEqual(['web', 'created_one', 'failed', 'ok', 'old_web']);
  });
  test('id is a prefix', () => {
    expect(names(['id=333'])).toEqual(['failed']);
    expect(names(['id=' + hex('3')])).toEqual(['failed']);
    expect(names(['id=33x'])).toEqual([]);
  });
  test('name is a regular expression, with or without the leading slash', () => {
    expect(names(['name=web'])).toEqual(['web', 'old_web']);
    expect(names(['name=^web$'])).toEqual(['web']);
    expect(names(['name=^/web$'])).toEqual(['web']);
    expect(names(['name=d_'])).toEqual(['created_one', 'old_web']);
    expect(names(['name=[bad'])).toEqual([]);
  });
  test('same key ORs, different keys AND', () => {
    expect(names(['name=^ok$', 'name=^failed$'])).toEqual(['failed', 'ok']);
    expect(names(['name=web', 'status=paused'])).toEqual(['old_web']);
  });
  test('label=key and label=key=value; several labels must all match', () => {
    expect(names(['label=app'])).toEqual(['web', 'ok', 'old_web']);
    expect(names(['label=app=web'])).toEqual(['web', 'old_web']);
    expect(names(['label=app=web', 'label=tier'])).toEqual(['web']);
    expect(names(['label=app='])).toEqual([]);
  });
  test('status implies --all and uses docker state names', () => {
    expect(names(['status=exited'], {})).toEqual(['failed', 'ok']);
    expect(names(['status=created'], {})).toEqual(['created_one']);
    expect(names(['status=running', 'status=paused'], {})).toEqual(['web', 'old_web']);
    expect(names(['status=dead'], {})).toEqual([]);
    expect(dockerState({ ...list[0], status: 'stopping' })).toBe('running');
  });
  test('exited=N: stopped containers that ran and exited with N (not created ones)', () => {
    expect(names(['exited=0'])).toEqual(['ok']);
    expect(names(['exited=3', 'exited=0'])).toEqual(['failed', 'ok']);
    expect(names(['exited=0'], {})).toEqual([]); // like docker, exited= alone does not imply -a
  });
  test('ancestor: by name, name:tag, id prefix; images built on it count', () => {
    expect(names(['ancestor=derived:1'])).toEqual(['web']);
    expect(names(['ancestor=busybox'])).toEqual(['web', 'created_one', 'failed', 'ok', 'old_web']);
    expect(names(['ancestor=busybox:latest', 'status=exited'])).toEqual(['failed', 'ok']);
    expect(names(['ancestor=' + 'd'.repeat(12)])).toEqual(['web']);
    expect(names(['ancestor=nosuch'])).toEqual([]);
  });
  test('before and since, by name or id', () => {
    expect(names(['before=failed'])).toEqual(['ok', 'old_web']);
    expect(names(['since=failed'])).toEqual(['web', 'created_one']);
    expect(names(['since=' + '2'.repeat(10), 'before=web'])).toEqual(['created_one', 'failed']);
    expect(() => names(['before=ghost'])).toThrow(expect.objectContaining({ code: 'E_NO_SUCH_CONTAINER' }));
  });
  test('-n and -l count containers that pass the filters, in any state', () => {
    expect(names([], { last: 2 })).toEqual(['web', 'created_one']);
    expect(names(['label=app'], { last: 2 })).toEqual(['web', 'ok']);
    expect(names(['status=exited'], { latest: true })).toEqual(['failed']);
    expect(names([], { last: 0 })).toEqual(['web', 'old_web']);
  });
  test('volume matches a mount by volume name or destination', () => {
    const withVol = ctr('6', 'vol', '2024-01-06T00:00:00Z', {
      spec: { ...list[0].spec, mounts: [{ type: 'volume', name: 'data', source: '/x/data/_data', destination: '/data', readOnly: false }] },
    });
    const match = compilePsFilters(parsePsFilters(['volume=data']), ctx);
    expect(match(withVol)).toBe(true);
    expect(compilePsFilters(parsePsFilters(['volume=/data']), ctx)(withVol)).toBe(true);
    expect(match(list[0])).toBe(false);
  });
});

describe('directorySize', () => {
  test("docker's rule: files and symlinks, not directories, hard links once", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tote-size-'));
    try {
      await fs.mkdir(path.join(dir, 'a/b'), { recursive: true });
      await fs.writeFile(path.join(dir, 'a/b/f'), 'x'.repeat(1000));
      await fs.link(path.join(dir, 'a/b/f'), path.join(dir, 'hard'));
      await fs.writeFile(path.join(dir, 'empty'), '');
      await fs.symlink('a/b/f', path.join(dir, 'link')); // 5 bytes: the target text
      expect(await directorySize(dir)).toBe(1005);
      expect(await directorySize(path.join(dir, 'missing'))).toBe(0);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('container prune selection', () => {
  test('every stopped container (created and exited), never running or paused', () => {
    expect(pruneCandidates(list, parsePruneFilters([])).map((c) => c.name)).toEqual(['created_one', 'failed', 'ok']);
  });
  test('label, label!= and until filters', () => {
    expect(pruneCandidates(list, parsePruneFilters(['label=app'])).map((c) => c.name)).toEqual(['ok']);
    expect(pruneCandidates(list, parsePruneFilters(['label!=app'])).map((c) => c.name)).toEqual(['created_one', 'failed']);
    expect(pruneCandidates(list, parsePruneFilters(['until=2024-01-03T00:00:00Z'])).map((c) => c.name)).toEqual(['failed', 'ok']);
    expect(pruneCandidates(list, parsePruneFilters(['until=1h'])).map((c) => c.name)).toEqual(['created_one', 'failed', 'ok']);
  });
  test('bad filters are usage errors', () => {
    expect(() => parsePruneFilters(['status=exited'])).toThrow("invalid filter 'status'");
    expect(() => parsePruneFilters(['until=yesterday'])).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
  });
});

describe('container names', () => {
  test("docker's pattern: two characters at least, no leading punctuation", () => {
    for (const ok of ['ab', 'web-1', 'a.b_c', '0x']) expect(CONTAINER_NAME_RE.test(ok)).toBe(true);
    for (const bad of ['a', '-ab', '_ab', 'a b', 'a/b', 'é1', '']) expect(CONTAINER_NAME_RE.test(bad)).toBe(false);
  });
});
