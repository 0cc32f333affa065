import { describe, test, expect } from '@jest/globals';
import { generateName, getRandomName, LEFT, MAX_NAME_ATTEMPTS, RIGHT } from './index.js';

/** A random source that replays fixed values, then repeats the last. */
function seq(...values: number[]): () => number {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)];
}

/** The random() value that selects index i of a list of length n. */
const at = (i: number, n: number): number => (i + 0.5) / n;

describe('name lists', () => {
  test('moby lists: lowercase, sorted, unique, complete', () => {
    expect(LEFT.length).toBe(108);
    expect(RIGHT.length).toBe(236);
    for (const list of [LEFT, RIGHT]) {
      expect([...list].sort()).toEqual(list);
      expect(new Set(list).size).toBe(list.length);
      for (const w of list) expect(w).toMatch(/^[a-z]+$/);
    }
    expect(LEFT).toContain('boring');
    expect(RIGHT).toContain('wozniak');
    expect(LEFT[0]).toBe('admiring');
    expect(RIGHT[RIGHT.length - 1]).toBe('zhukovsky');
  });
});

describe('getRandomName', () => {
  test('adjective_surname', () => {
    expect(getRandomName(0, seq(at(0, LEFT.length), at(0, RIGHT.length)))).toBe('admiring_agnesi');
    for (let i = 0; i < 200; i++) expect(getRandomName()).toMatch(/^[a-z]+_[a-z]+$/);
  });

  test('never boring_wozniak', () => {
    const boring = at(LEFT.indexOf('boring'), LEFT.length);
    const wozniak = at(RIGHT.indexOf('wozniak'), RIGHT.length);
    const name = getRandomName(0, seq(boring, wozniak, boring, at(0, RIGHT.length)));
    expect(name).toBe('boring_agnesi');
  });

  test('retries append one digit', () => {
    expect(getRandomName(1, seq(at(0, LEFT.length), at(0, RIGHT.length), at(7, 10)))).toBe('admiring_agnesi7');
    for (let i = 0; i < 100; i++) expect(getRandomName(2)).toMatch(/^[a-z]+_[a-z]+[0-9]$/);
  });

  test('tolerates a source returning 1', () => {
    expect(getRandomName(1, () => 1)).toBe('zen_zhukovsky9');
  });
});

describe('generateName', () => {
  test('first free name wins', () => {
    expect(generateName(() => false, seq(at(1, LEFT.length), at(2, RIGHT.length)))).toBe('adoring_allen');
  });

  test('on collision retries with a digit suffix, like docker', () => {
    const seen: string[] = [];
    const name = generateName(
      (n) => {
        seen.push(n);
        return seen.length < 3;
      },
      seq(0, 0, 0, 0, 0, 0, 0, 0.35),
    );
    expect(seen).toEqual(['admiring_agnesi', 'admiring_agnesi0', 'admiring_agnesi3']);
    expect(name).toBe('admiring_agnesi3');
  });

  test('falls back to the short container id after docker’s attempts', () => {
    let calls = 0;
    const name = generateName(
      () => {
        calls++;
        return true;
      },
      Math.random,
      '0123456789abcdef0123',
    );
    expect(name).toBe('0123456789ab');
    expect(calls).toBe(MAX_NAME_ATTEMPTS);
  });

  test('throws when every draw collides and there is no fallback', () => {
    expect(() => generateName(() => true)).toThrow(/unique container name/);
  });
});
