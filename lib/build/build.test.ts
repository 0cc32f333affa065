import { describe, test, expect } from '@jest/globals';
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDockerfile, parseInstruction } from './parse.js';
import { parseNameValues, processWord, processWords, splitRawWords } from './words.js';
import { cacheKey } from './cache.js';
import { parseDuration } from './build.js';
import { cleanSource, contextFs, expandGlob, globToRegExp, makeIgnore, parseDockerignore, resolveScoped } from './sources.js';
import { hashPlan, planCopy } from './copy.js';

const vars = new Map([['A', 'one'], ['EMPTY', '']]);

describe('parseDockerfile', () => {
  test('continuations, comments inside them, directives, flags, heredocs', () => {
    const p = parseDockerfile('# escape=`\n# syntax=x/y\nFROM --platform=linux/amd64 busybox AS b\nRUN echo a `\n# dropped\n  b\nCOPY --chown=1:2 --from=b /x /y\nRUN <<EOF\nl1\nl2\nEOF\nCMD ["a"]\n');
    expect(p.escape).toBe('`');
    expect(p.syntax).toBe('x/y');
    expect(p.instructions.map((i) => [i.keyword, i.line, i.args])).toEqual([
      ['FROM', 3, 'busybox AS b'],
      ['RUN', 4, 'echo a   b'],
      ['COPY', 7, '/x /y'],
      ['RUN', 8, '<<EOF'],
      ['CMD', 12, '["a"]'],
    ]);
    expect(p.instructions[0].flags).toEqual({ platform: 'linux/amd64' });
    expect(p.instructions[2].flags).toEqual({ chown: '1:2', from: 'b' });
    expect(p.instructions[3].heredocs).toEqual([{ name: 'EOF', body: 'l1\nl2\n', chomp: false, quoted: false }]);
  });

  test('errors name the file and line', () => {
    expect(() => parseDockerfile('FROM a\n\nBOGUS x\n', 'my.Dockerfile')).toThrow('my.Dockerfile:3: unknown instruction: BOGUS');
    expect(() => parseDockerfile('RUN x\n')).toThrow(/needs a FROM/);
    expect(() => parseDockerfile('ENV a=b\nFROM x\n')).toThrow(/only ARG may come before/);
    expect(() => parseDockerfile('FROM a\nRUN <<EOF\nx\n')).toThrow(/unterminated heredoc/);
    expect(() => parseDockerfile('FROM a\nCMD\n')).toThrow(/Dockerfile:2: CMD requires at least one argument/);
    expect(parseInstruction('RUN echo hi', 'f', 9)).toMatchObject({ keyword: 'RUN', args: 'echo hi', line: 9 });
  });
});

describe('substitution', () => {
  test('docker forms', () => {
    expect(processWord('$A ${A} ${A:-x} ${NOPE:-x} ${A:+y} ${NOPE:+y} ${EMPTY:-d} ${EMPTY-d}', vars)).toBe('one one one x y  d ');
    expect(processWord("'$A' \"$A\" \\$A", vars)).toBe('$A one $A');
    expect(processWords('a "b c" $A', vars)).toEqual(['a', 'b c', 'one']);
    expect(splitRawWords('K="a b" L=c')).toEqual(['K="a b"', 'L=c']);
    expect(() => processWord('${A', vars)).toThrow(/missing '}'/);
  });

  test('name=value pairs and the legacy form', () => {
    expect(parseNameValues('K="hi $A" L=${A}x', 'ENV', vars)).toEqual([['K', 'hi one'], ['L', 'onex']]);
    expect(parseNameValues('K value with spaces', 'ENV', vars)).toEqual([['K', 'value with spaces']]);
    expect(parseNameValues('N', 'ARG', vars, '\\', true)).toEqual([['N', undefined]]);
  });

  test('durations', () => {
    expect(parseDuration('30s')).toBe(30e9);
    expect(parseDuration('1m30s')).toBe(90e9);
    expect(parseDuration('500ms')).toBe(5e8);
    expect(() => parseDuration('5x')).toThrow();
  });
});

