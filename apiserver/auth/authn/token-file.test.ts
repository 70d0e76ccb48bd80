import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../api/meta/errors.js';
import { createTokenFileAuthenticator, parseTokenFile } from './token-file.js';
import { unionAuthenticator } from './union.js';

const req = (authorization?: string) => ({ headers: authorization ? { authorization } : {} }) as IncomingMessage;

describe('static token file', () => {
  it('parses kube-apiserver CSV lines with quoted group lists', () => {
    const tokens = parseTokenFile('t1,alice,1001,"dev,ops"\n\n# a comment\nt2,bob,1002\nt3,"carol, jr",1003,admins\n');
    expect(tokens.get('t1')).toEqual({ name: 'alice', uid: '1001', groups: ['dev', 'ops'] });
    expect(tokens.get('t2')).toEqual({ name: 'bob', uid: '1002', groups: [] });
    expect(tokens.get('t3')).toEqual({ name: 'carol, jr', uid: '1003', groups: ['admins'] });
    expect(() => parseTokenFile('lonely-token\n')).toThrow(/line 1/);
    expect(() => parseTokenFile('t,u,1,"unterminated\n')).toThrow(/quote/);
  });

  it('authenticates its tokens with system:authenticated; an unknown token is 401 through the union', async () => {
    const authn = unionAuthenticator([createTokenFileAuthenticator(parseTokenFile('t1,alice,1001,"dev"\n'))]);
    expect(await authn.authenticate(req('Bearer t1'))).toEqual({ name: 'alice', uid: '1001', groups: ['dev', 'system:authenticated'] });
    expect(await authn.authenticate(req())).toBeUndefined();
    await expect(authn.authenticate(req('Bearer nope'))).rejects.toSatisfy((e: unknown) => e instanceof ApiError && e.code === 401 && e.message === 'Unauthorized');
    await expect(authn.authenticate(req('Basic YTpi'))).rejects.toSatisfy((e: unknown) => e instanceof ApiError && e.code === 401);
  });
});
