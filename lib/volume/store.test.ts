import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type ToteConfig } from '../config/index.js';
import type { ContainerRecord, MountSpec } from '../storage/index.js';
import { inspectView, matchVolume, parseFilters, LS_FILTERS } from './ops.js';
import { findImageDirectory } from './populate.js';
import {
  ANONYMOUS_LABEL,
  createVolume,
  getVolume,
  listVolumes,
  loadVolume,
  mountVolumeName,
  treeSize,
  volumeDataDir,
  volumeUsers,
} from './store.js';

let base: string;
let config: ToteConfig;

beforeAll(async () => {
  base = await fs.mkdtemp(path.join(os.tmpdir(), 'tote-volume-test-'));
  config = { ...loadConfig(), dataDir: path.join(base, 'data') };
});

afterAll(async () => {
  await fs.rm(base, { recursive: true, force: true });
});

describe('metadata store', () => {
  test('create writes metadata and the _data directory', async () => {
    const v = await createVolume(config, { name: 'data', labels: { a: 'b' } });
    expect(v).toMatchObject({ name: 'data', driver: 'local', labels: { a: 'b' }, options: {}, anonymous: false });
    expect((await fs.stat(volumeDataDir(config, 'data'))).isDirectory()).toBe(true);
    const meta = JSON.parse(await fs.readFile(path.join(config.dataDir, 'volumes', 'data', 'volume.json'), 'utf8'));
    expect(meta).toEqual(v);
    expect(await loadVolume(config, 'data')).toEqual(v);
  });

  test('create is idempotent for an existing name', async () => {
    const first = await getVolume(config, 'data');
    const again = await createVolume(config, { name: 'data', labels: { other: 'x' } });
    expect(again).toEqual(first);
  });

  test('a random 64-hex name when none is given; anonymous ones carry docker’s label', async () => {
    const v = await createVolume(config, { anonymous: true });
    expect(v.name).toMatch(/^[0-9a-f]{64}$/);
    expect(v.labels).toEqual({ [ANONYMOUS_LABEL]: '' });
    expect(v.anonymous).toBe(true);
  });

  test('bad names, drivers and options are refused', async () => {
    await expect(createVolume(config, { name: '-x' })).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(createVolume(config, { name: 'a/b' })).rejects.toThrow(/invalid characters/);
    await expect(createVolume(config, { name: 'n', driver: 'nfs' })).rejects.toMatchObject({ code: 'E_VOLUME_DRIVER' });
    await expect(createVolume(config, { name: 'n', options: { bogus: '1' } })).rejects.toThrow('invalid option key: "bogus"');
  });

  test('list is sorted by name and skips leftovers of removals', async () => {
    await createVolume(config, { name: 'Alpha' });
    await fs.mkdir(path.join(config.dataDir, 'volumes', '.removing-zzz-1234', '_data'), { recursive: true });
    const names = (await listVolumes(config)).map((v) => v.name);
    expect(names.filter((n) => !/^[0-9a-f]{64}$/.test(n))).toEqual(['Alpha', 'data']);
  });

  test('a data directory without metadata (older tote) still is a volume', async () => {
    await fs.mkdir(volumeDataDir(config, 'legacy'), { recursive: true });
    expect(await loadVolume(config, 'legacy')).toMatchObject({ name: 'legacy', driver: 'local', anonymous: false });
    await expect(getVolume(config, 'nope')).rejects.toMatchObject({ code: 'E_NO_SUCH_VOLUME' });
  });

  test('inspect view has docker’s keys', async () => {
    const view = inspectView(config, await getVolume(config, 'data'));
    expect(Object.keys(view)).toEqual(['CreatedAt', 'Driver', 'Labels', 'Mountpoint', 'Name', 'Options', 'Scope']);
    expect(view).toMatchObject({ Driver: 'local', Labels: { a: 'b' }, Mountpoint: volumeDataDir(config, 'data'), Name: 'data', Scope: 'local' });
    expect(view.CreatedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });
});

describe('usage and filters', () => {
  const mount = (m: Partial<MountSpec>): MountSpec => ({ type: 'volume', source: '', destination: '/d', readOnly: false, ...m });
  const container = (id: string, mounts: MountSpec[]) => ({ id, spec: { mounts } }) as unknown as ContainerRecord;

  test('containers use volumes by name or by data path', () => {
    expect(mountVolumeName(config, mount({ name: 'x' }))).toBe('x');
    expect(mountVolumeName(config, mount({ source: volumeDataDir(config, 'data') }))).toBe('data');
    expect(mountVolumeName(config, mount({ type: 'bind', source: '/srv' }))).toBeUndefined();
    const users = volumeUsers(config, [
      container('c1', [mount({ name: 'data' })]),
      container('c2', [mount({ source: volumeDataDir(config, 'data') }), mount({ name: 'other' })]),
    ]);
    expect(users.get('data')).toEqual(['c1', 'c2']);
    expect(users.get('other')).toEqual(['c2']);
  });

  test('ls filters: name substring, label, dangling, driver', async () => {
    const v = await getVolume(config, 'data');
    const f = (...flags: string[]) => parseFilters(flags, LS_FILTERS);
    expect(matchVolume(v, false, f('name=at'))).toBe(true);
    expect(matchVolume(v, false, f('name=zz'))).toBe(false);
    expect(matchVolume(v, false, f('name=zz', 'name=da'))).toBe(true);
    expect(matchVolume(v, false, f('label=a'))).toBe(true);
    expect(matchVolume(v, false, f('label=a=b'))).toBe(true);
    expect(matchVolume(v, false, f('label=a=c'))).toBe(false);
    expect(matchVolume(v, false, f('dangling=true'))).toBe(true);
    expect(matchVolume(v, true, f('dangling=true'))).toBe(false);
    expect(matchVolume(v, true, f('dangling=false', 'driver=local'))).toBe(true);
    expect(() => f('bogus=1')).toThrow("invalid filter 'bogus'");
    expect(() => f('dangling')).toThrow(/bad format of filter/);
  });

  test('treeSize counts file sizes once per inode', async () => {
    const d = path.join(base, 'sized');
    await fs.mkdir(path.join(d, 'sub'), { recursive: true });
    await fs.writeFile(path.join(d, 'a'), 'x'.repeat(100));
    await fs.writeFile(path.join(d, 'sub', 'b'), 'y'.repeat(23));
    await fs.link(path.join(d, 'a'), path.join(d, 'sub', 'a-link'));
    expect(await treeSize(d)).toBe(123);
  });
});

describe('finding a path in image layers', () => {
  let top: string;
  let bottom: string;
  beforeAll(async () => {
    bottom = path.join(base, 'layers', 'bottom');
    top = path.join(base, 'layers', 'top');
    for (const d of ['etc', 'var/lib/app', 'data', 'real/dir', 'file-then-dir']) await fs.mkdir(path.join(bottom, d), { recursive: true });
    for (const d of ['etc', 'var']) await fs.mkdir(path.join(top, d), { recursive: true });
    await fs.writeFile(path.join(bottom, 'etc', 'passwd'), 'root\n');
    await fs.writeFile(path.join(top, 'etc', 'group'), 'root\n');
    await fs.symlink('/real/dir', path.join(top, 'abs-link'));
    await fs.symlink('../real/dir', path.join(top, 'var', 'rel-link'));
    await fs.symlink('/etc/../../../../real', path.join(top, 'escape'));
    await fs.symlink('/etc/passwd', path.join(top, 'to-file'));
    await fs.writeFile(path.join(top, 'data'), 'now a file\n');
  });

  test('a directory in several layers: every layer that has it, top first', async () => {
    expect(await findImageDirectory([top, bottom], '/etc')).toEqual({ path: '/etc', layers: [top, bottom] });
    expect(await findImageDirectory([top, bottom], '/var/lib/app/')).toEqual({ path: '/var/lib/app', layers: [bottom] });
  });

  test('symlinks resolve inside the image, never on the host', async () => {
    expect(await findImageDirectory([top, bottom], '/abs-link')).toEqual({ path: '/real/dir', layers: [bottom] });
    expect(await findImageDirectory([top, bottom], '/var/rel-link')).toEqual({ path: '/real/dir', layers: [bottom] });
    expect(await findImageDirectory([top, bottom], '/escape')).toEqual({ path: '/real', layers: [bottom] });
    expect(await findImageDirectory([top, bottom], '/to-file')).toBeUndefined();
  });

  test('a file in an upper layer hides a lower directory; missing paths give nothing', async () => {
    expect(await findImageDirectory([top, bottom], '/data')).toBeUndefined();
    expect(await findImageDirectory([top, bottom], '/nope')).toBeUndefined();
    expect(await findImageDirectory([top, bottom], '/etc/passwd')).toBeUndefined();
  });
});
