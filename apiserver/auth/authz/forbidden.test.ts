import { describe, expect, it } from 'vitest';
import type { RequestAttributes } from '../types.js';
import { forbiddenError, forbiddenMessage } from './forbidden.js';

const base: RequestAttributes = {
  user: { name: 'alice', groups: [] }, verb: 'create', resourceRequest: true, path: '/api/v1/namespaces/default/pods',
  apiGroup: '', apiVersion: 'v1', resource: 'pods', subresource: '', namespace: 'default', name: '',
};

describe('forbiddenMessage', () => {
  it('words a namespaced collection request as Kubernetes does', () => {
    expect(forbiddenMessage(base, '')).toBe('pods is forbidden: User "alice" cannot create resource "pods" in API group "" in the namespace "default"');
  });

  it('names the object, the group, the subresource and the cluster scope', () => {
    const a = { ...base, verb: 'patch', apiGroup: 'apps', resource: 'deployments', subresource: 'scale', name: 'web', namespace: '' };
    expect(forbiddenMessage(a, '')).toBe('deployments.apps "web" is forbidden: User "alice" cannot patch resource "deployments/scale" in API group "apps" at the cluster scope');
  });

  it('appends the reason and handles non-resource paths', () => {
    expect(forbiddenMessage({ ...base, verb: 'get', name: 's', resource: 'secrets' }, "no relationship found between node 'a' and this object")).toBe(
      'secrets "s" is forbidden: User "alice" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node \'a\' and this object',
    );
    expect(forbiddenMessage({ ...base, resourceRequest: false, verb: 'get', path: '/metrics' }, '')).toBe('forbidden: User "alice" cannot get path "/metrics"');
  });

  it('builds a 403 Forbidden Status with details', () => {
    const status = forbiddenError({ ...base, name: 'p' }, '').toStatus();
    expect(status).toMatchObject({ code: 403, reason: 'Forbidden', status: 'Failure', details: { name: 'p', group: '', kind: 'pods' } });
  });
});
