import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveUser } from './user.js';

let root = '';
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tkube-test-user-'));
  await fs.mkdir(path.join(root, 'etc'));
  await fs.writeFile(path.join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\nweb:x:33:34::/var/www:/bin/sh\n');
  await fs.writeFile(path.join(root, 'etc/group'), 'root:x:0:\nwww:x:34:\nstaff:x:50:web,other\n');
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('resolveUser', () => {
  it('defaults to root', async () => {
    expect(await resolveUser(root, '')).toEqual({ uid: 0, gid: 0, additionalGids: [] });
  });
  it('resolves a name to uid, primary gid and supplementary groups', async () => {
    expect(await resolveUser(root, 'web')).toEqual({ uid: 33, gid: 34, additionalGids: [50] });
  });
  it('takes a numeric uid known or unknown to passwd', async () => {
    expect(await resolveUser(root, '33')).toEqual({ uid: 33, gid: 34, additionalGids: [50] });
    expect(await resolveUser(root, '4242')).toEqual({ uid: 4242, gid: 0, additionalGids: [] });
  });
  it('honours an explicit group by number or name', async () => {
    expect((await resolveUser(root, '4242:7')).gid).toBe(7);
    expect((await resolveUser(root, 'web:staff')).gid).toBe(50);
  });
  it('rejects unknown names', async () => {
    await expect(resolveUser(root, 'nobody')).rejects.toThrow(/unable to find user nobody/);
    await expect(resolveUser(root, 'web:nogroup')).rejects.toThrow(/unable to find group/);
  });
});
