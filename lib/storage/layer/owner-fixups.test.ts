import { describe, expect, test } from '@jest/globals';
import { checkOwnersMapped, ownerFixupScript } from './owner-fixups.js';
import type { UsernsPlan } from '../../userns/index.js';

describe('owner fixups as a shell script', () => {
  test('chown grouped by owner (-h: never through a symlink), then the modes again', () => {
    const script = ownerFixupScript('/s/layer', [
      ['etc/a', 1000, 1000, 0o644],
      ['home/app', 1000, 1000, 0o755],
      ['bin/su', 0, 50, 0o4755],
      ['lnk', 1000, 1000, null],
    ]);
    expect(script).toBe(
      [
        "chown -h 1000:1000 -- '/s/layer/etc/a' '/s/layer/home/app' '/s/layer/lnk'",
        "chown -h 0:50 -- '/s/layer/bin/su'",
        "chmod 0644 -- '/s/layer/etc/a'",
        "chmod 0755 -- '/s/layer/home/app'",
        "chmod 4755 -- '/s/layer/bin/su'",
        '',
      ].join('\n'),
    );
  });

  test('quotes hostile names; refuses ..', () => {
    expect(ownerFixupScript('/r', [["it's $(x) `y`", 1, 1, null]])).toBe(`chown -h 1:1 -- '/r/it'\\''s $(x) \`y\`'\n`);
    expect(() => ownerFixupScript('/r', [['a/../../etc', 1, 1, null]])).toThrow(/bad path/);
  });

  test('long lists are split into several commands', () => {
    const owners = Array.from({ length: 450 }, (_, i) => [`f${i}`, 7, 7, null] as [string, number, number, null]);
    expect(ownerFixupScript('/r', owners).trim().split('\n')).toHaveLength(3);
  });

  test('an owner outside the mapping: the unmapped-id error, naming the entry', () => {
    const plan = { rootful: false, uidMap: [{ containerId: 0, hostId: 1000, size: 1 }], gidMap: [{ containerId: 0, hostId: 1000, size: 1 }] } as unknown as UsernsPlan;
    expect(() => checkOwnersMapped(plan, [['etc/owned-by-app', 1000, 1000, 0o644]])).toThrow(/"etc\/owned-by-app" is owned by uid 1000 \/ gid 1000, which is not mapped/);
    expect(() => checkOwnersMapped(plan, [['x', 0, 0, null]])).not.toThrow();
  });
});
