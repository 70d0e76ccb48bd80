import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../api/meta/object-meta.js';
import { clusterRoleBindings, clusterRoles, pods } from '../../../api/registry.js';
import type { RequestAttributes, UserInfo } from '../types.js';
import { FakePolicySource } from './fake-policy-source.js';
import { createAuthorizer } from './index.js';

const log = pino({ level: 'silent' });
const nodeA: UserInfo = { name: 'system:node:a', groups: ['system:nodes', 'system:authenticated'] };

function attrs(user: UserInfo, verb: string, resource: string, extra: Partial<RequestAttributes> = {}): RequestAttributes {
  return { user, verb, resourceRequest: true, path: '', apiGroup: '', apiVersion: 'v1', resource, subresource: '', namespace: 'default', name: '', ...extra };
}

function podOn(name: string, node: string, secret: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace: 'default', name },
    spec: { nodeName: node, serviceAccountName: 'default', containers: [], volumes: [{ name: 'v', secret: { secretName: secret } }] },
  };
}

describe('createAuthorizer', () => {
  it('always allows system:masters, whatever the modes', async () => {
    const authz = createAuthorizer(['AlwaysDeny'], new FakePolicySource(), log);
    const admin = { name: 'root', groups: ['system:masters'] };
    expect((await authz.authorize(attrs(admin, 'delete', 'nodes'))).decision).toBe('Allow');
    expect((await authz.authorize(attrs({ name: 'x', groups: [] }, 'get', 'pods'))).decision).toBe('Deny');
  });

  it('asks the modes in order: the first Allow or Deny wins', async () => {
    const src = new FakePolicySource();
    expect((await createAuthorizer(['AlwaysAllow', 'AlwaysDeny'], src, log).authorize(attrs({ name: 'x', groups: [] }, 'get', 'pods'))).decision).toBe('Allow');
    expect((await createAuthorizer(['AlwaysDeny', 'AlwaysAllow'], src, log).authorize(attrs({ name: 'x', groups: [] }, 'get', 'pods'))).decision).toBe('Deny');
  });

  it('Node: a node reads only the secrets its pods use, and follows pod changes', async () => {
    const src = new FakePolicySource();
    src.put(pods, podOn('a-pod', 'a', 'a-secret'));
    src.put(pods, podOn('b-pod', 'b', 'b-secret'));
    const authz = createAuthorizer(['Node', 'RBAC'], src, log);
    expect(await authz.authorize(attrs(nodeA, 'get', 'secrets', { name: 'a-secret' }))).toEqual({ decision: 'Allow', reason: '' });
    const denied = await authz.authorize(attrs(nodeA, 'get', 'secrets', { name: 'b-secret' }));
    expect(denied).toEqual({ decision: 'NoOpinion', reason: "no relationship found between node 'a' and this object" });
    expect((await authz.authorize(attrs(nodeA, 'list', 'secrets'))).reason).toBe('can only get individual resources of this type');
    // b-pod moves to node a (a new pod in practice): the graph follows the watch.
    src.put(pods, podOn('b-pod', 'a', 'b-secret'));
    expect((await authz.authorize(attrs(nodeA, 'get', 'secrets', { name: 'b-secret' }))).decision).toBe('Allow');
    src.remove(pods, podOn('b-pod', 'a', 'b-secret'));
    expect((await authz.authorize(attrs(nodeA, 'get', 'secrets', { name: 'b-secret' }))).decision).toBe('NoOpinion');
  });

  it('Node: tokens only for service accounts of its pods; only its own lease; kubelet rules for the rest', async () => {
    const src = new FakePolicySource();
    src.put(pods, podOn('a-pod', 'a', 's'));
    const authz = createAuthorizer(['Node'], src, log);
    expect((await authz.authorize(attrs(nodeA, 'create', 'serviceaccounts', { name: 'default', subresource: 'token' }))).decision).toBe('Allow');
    expect((await authz.authorize(attrs(nodeA, 'create', 'serviceaccounts', { name: 'other', subresource: 'token' }))).decision).toBe('NoOpinion');
    const lease = { apiGroup: 'coordination.k8s.io', namespace: 'kube-node-lease' };
    expect((await authz.authorize(attrs(nodeA, 'update', 'leases', { ...lease, name: 'a' }))).decision).toBe('Allow');
    expect(await authz.authorize(attrs(nodeA, 'update', 'leases', { ...lease, name: 'b' }))).toEqual({
      decision: 'NoOpinion',
      reason: 'can only access node lease with the same name as the requesting node',
    });
    expect((await authz.authorize(attrs(nodeA, 'patch', 'pods', { subresource: 'status', name: 'x' }))).decision).toBe('Allow');
    expect((await authz.authorize(attrs(nodeA, 'watch', 'pods', { namespace: '' }))).decision).toBe('Allow');
    expect((await authz.authorize(attrs(nodeA, 'create', 'deployments', { apiGroup: 'apps' }))).decision).toBe('NoOpinion');
    // Not a node: no opinion, no reason.
    expect(await authz.authorize(attrs({ name: 'alice', groups: [] }, 'get', 'secrets', { name: 's' }))).toEqual({ decision: 'NoOpinion', reason: '' });
    expect((await authz.authorize(attrs({ name: 'weird', groups: ['system:nodes'] }, 'get', 'pods'))).reason).toBe('unknown node for user "weird"');
  });

  it('RBAC: sees bindings created after it started, and lists rules', async () => {
    const src = new FakePolicySource();
    const authz = createAuthorizer(['RBAC'], src, log);
    const alice = { name: 'alice', groups: ['system:authenticated'] };
    expect((await authz.authorize(attrs(alice, 'list', 'pods'))).decision).toBe('NoOpinion');
    src.put(clusterRoles, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' }, rules: [{ verbs: ['list'], apiGroups: [''], resources: ['pods'] }] } as KubeObject);
    src.put(clusterRoleBindings, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'alice-reads' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'reader' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }],
    } as KubeObject);
    expect(await authz.authorize(attrs(alice, 'list', 'pods'))).toEqual({
      decision: 'Allow',
      reason: 'RBAC: allowed by ClusterRoleBinding "alice-reads" of ClusterRole "reader" to User "alice"',
    });
    const rules = await authz.rulesFor(alice, 'default');
    expect(rules.resourceRules).toEqual([{ verbs: ['list'], apiGroups: [''], resources: ['pods'] }]);
    expect(rules.incomplete).toBe(false);
  });
});
