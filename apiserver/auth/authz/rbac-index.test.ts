import { describe, expect, it } from 'vitest';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from '../../../api/types/rbac.js';
import type { RequestAttributes, UserInfo } from '../types.js';
import { RbacIndex, type PolicySnapshot } from './rbac-index.js';
import { rulesAllow } from './rbac-rules.js';

const G = 'rbac.authorization.k8s.io';
const cr = (name: string, rules: PolicyRule[], extra: Partial<ClusterRole> = {}): ClusterRole => ({ apiVersion: `${G}/v1`, kind: 'ClusterRole', metadata: { name }, rules, ...extra });
const role = (ns: string, name: string, rules: PolicyRule[]): Role => ({ apiVersion: `${G}/v1`, kind: 'Role', metadata: { namespace: ns, name }, rules });
const crb = (name: string, roleName: string, subjects: Subject[]): ClusterRoleBinding => ({
  apiVersion: `${G}/v1`, kind: 'ClusterRoleBinding', metadata: { name }, roleRef: { apiGroup: G, kind: 'ClusterRole', name: roleName }, subjects,
});
const rb = (ns: string, name: string, kind: 'Role' | 'ClusterRole', roleName: string, subjects: Subject[]): RoleBinding => ({
  apiVersion: `${G}/v1`, kind: 'RoleBinding', metadata: { namespace: ns, name }, roleRef: { apiGroup: G, kind, name: roleName }, subjects,
});
const userSubject = (name: string): Subject => ({ kind: 'User', apiGroup: G, name });

function allowed(index: RbacIndex, user: UserInfo, verb: string, resource: string, namespace: string, apiGroup = ''): boolean {
  const attrs: RequestAttributes = { user, verb, resourceRequest: true, path: '', apiGroup, apiVersion: 'v1', resource, subresource: '', namespace, name: '' };
  return index.bindingsFor(user.name, user.groups, namespace).some((b) => rulesAllow(attrs, index.rulesOf(b)));
}

const readPods: PolicyRule = { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] };
const writeDeployments: PolicyRule = { verbs: ['create'], apiGroups: ['apps'], resources: ['deployments'] };

describe('RbacIndex', () => {
  const snapshot: PolicySnapshot = {
    clusterRoles: [
      cr('pod-reader', [readPods]),
      cr('deployer', [writeDeployments]),
      // Its stored rules are a stale copy (a rule since dropped from the roles it selects).
      cr('agg', [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'agg/me': 'true' } }] } }),
      { ...cr('part', [{ verbs: ['delete'], apiGroups: [''], resources: ['secrets'] }]), metadata: { name: 'part', labels: { 'agg/me': 'true' } } },
    ],
    roles: [role('team', 'local-deployer', [writeDeployments])],
    clusterRoleBindings: [crb('readers', 'pod-reader', [{ kind: 'Group', apiGroup: G, name: 'readers' }]), crb('agg-to-carol', 'agg', [userSubject('carol')])],
    roleBindings: [
      rb('team', 'dev', 'Role', 'local-deployer', [userSubject('alice')]),
      rb('team', 'cluster-role-here', 'ClusterRole', 'deployer', [userSubject('bob')]),
      rb('team', 'sa', 'ClusterRole', 'pod-reader', [{ kind: 'ServiceAccount', apiGroup: '', name: 'builder' }]),
      rb('team', 'missing-role', 'Role', 'does-not-exist', [userSubject('dave')]),
    ],
  };
  const index = new RbacIndex(snapshot);

  it('grants a ClusterRoleBinding everywhere, by group', () => {
    const u = { name: 'zed', groups: ['readers'] };
    expect(allowed(index, u, 'list', 'pods', 'default')).toBe(true);
    expect(allowed(index, u, 'list', 'pods', '')).toBe(true);
    expect(allowed(index, u, 'create', 'pods', 'default')).toBe(false);
    expect(allowed(index, { name: 'zed', groups: [] }, 'list', 'pods', 'default')).toBe(false);
  });

  it('grants a RoleBinding only in its namespace, with a Role or a ClusterRole', () => {
    const alice = { name: 'alice', groups: [] };
    expect(allowed(index, alice, 'create', 'deployments', 'team', 'apps')).toBe(true);
    expect(allowed(index, alice, 'create', 'deployments', 'other', 'apps')).toBe(false);
    expect(allowed(index, alice, 'create', 'deployments', '', 'apps')).toBe(false);
    const bob = { name: 'bob', groups: [] };
    expect(allowed(index, bob, 'create', 'deployments', 'team', 'apps')).toBe(true);
    expect(allowed(index, bob, 'create', 'deployments', 'default', 'apps')).toBe(false);
  });

  it('defaults a ServiceAccount subject to the binding namespace', () => {
    expect(allowed(index, { name: 'system:serviceaccount:team:builder', groups: [] }, 'get', 'pods', 'team')).toBe(true);
    expect(allowed(index, { name: 'system:serviceaccount:other:builder', groups: [] }, 'get', 'pods', 'team')).toBe(false);
  });

  it('resolves aggregated ClusterRoles from the roles their selectors match, not from their stored copy', () => {
    expect(allowed(index, { name: 'carol', groups: [] }, 'delete', 'secrets', 'x')).toBe(true);
    expect(allowed(index, { name: 'carol', groups: [] }, 'get', 'secrets', 'x')).toBe(false);
    expect(allowed(index, { name: 'carol', groups: [] }, 'get', 'configmaps', 'x')).toBe(false);
  });

  it('grants nothing through a binding whose role does not exist', () => {
    expect(allowed(index, { name: 'dave', groups: [] }, 'get', 'pods', 'team')).toBe(false);
  });
});