describe('cache keys', () => {
  test('depend on parent, instruction, args and content, not arg order', () => {
    const base = { parent: 'p', instruction: 'RUN x', args: { A: '1', B: '2' } };
    expect(cacheKey(base)).toBe(cacheKey({ ...base, args: { B: '2', A: '1' } }));
    expect(cacheKey(base)).not.toBe(cacheKey({ ...base, parent: 'q' }));
    expect(cacheKey(base)).not.toBe(cacheKey({ ...base, instruction: 'RUN y' }));
    expect(cacheKey(base)).not.toBe(cacheKey({ ...base, args: { A: '1', B: '3' } }));
    expect(cacheKey(base)).not.toBe(cacheKey({ ...base, contentHash: 'sha256:x' }));
  });
});

describe('.dockerignore and the context', () => {
  test("docker's root-anchored rules and exceptions", () => {
    const ig = makeIgnore(parseDockerignore('# c\n*.md\n\nlogs\n!logs/keep\n'));
    expect(ig('a.md')).toBe(true);
    expect(ig('sub/a.md')).toBe(false);
    expect(ig('logs/x')).toBe(true);
    expect(ig('logs/keep')).toBe(false);
  });

  test('globs', () => {
    expect(globToRegExp('*.txt').test('a.txt')).toBe(true);
    expect(globToRegExp('*.txt').test('d/a.txt')).toBe(false);
    expect(globToRegExp('f?[0-9]').test('fa1')).toBe(true);
  });

  test('sources never leave the context; hashes follow contents and modes', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'tote-ctx-'));
    const outside = mkdtempSync(path.join(os.tmpdir(), 'tote-out-'));
    writeFileSync(path.join(outside, 'secret'), 's');
    mkdirSync(path.join(root, 'd'));
    writeFileSync(path.join(root, 'd', 'a.txt'), 'a');
    writeFileSync(path.join(root, 'd', 'b.txt'), 'b');
    symlinkSync(path.join(outside, 'secret'), path.join(root, 'abs-out'));
    symlinkSync('../' + path.basename(outside) + '/secret', path.join(root, 'rel-out'));
    symlinkSync('d/a.txt', path.join(root, 'inside'));
    const sfs = await contextFs(root);
    expect(() => cleanSource(sfs, '../x')).toThrow(/outside the build context/);
    expect(cleanSource(sfs, '/d/./a.txt')).toBe('d/a.txt');
    await expect(resolveScoped(sfs, 'abs-out', true)).rejects.toThrow(/outside the build context/);
    await expect(resolveScoped(sfs, 'rel-out', true)).rejects.toThrow(/outside the build context/);
    expect(await resolveScoped(sfs, 'inside', true)).toBe('d/a.txt');
    expect(await expandGlob(sfs, 'd/*.txt')).toEqual(['d/a.txt', 'd/b.txt']);
    const req = { sfs, sources: ['d'], dest: '/app/', extractArchives: false, uid: 0, gid: 0, isImageDir: async () => false, imageHas: async () => false };
    const plan = await planCopy(req);
    expect(plan.entries.map((x) => [x.kind, x.dest])).toEqual([['directory', '/app'], ['file', '/app/a.txt'], ['file', '/app/b.txt']]);
    const h1 = await hashPlan(plan);
    writeFileSync(path.join(root, 'd', 'b.txt'), 'B');
    const h2 = await hashPlan(await planCopy(req));
    expect(h2).not.toBe(h1);
    expect(await hashPlan(await planCopy({ ...req, chmod: 0o600 }))).not.toBe(h2);
    await expect(planCopy({ ...req, sources: ['d/a.txt', 'd/b.txt'], dest: '/file' })).rejects.toThrow(/must be a directory and end with a \//);
  });
});
