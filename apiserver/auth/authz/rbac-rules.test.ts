import { describe, expect, it } from 'vitest';
import type { PolicyRule } from '../../../api/types/rbac.js';
import type { RequestAttributes } from '../types.js';
import { ruleAllows, ruleCovered } from './rbac-rules.js';

const alice = { name: 'alice', groups: ['system:authenticated'] };

function res(verb: string, resource: string, extra: Partial<RequestAttributes> = {}): RequestAttributes {
  return { user: alice, verb, resourceRequest: true, path: '', apiGroup: '', apiVersion: 'v1', resource, subresource: '', namespace: 'default', name: '', ...extra };
}
function url(verb: string, path: string): RequestAttributes {
  return { user: alice, verb, resourceRequest: false, path, apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '' };
}

describe('ruleAllows', () => {
  const podsRead: PolicyRule = { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] };

  it('matches verb, group and resource exactly', () => {
    expect(ruleAllows(res('get', 'pods'), podsRead)).toBe(true);
    expect(ruleAllows(res('create', 'pods'), podsRead)).toBe(false);
    expect(ruleAllows(res('get', 'pods', { apiGroup: 'apps' }), podsRead)).toBe(false);
    expect(ruleAllows(res('get', 'secrets'), podsRead)).toBe(false);
  });

  it('does not let a resource rule cover its subresources', () => {
    expect(ruleAllows(res('get', 'pods', { subresource: 'log' }), podsRead)).toBe(false);
    expect(ruleAllows(res('get', 'pods', { subresource: 'log' }), { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] })).toBe(true);
  });

  it('understands the wildcards: *, */subresource', () => {
    const all: PolicyRule = { verbs: ['*'], apiGroups: ['*'], resources: ['*'] };
    expect(ruleAllows(res('delete', 'deployments', { apiGroup: 'apps', subresource: 'scale' }), all)).toBe(true);
    const anyStatus: PolicyRule = { verbs: ['update'], apiGroups: ['*'], resources: ['*/status'] };
    expect(ruleAllows(res('update', 'pods', { subresource: 'status' }), anyStatus)).toBe(true);
    expect(ruleAllows(res('update', 'pods', { subresource: 'scale' }), anyStatus)).toBe(false);
    expect(ruleAllows(res('update', 'pods'), anyStatus)).toBe(false);
  });

  it('limits by resourceNames when the rule lists them', () => {
    const one: PolicyRule = { verbs: ['get', 'update'], apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['kube-scheduler'] };
    expect(ruleAllows(res('get', 'leases', { apiGroup: 'coordination.k8s.io', name: 'kube-scheduler' }), one)).toBe(true);
    expect(ruleAllows(res('get', 'leases', { apiGroup: 'coordination.k8s.io', name: 'other' }), one)).toBe(false);
    // A list has no name, so a name-limited rule does not allow it.
    expect(ruleAllows(res('get', 'leases', { apiGroup: 'coordination.k8s.io' }), one)).toBe(false);
  });

  it('matches non-resource URLs exactly, by trailing-* prefix, or all', () => {
    const rule: PolicyRule = { verbs: ['get'], nonResourceURLs: ['/healthz', '/apis/*'] };
    expect(ruleAllows(url('get', '/healthz'), rule)).toBe(true);
    expect(ruleAllows(url('get', '/healthz/etcd'), rule)).toBe(false);
    expect(ruleAllows(url('get', '/apis/apps/v1'), rule)).toBe(true);
    expect(ruleAllows(url('post', '/healthz'), rule)).toBe(false);
    expect(ruleAllows(url('get', '/metrics'), { verbs: ['*'], nonResourceURLs: ['*'] })).toBe(true);
  });

  it('never lets a non-resource rule allow a resource request, nor the reverse', () => {
    expect(ruleAllows(res('get', 'pods'), { verbs: ['*'], nonResourceURLs: ['*'] })).toBe(false);
    expect(ruleAllows(url('get', '/healthz'), { verbs: ['*'], apiGroups: ['*'], resources: ['*'] })).toBe(false);
  });
});

describe('ruleCovered', () => {
  it('is true when an existing rule grants at least as much', () => {
    const have: PolicyRule[] = [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods', 'services'] }];
    expect(ruleCovered({ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, have)).toBe(true);
    expect(ruleCovered({ verbs: ['create'], apiGroups: [''], resources: ['pods'] }, have)).toBe(false);
    expect(ruleCovered({ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['x'] }, have)).toBe(true);
    expect(ruleCovered({ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, [{ ...have[0]!, resourceNames: ['x'] }])).toBe(false);
  });
});
