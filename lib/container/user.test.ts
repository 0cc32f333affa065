import { describe, expect, test } from '@jest/globals';
import { resolveUser } from './user.js';

const passwd = 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\nnobody:x:65534:65534::/nonexistent:/bin/false\n';
const group = 'root:x:0:\nstaff:x:50:app\napp:x:1000:\n';

describe('resolveUser', () => {
  test('default is root', () => expect(resolveUser('', passwd, group)).toEqual({ uid: 0, gid: 0, additionalGids: [], home: '/root' }));
  test('by name, with supplementary groups', () =>
    expect(resolveUser('app', passwd, group)).toEqual({ uid: 1000, gid: 1000, additionalGids: [50], home: '/home/app' }));
  test('uid:gid numeric', () => expect(resolveUser('1000:50', passwd, group)).toMatchObject({ uid: 1000, gid: 50, additionalGids: [] }));
  test('unknown numeric uid is allowed', () => expect(resolveUser('4242', passwd, group)).toMatchObject({ uid: 4242, gid: 0, home: '/' }));
  test('group by name', () => expect(resolveUser('app:staff', passwd, group)).toMatchObject({ uid: 1000, gid: 50 }));
  test('unknown name fails with a stable code', () => expect(() => resolveUser('ghost', passwd, group)).toThrow(expect.objectContaining({ code: 'E_NO_SUCH_USER' })));
  test('unknown group fails', () => expect(() => resolveUser('app:ghosts', passwd, group)).toThrow(expect.objectContaining({ code: 'E_NO_SUCH_GROUP' })));
});
