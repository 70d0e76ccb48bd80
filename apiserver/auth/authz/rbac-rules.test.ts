import { describe, expect, it } from 'vitest';
import type { PolicyRule } from '../../../api/types/rbac.js';
import type { RequestAttributes } from '../types.js';
import { BOOTSTRAP_CLUSTER_ROLES } from './bootstrap-policy.js';
import { breakdownRule, covers, ruleAllows, ruleCovered } from './rbac-rules.js';

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

describe('covers (Kubernetes validation.Covers)', () => {
  const rule = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule =>
    resourceNames ? { verbs, apiGroups, resources, resourceNames } : { verbs, apiGroups, resources };

  it('breaks a rule into verb x group x resource x name atoms, and URLs into verb x URL atoms', () => {
    expect(breakdownRule(rule(['get', 'list'], ['', 'apps'], ['pods'], ['a', 'b']))).toHaveLength(8);
    expect(breakdownRule({ verbs: ['get', 'post'], nonResourceURLs: ['/a', '/b'] })).toEqual([
      { nonResourceURLs: ['/a'], verbs: ['get'] },
      { nonResourceURLs: ['/a'], verbs: ['post'] },
      { nonResourceURLs: ['/b'], verbs: ['get'] },
      { nonResourceURLs: ['/b'], verbs: ['post'] },
    ]);
    // A resource rule without groups grants nothing, so there is nothing to cover.
    expect(breakdownRule({ verbs: ['get'], resources: ['pods'] })).toEqual([]);
  });

  it('lets several owner rules together cover one wanted rule', () => {
    const owner = [rule(['get'], [''], ['pods', 'secrets']), rule(['list'], [''], ['pods'])];
    expect(covers(owner, [rule(['get', 'list'], [''], ['pods'])]).covered).toBe(true);
    const r = covers(owner, [rule(['get', 'list'], [''], ['secrets'])]);
    expect(r.covered).toBe(false);
    expect(r.missing).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }]);
  });

  it('treats * as everything for verbs, groups and resources', () => {
    const all = [rule(['*'], ['*'], ['*'])];
    expect(covers(all, [rule(['escalate'], ['rbac.authorization.k8s.io'], ['clusterroles/status'], ['x'])]).covered).toBe(true);
    // ... but a resource wildcard does not cover non-resource URLs.
    expect(covers(all, [{ verbs: ['get'], nonResourceURLs: ['/metrics'] }]).covered).toBe(false);
    // A wanted "*" is a literal the owner must hold too.
    expect(covers([rule(['get', 'list'], [''], ['pods'])], [rule(['*'], [''], ['pods'])]).covered).toBe(false);
  });

  it('covers a subresource by itself, "*" or "*/<sub>", not by "<resource>/*" nor by the resource', () => {
    const want = [rule(['get'], [''], ['pods/log'])];
    expect(covers([rule(['get'], [''], ['pods/log'])], want).covered).toBe(true);
    expect(covers([rule(['get'], [''], ['*/log'])], want).covered).toBe(true);
    expect(covers([rule(['get'], [''], ['pods/*'])], want).covered).toBe(false);
    expect(covers([rule(['get'], [''], ['pods'])], want).covered).toBe(false);
    expect(covers([rule(['get'], [''], ['*/log'])], [rule(['get'], [''], ['pods'])]).covered).toBe(false);
  });

  it('covers names: an owner without names covers all; with names only atoms within them', () => {
    expect(covers([rule(['get'], [''], ['secrets'])], [rule(['get'], [''], ['secrets'], ['a'])]).covered).toBe(true);
    expect(covers([rule(['get'], [''], ['secrets'], ['a', 'b'])], [rule(['get'], [''], ['secrets'], ['b'])]).covered).toBe(true);
    expect(covers([rule(['get'], [''], ['secrets'], ['a'])], [rule(['get'], [''], ['secrets'], ['a', 'c'])]).missing).toEqual([
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['c'] },
    ]);
    expect(covers([rule(['get'], [''], ['secrets'], ['a'])], [rule(['get'], [''], ['secrets'])]).covered).toBe(false);
  });

  it('covers non-resource URLs exactly or by a trailing-* prefix', () => {
    const owner: PolicyRule[] = [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/apis/*'] }];
    expect(covers(owner, [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/apis/apps/v1', '/apis/*'] }]).covered).toBe(true);
    expect(covers(owner, [{ verbs: ['get'], nonResourceURLs: ['/healthz/etcd'] }]).covered).toBe(false);
    expect(covers(owner, [{ verbs: ['post'], nonResourceURLs: ['/healthz'] }]).covered).toBe(false);
    expect(covers([{ verbs: ['*'], nonResourceURLs: ['*'] }], [{ verbs: ['get'], nonResourceURLs: ['/anything'] }]).covered).toBe(true);
  });

  it('finds the bootstrap admin role to cover edit and view, and not cluster-admin', () => {
    const byName = new Map(BOOTSTRAP_CLUSTER_ROLES.map((r) => [r.metadata.name, r.rules ?? []]));
    const admin = ['system:aggregate-to-admin', 'system:aggregate-to-edit', 'system:aggregate-to-view'].flatMap((n) => byName.get(n) ?? []);
    const edit = ['system:aggregate-to-edit', 'system:aggregate-to-view'].flatMap((n) => byName.get(n) ?? []);
    expect(edit.length).toBeGreaterThan(0);
    expect(covers(admin, edit).covered).toBe(true);
    expect(covers(edit, admin).covered).toBe(false);
    expect(covers(admin, byName.get('cluster-admin') ?? []).covered).toBe(false);
  });
});
