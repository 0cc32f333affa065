import { describe, expect, test } from '@jest/globals';
import { checkDuplicateDestinations, parseMountFlag, parseTmpfsFlag, parseVolumesFrom } from './mounts.js';
import { sortMounts } from './prepare.js';

describe('--mount', () => {
  test('type=bind with source/target and readonly', () => {
    expect(parseMountFlag('type=bind,source=/srv/data,target=/data,readonly')).toEqual({
      type: 'bind',
      source: '/srv/data',
      destination: '/data',
      readOnly: true,
    });
  });

  test('src/dst/destination/ro aliases, ro=false, relative source resolved against cwd', () => {
    expect(parseMountFlag('type=bind,src=sub/dir,dst=/x,ro=false', '/home/me')).toEqual({ type: 'bind', source: '/home/me/sub/dir', destination: '/x', readOnly: false });
    expect(parseMountFlag('type=bind,src=/a,destination=/y/,ro=1').destination).toBe('/y');
    expect(parseMountFlag('type=bind,src=/a,destination=/y,ro=1').readOnly).toBe(true);
  });

  test('type defaults to volume; no source is an anonymous volume', () => {
    expect(parseMountFlag('target=/data')).toEqual({ type: 'volume', source: '', destination: '/data', readOnly: false });
    expect(parseMountFlag('type=volume,source=data,target=/data,volume-nocopy')).toEqual({
      type: 'volume',
      source: 'data',
      destination: '/data',
      readOnly: false,
      noCopy: true,
    });
    expect(parseMountFlag('type=volume,src=v,dst=/d,volume-label=a=b,volume-opt=type=tmpfs')).toMatchObject({
      volumeLabels: { a: 'b' },
      volumeOptions: { type: 'tmpfs' },
    });
  });

  test('type=tmpfs with size and mode', () => {
    expect(parseMountFlag('type=tmpfs,target=/run,tmpfs-size=64m,tmpfs-mode=1770')).toEqual({
      type: 'tmpfs',
      source: '',
      destination: '/run',
      readOnly: false,
      options: ['nosuid', 'nodev', 'noexec', `size=${64 * 1024 * 1024}`, 'mode=1770'],
    });
    expect(parseMountFlag('type=tmpfs,dst=/t,tmpfs-size=1000,tmpfs-mode=0700').options).toEqual(['nosuid', 'nodev', 'noexec', 'size=1000', 'mode=700']);
  });

  test('errors are usage errors with docker wording', () => {
    const bad: Array<[string, RegExp]> = [
      ['type=bind,target=/x', /invalid mount config for type "bind": field Source must not be empty/],
      ['type=bind,source=/a', /target is required/],
      ['type=tmpfs,source=/a,target=/x', /invalid mount config for type "tmpfs": field Source must not be specified/],
      ['type=bind,source=/a,target=rel', /mount path must be absolute/],
      ['type=nfs,target=/x', /mount type "nfs" is not supported/],
      ['type=bind,source=/a,target=/x,foo=bar', /unexpected key 'foo'/],
      ['type=bind,source,target=/x', /invalid field 'source' must be a key=value pair/],
      ['type=bind,source=/a,target=/x,tmpfs-size=1m', /cannot mix 'tmpfs-\*' options with mount type 'bind'/],
      ['type=volume,source=/abs,target=/x', /invalid volume name/],
      ['type=tmpfs,target=/x,tmpfs-mode=999', /invalid value for tmpfs-mode/],
      ['type=bind,source=/a,target=/x,readonly=maybe', /invalid value for readonly/],
    ];
    for (const [spec, re] of bad) {
      let error: unknown;
      try {
        parseMountFlag(spec);
      } catch (e) {
        error = e;
      }
      expect({ spec, error: String(error) }).toEqual({ spec, error: expect.stringMatching(re) });
      expect(error).toMatchObject({ code: 'E_USAGE', exitCode: 125 });
    }
  });

  test('quoted CSV fields', () => {
    expect(parseMountFlag('type=bind,"source=/a,b",target=/x').source).toBe('/a,b');
  });
});

describe('--tmpfs', () => {
  test('a path alone gets docker defaults', () => {
    expect(parseTmpfsFlag('/tmp')).toEqual({ type: 'tmpfs', source: '', destination: '/tmp', readOnly: false, options: ['nosuid', 'nodev', 'noexec'] });
  });

  test('options: size, mode, exec overrides noexec, ro', () => {
    expect(parseTmpfsFlag('/run:rw,size=64m,mode=1777,exec')).toEqual({
      type: 'tmpfs',
      source: '',
      destination: '/run',
      readOnly: false,
      options: ['nosuid', 'nodev', 'size=64m', 'mode=1777', 'exec'],
    });
    expect(parseTmpfsFlag('/ro:ro').readOnly).toBe(true);
  });

  test('bad values', () => {
    expect(() => parseTmpfsFlag('rel')).toThrow(/must be absolute/);
    expect(() => parseTmpfsFlag('/x:bogus')).toThrow(/invalid tmpfs option "bogus"/);
    expect(() => parseTmpfsFlag('/x:mode=rwx')).toThrow(/octal/);
  });
});

describe('--volumes-from', () => {
  test('container with optional mode', () => {
    expect(parseVolumesFrom('web')).toEqual({ container: 'web' });
    expect(parseVolumesFrom('web:ro')).toEqual({ container: 'web', mode: 'ro' });
    expect(parseVolumesFrom('web:rw')).toEqual({ container: 'web', mode: 'rw' });
    expect(() => parseVolumesFrom('web:xx')).toThrow(/invalid mode for volumes-from: xx/);
  });
});

test('duplicate mount points are refused', () => {
  expect(() => checkDuplicateDestinations([{ destination: '/a' }, { destination: '/b' }, { destination: '/a' }])).toThrow('duplicate mount point: /a');
});

test('mounts are sorted parents first, stable', () => {
  const sorted = sortMounts([{ destination: '/a/b' }, { destination: '/c' }, { destination: '/a' }, { destination: '/d' }]);
  expect(sorted.map((m) => m.destination)).toEqual(['/c', '/a', '/d', '/a/b']);
});
