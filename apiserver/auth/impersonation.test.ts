import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/meta/errors.js';
import { impersonationOf } from './impersonation.js';

function request(headers: Record<string, string[]>): IncomingMessage {
  return { headersDistinct: headers } as unknown as IncomingMessage;
}

describe('impersonationOf', () => {
  it('is undefined without Impersonate-* headers', () => {
    expect(impersonationOf(request({ accept: ['application/json'] }))).toBeUndefined();
  });

  it('impersonates a user with groups, each needing the impersonate verb', () => {
    const got = impersonationOf(request({ 'impersonate-user': ['jane'], 'impersonate-group': ['dev', 'ops'] }))!;
    expect(got.user).toEqual({ name: 'jane', groups: ['dev', 'ops', 'system:authenticated'] });
    expect(got.checks.map((c) => [c.verb, c.resource, c.name])).toEqual([
      ['impersonate', 'users', 'jane'],
      ['impersonate', 'groups', 'dev'],
      ['impersonate', 'groups', 'ops'],
    ]);
  });

  it('impersonates a service account through the serviceaccounts resource in its namespace', () => {
    const got = impersonationOf(request({ 'impersonate-user': ['system:serviceaccount:team:builder'] }))!;
    expect(got.user.groups).toEqual(['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated']);
    expect(got.checks).toEqual([expect.objectContaining({ resource: 'serviceaccounts', namespace: 'team', name: 'builder' })]);
  });

  it('carries uid and extra fields, each checked', () => {
    const got = impersonationOf(request({ 'impersonate-user': ['jane'], 'impersonate-uid': ['u-1'], 'impersonate-extra-scopes': ['view'] }))!;
    expect(got.user.uid).toBe('u-1');
    expect(got.user.extra).toEqual({ scopes: ['view'] });
    expect(got.checks.map((c) => `${c.apiGroup}/${c.resource}${c.subresource ? '/' + c.subresource : ''}=${c.name}`)).toEqual([
      '/users=jane',
      'authentication.k8s.io/uids=u-1',
      'authentication.k8s.io/userextras/scopes=view',
    ]);
  });

  it('refuses groups without a user', () => {
    expect(() => impersonationOf(request({ 'impersonate-group': ['dev'] }))).toThrow(ApiError);
  });
});
