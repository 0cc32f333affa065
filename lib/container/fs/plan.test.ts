/** docker cp's argument and destination rules. */
import { describe, expect, test } from '@jest/globals';
import { baseName, parentDir, parseCpArg, parseCpArgs, planCopy, renameEntry } from './plan.js';

describe('parseCpArg', () => {
  test('CTR:PATH, absolute and ./ paths are local', () => {
    expect(parseCpArg('c1:/etc/passwd')).toEqual({ container: 'c1', path: '/etc/passwd' });
    expect(parseCpArg('/tmp/a:b')).toEqual({ path: '/tmp/a:b' });
    expect(parseCpArg('./a:b')).toEqual({ path: './a:b' });
    expect(parseCpArg('file')).toEqual({ path: 'file' });
    expect(parseCpArg('-')).toEqual({ path: '-' });
  });
  test('exactly one side is a container', () => {
    expect(() => parseCpArgs('a:/x', 'b:/y')).toThrow('copying between containers is not supported');
    expect(() => parseCpArgs('/x', '/y')).toThrow('must specify at least one container source');
    expect(() => parseCpArgs('c:', '/y')).toThrow(/no path/);
  });
});

describe('planCopy', () => {
  const file = { isDir: false, base: 'f', contentsOnly: false };
  const dir = { isDir: true, base: 'd', contentsOnly: false };
  const dirContents = { isDir: true, base: 'd', contentsOnly: true };

  test('into an existing directory: keeps the name, or only the contents for /.', () => {
    expect(planCopy(file, { path: '/out', exists: true, isDir: true })).toEqual({ dir: '/out', rename: { from: 'f', to: 'f' } });
    expect(planCopy(dir, { path: '/out', exists: true, isDir: true })).toEqual({ dir: '/out', rename: { from: 'd', to: 'd' } });
    expect(planCopy(dirContents, { path: '/out', exists: true, isDir: true })).toEqual({ dir: '/out', rename: { from: 'd', to: '' } });
  });
  test('to a new name: created in the parent under that name', () => {
    expect(planCopy(file, { path: '/out/new', exists: false, isDir: false })).toEqual({ dir: '/out', rename: { from: 'f', to: 'new' } });
    expect(planCopy(dir, { path: 'new', exists: false, isDir: false })).toEqual({ dir: '.', rename: { from: 'd', to: 'new' } });
    expect(planCopy(dirContents, { path: '/n/', exists: false, isDir: false })).toEqual({ dir: '/', rename: { from: 'd', to: 'n' } });
  });
  test('over an existing file: a file replaces it, a directory is refused', () => {
    expect(planCopy(file, { path: '/out/x', exists: true, isDir: false })).toEqual({ dir: '/out', rename: { from: 'f', to: 'x' } });
    expect(() => planCopy(dir, { path: '/out/x', exists: true, isDir: false })).toThrow(/cannot copy a directory to a file/);
  });
  test('a file to a missing path ending in / is an error', () => {
    expect(() => planCopy(file, { path: '/nope/', exists: false, isDir: false })).toThrow(/must exist/);
  });
  test('base names and parents ignore trailing / and /.', () => {
    expect(baseName('/etc/.')).toBe('etc');
    expect(baseName('/etc/')).toBe('etc');
    expect(baseName('/')).toBe('/');
    expect(parentDir('/a/b/')).toBe('/a');
    expect(parentDir('b')).toBe('.');
  });
  test('renameEntry', () => {
    expect(renameEntry('d/x', { from: 'd', to: 'n' })).toBe('n/x');
    expect(renameEntry('d', { from: 'd', to: '' })).toBeUndefined();
    expect(renameEntry('d/x/y', { from: 'd', to: '' })).toBe('x/y');
    expect(renameEntry('x', { from: '', to: 'n' })).toBe('n/x');
    expect(renameEntry('dd/x', { from: 'd', to: 'n' })).toBe('dd/x');
  });
});
