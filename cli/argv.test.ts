import { describe, expect, test } from '@jest/globals';
import { splitCommandArgs, type SplitRule } from './argv.js';

const rules: SplitRule[] = [
  { paths: [['run'], ['container', 'run']], valueOptions: ['e', 'env', 'name', 'v', 'volume', 'u', 'user'], positionals: 1 },
  { paths: [['unshare']], valueOptions: [], positionals: 0 },
];

describe('splitCommandArgs', () => {
  test('container flags after the image stay with the command', () =>
    expect(splitCommandArgs(['run', '--rm', 'busybox', 'ls', '-l'], rules)).toEqual(['run', '--rm', 'busybox', '--', 'ls', '-l']));
  test('value options are skipped', () =>
    expect(splitCommandArgs(['run', '-e', 'A=1', '--name', 'x', 'img', 'sh', '-c', 'x'], rules)).toEqual(['run', '-e', 'A=1', '--name', 'x', 'img', '--', 'sh', '-c', 'x']));
  test('clustered short flags', () => expect(splitCommandArgs(['run', '-it', 'img', 'sh'], rules)).toEqual(['run', '-it', 'img', '--', 'sh']));
  test('cluster ending in a value flag', () => expect(splitCommandArgs(['run', '-ie', 'A=1', 'img', 'sh'], rules)).toEqual(['run', '-ie', 'A=1', 'img', '--', 'sh']));
  test('--opt=value', () => expect(splitCommandArgs(['run', '--env=A=1', 'img', 'true'], rules)).toEqual(['run', '--env=A=1', 'img', '--', 'true']));
  test('global options before the command', () =>
    expect(splitCommandArgs(['--root', '/r', 'run', 'img', 'ls'], rules)).toEqual(['--root', '/r', 'run', 'img', '--', 'ls']));
  test('noun form', () => expect(splitCommandArgs(['container', 'run', 'img', '-x'], rules)).toEqual(['container', 'run', 'img', '--', '-x']));
  test('no command after image', () => expect(splitCommandArgs(['run', 'img'], rules)).toEqual(['run', 'img']));
  test('existing -- is respected', () => expect(splitCommandArgs(['run', 'img', '--', 'ls'], rules)).toEqual(['run', 'img', '--', 'ls']));
  test('unshare takes everything', () => expect(splitCommandArgs(['unshare', 'ls', '-l'], rules)).toEqual(['unshare', '--', 'ls', '-l']));
  test('other commands untouched', () => expect(splitCommandArgs(['images', '-q'], rules)).toEqual(['images', '-q']));
});
