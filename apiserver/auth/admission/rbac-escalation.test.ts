import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../api/meta/object-meta.js';
import { clusterRoleBindings, clusterRoles, roleBindings, roles } from '../../../api/registry.js';
import type { ResourceDef } from '../../../api/resource.js';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from '../../../api/types/rbac.js';
import { RBAC_GROUP } from '../../../api/types/rbac.js';
import { BOOTSTRAP_CLUSTER_ROLE_BINDINGS, BOOTSTRAP_CLUSTER_ROLES } from '../authz/bootstrap-policy.js';
import { FakePolicySource } from '../authz/fake-policy-source.js';
import { createAuthorizer } from '../authz/index.js';
import type { AdmissionRequest, UserInfo } from '../types.js';
import { compactRules, compactString, escalationMessage, goQuote } from './rbac-escalation-message.js';
import { onlyGarbageCollectorFieldsChanged, rbacEscalation } from './rbac-escalation.js';
import { escalationRuleResolver } from './rbac-escalation-rules.js';

const log = pino({ level: 'silent' });
const V1 = `${RBAC_GROUP}/v1`;

const bob: UserInfo = { name: 'bob', groups: ['team', 'system:authenticated'] };
const root: UserInfo = { name: 'root', groups: ['system:masters', 'system:authenticated'] };

const user = (name: string): Subject => ({ kind: 'User', apiGroup: RBAC_GROUP, name });
const rule = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule =>
  resourceNames ? { verbs, apiGroups, resources, resourceNames } : { verbs, apiGroups, resources };

function role(namespace: string, name: string, rules: PolicyRule[]): Role {
  return { apiVersion: V1, kind: 'Role', metadata: { namespace, name }, rules };
}
function clusterRole(name: string, rules: PolicyRule[]): ClusterRole {
  return { apiVersion: V1, kind: 'ClusterRole', metadata: { name }, rules };
}
function roleBinding(namespace: string, name: string, kind: 'Role' | 'ClusterRole', ref: string, subjects: Subject[]): RoleBinding {
  return { apiVersion: V1, kind: 'RoleBinding', metadata: { namespace, name }, roleRef: { apiGroup: RBAC_GROUP, kind, name: ref }, subjects };
}
function clusterRoleBinding(name: string, ref: string, subjects: Subject[]): ClusterRoleBinding {
  return { apiVersion: V1, kind: 'ClusterRoleBinding', metadata: { name }, roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: ref }, subjects };
}

/** A cluster with the bootstrap policy, and bob an `admin` of namespace "team-a" through a RoleBinding. */
function cluster() {
  const src = new FakePolicySource();
  for (const r of BOOTSTRAP_CLUSTER_ROLES) src.put(clusterRoles, r as unknown as KubeObject);
  for (const b of BOOTSTRAP_CLUSTER_ROLE_BINDINGS) src.put(clusterRoleBindings, b as unknown as KubeObject);
  src.put(roleBindings, roleBinding('team-a', 'bob-admin', 'ClusterRole', 'admin', [user('bob')]) as unknown as KubeObject);
  const put = (def: ResourceDef, o: Role | ClusterRole | RoleBinding | ClusterRoleBinding) => src.put(def, o as unknown as KubeObject);
  const authorizer = createAuthorizer(['RBAC'], src, log);
  const plugin = rbacEscalation({ authorizer, resolver: escalationRuleResolver(authorizer.rbac!) });
  return { src, put, plugin };
}

function create(def: ResourceDef, object: Role | ClusterRole | RoleBinding | ClusterRoleBinding, who: UserInfo = bob): AdmissionRequest {
  const obj = object as unknown as KubeObject;
  return { operation: 'CREATE', def, subresource: '', namespace: obj.metadata.namespace ?? '', name: obj.metadata.name ?? '', object: obj, user: who, dryRun: false };
}
function update(def: ResourceDef, object: Role | ClusterRole | RoleBinding | ClusterRoleBinding, old: typeof object, who: UserInfo = bob): AdmissionRequest {
  return { ...create(def, object, who), operation: 'UPDATE', oldObject: old as unknown as KubeObject };
}

describe('RBAC escalation admission: roles', () => {
  it('lets a namespace admin create a Role with a subset of admin rules in their namespace', async () => {
    const { plugin } = cluster();
    await expect(plugin.validate(create(roles, role('team-a', 'readers', [rule(['get', 'list'], [''], ['pods', 'secrets'])])))).resolves.toBeUndefined();
    await expect(plugin.validate(create(roles, role('team-a', 'deployers', [rule(['create', 'update'], ['apps'], ['deployments', 'deployments/scale'])])))).resolves.toBeUndefined();
  });

  it('refuses the same admin a Role in another namespace, with the missing rules listed', async () => {
    const { plugin } = cluster();
    await expect(plugin.validate(create(roles, role('team-b', 'readers', [rule(['get', 'list'], [''], ['secrets'])])))).rejects.toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message:
        'roles.rbac.authorization.k8s.io "readers" is forbidden: user "bob" (groups=["team" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
        '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}',
      details: { name: 'readers', group: RBAC_GROUP, kind: 'roles' },
    });
  });

  it('refuses rules beyond admin in the own namespace, and any ClusterRole with namespace rules only', async () => {
    const { plugin } = cluster();
    await expect(plugin.validate(create(roles, role('team-a', 'star', [rule(['*'], ['*'], ['*'])])))).rejects.toThrow(
      'is attempting to grant RBAC permissions not currently held:\n{APIGroups:["*"], Resources:["*"], Verbs:["*"]}',
    );
    // Cluster-scoped: bob's RoleBinding in team-a does not count.
    await expect(plugin.validate(create(clusterRoles, clusterRole('pod-reader', [rule(['get'], [''], ['pods'])])))).rejects.toThrow(
      'clusterroles.rbac.authorization.k8s.io "pod-reader" is forbidden: user "bob"',
    );
    // What every authenticated user holds cluster-wide (system:basic-user) may be granted by anyone.
    await expect(
      plugin.validate(create(clusterRoles, clusterRole('self-review', [rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews'])]))),
    ).resolves.toBeUndefined();
  });

  it('prints non-resource URLs and resource names as Kubernetes does', async () => {
    const { plugin } = cluster();
    const wanted: PolicyRule[] = [{ verbs: ['get'], nonResourceURLs: ['/metrics'] }, rule(['get', 'update'], [''], ['secrets'], ['s1'])];
    await expect(plugin.validate(create(roles, role('team-b', 'mixed', wanted)))).rejects.toThrow(
      'not currently held:\n{APIGroups:[""], Resources:["secrets"], ResourceNames:["s1"], Verbs:["get" "update"]}\n{NonResourceURLs:["/metrics"], Verbs:["get"]}',
    );
  });

  it('lets system:masters write anything', async () => {
    const { plugin } = cluster();
    await expect(plugin.validate(create(clusterRoles, clusterRole('all', [rule(['*'], ['*'], ['*'])]), root))).resolves.toBeUndefined();
  });

  it('lets a user granted escalate write roles beyond their rules; a name-limited escalate allows updating that one only', async () => {
    const { plugin, put } = cluster();
    put(clusterRoles, clusterRole('escalator', [rule(['escalate'], [RBAC_GROUP], ['clusterroles'])]));
    put(clusterRoleBindings, clusterRoleBinding('bob-escalator', 'escalator', [user('bob')]));
    await expect(plugin.validate(create(clusterRoles, clusterRole('all', [rule(['*'], ['*'], ['*'])])))).resolves.toBeUndefined();

    const { plugin: p2, put: put2 } = cluster();
    put2(clusterRoles, clusterRole('escalate-x', [rule(['escalate'], [RBAC_GROUP], ['clusterroles'], ['x'])]));
    put2(clusterRoleBindings, clusterRoleBinding('bob-escalate-x', 'escalate-x', [user('bob')]));
    const old = clusterRole('x', []);
    const grown = clusterRole('x', [rule(['*'], ['*'], ['*'])]);
    await expect(p2.validate(update(clusterRoles, grown, old))).resolves.toBeUndefined();
    await expect(p2.validate(update(clusterRoles, { ...grown, metadata: { name: 'y' } }, { ...old, metadata: { name: 'y' } }))).rejects.toThrow('forbidden');
    // As in Kubernetes, a create is asked about with no name: a name-limited escalate does not allow it.
    await expect(p2.validate(create(clusterRoles, grown))).rejects.toThrow('attempting to grant RBAC permissions not currently held');
  });

  it('takes cluster-admin to set, change or drop an aggregationRule (it can gather any rule)', async () => {
    const { plugin, put } = cluster();
    // bob may write ClusterRoles (but not escalate) and is already bound to one that does not exist yet.
    put(clusterRoles, clusterRole('role-writer', [rule(['create', 'update'], [RBAC_GROUP], ['clusterroles'])]));
    put(clusterRoleBindings, clusterRoleBinding('bob-role-writer', 'role-writer', [user('bob')]));
    put(clusterRoleBindings, clusterRoleBinding('bob-mine', 'mine', [user('bob')]));
    const gatherAll: ClusterRole = { ...clusterRole('mine', []), aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } }] } };
    const refused = {
      code: 403,
      message: 'clusterroles.rbac.authorization.k8s.io "mine" is forbidden: must have cluster-admin privileges to use the aggregationRule',
    };
    await expect(plugin.validate(create(clusterRoles, gatherAll))).rejects.toMatchObject(refused);
    const plain = clusterRole('mine', []);
    await expect(plugin.validate(update(clusterRoles, gatherAll, plain))).rejects.toMatchObject(refused);
    await expect(plugin.validate(update(clusterRoles, plain, gatherAll))).rejects.toMatchObject(refused);
    // Without an aggregationRule on either side, only the rules are checked.
    await expect(plugin.validate(create(clusterRoles, plain))).resolves.toBeUndefined();
    await expect(plugin.validate(create(clusterRoles, gatherAll, root))).resolves.toBeUndefined();
  });

  it('lets the garbage collector edit owner references and finalizers without the rules', async () => {
    const { plugin } = cluster();
    const old = role('team-b', 'r', [rule(['get'], [''], ['secrets'])]);
    const orphaned: Role = { ...old, metadata: { ...old.metadata, ownerReferences: [], finalizers: ['x'], resourceVersion: '9' } };
    expect(onlyGarbageCollectorFieldsChanged(orphaned as unknown as KubeObject, old as unknown as KubeObject)).toBe(true);
    await expect(plugin.validate(update(roles, orphaned, old))).resolves.toBeUndefined();
    const relabelled: Role = { ...old, metadata: { ...old.metadata, labels: { a: 'b' } } };
    await expect(plugin.validate(update(roles, relabelled, old))).rejects.toThrow('attempting to grant RBAC permissions not currently held');
  });
});

describe('RBAC escalation admission: bindings', () => {
  it('refuses a namespace admin a RoleBinding to cluster-admin', async () => {
    const { plugin } = cluster();
    const rb = roleBinding('team-a', 'pwn', 'ClusterRole', 'cluster-admin', [user('mallory')]);
    await expect(plugin.validate(create(roleBindings, rb))).rejects.toMatchObject({
      code: 403,
      message:
        'rolebindings.rbac.authorization.k8s.io "pwn" is forbidden: user "bob" (groups=["team" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
        '{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}',
    });
  });

  it('lets a namespace admin bind edit, view and admin in their namespace, not elsewhere nor cluster-wide', async () => {
    const { plugin } = cluster();
    for (const ref of ['edit', 'view', 'admin']) {
      await expect(plugin.validate(create(roleBindings, roleBinding('team-a', `alice-${ref}`, 'ClusterRole', ref, [user('alice')])))).resolves.toBeUndefined();
    }
    await expect(plugin.validate(create(roleBindings, roleBinding('team-b', 'alice-edit', 'ClusterRole', 'edit', [user('alice')])))).rejects.toThrow(
      'rolebindings.rbac.authorization.k8s.io "alice-edit" is forbidden',
    );
    await expect(plugin.validate(create(clusterRoleBindings, clusterRoleBinding('alice-view', 'view', [user('alice')])))).rejects.toThrow(
      'clusterrolebindings.rbac.authorization.k8s.io "alice-view" is forbidden',
    );
  });

  it('checks a binding to a Role against that Role in the binding namespace', async () => {
    const { plugin, put } = cluster();
    put(roles, role('team-a', 'readers', [rule(['get'], [''], ['pods'])]));
    put(roles, role('team-b', 'readers', [rule(['get'], [''], ['pods'])]));
    await expect(plugin.validate(create(roleBindings, roleBinding('team-a', 'r', 'Role', 'readers', [user('alice')])))).resolves.toBeUndefined();
    await expect(plugin.validate(create(roleBindings, roleBinding('team-b', 'r', 'Role', 'readers', [user('alice')])))).rejects.toThrow(
      '{APIGroups:[""], Resources:["pods"], Verbs:["get"]}',
    );
  });

  it('answers NotFound for a role that does not exist, unless bind is allowed', async () => {
    const { plugin, put } = cluster();
    await expect(plugin.validate(create(roleBindings, roleBinding('team-a', 'x', 'ClusterRole', 'nope', [user('alice')])))).rejects.toMatchObject({
      code: 404,
      reason: 'NotFound',
      message: 'clusterroles.rbac.authorization.k8s.io "nope" not found',
    });
    await expect(plugin.validate(create(roleBindings, roleBinding('team-a', 'x', 'Role', 'nope', [user('alice')])))).rejects.toThrow(
      'roles.rbac.authorization.k8s.io "nope" not found',
    );
    put(clusterRoles, clusterRole('binder', [rule(['bind'], [RBAC_GROUP], ['clusterroles'])]));
    put(clusterRoleBindings, clusterRoleBinding('bob-binder', 'binder', [user('bob')]));
    await expect(plugin.validate(create(roleBindings, roleBinding('team-a', 'x', 'ClusterRole', 'nope', [user('alice')])))).resolves.toBeUndefined();
  });

  it('lets a user granted bind on one role by name bind that role only', async () => {
    const { plugin, put } = cluster();
    put(clusterRoles, clusterRole('bind-admin', [rule(['bind'], [RBAC_GROUP], ['clusterroles'], ['cluster-admin'])]));
    put(roleBindings, roleBinding('team-a', 'bob-bind-admin', 'ClusterRole', 'bind-admin', [user('bob')]));
    await expect(plugin.validate(create(roleBindings, roleBinding('team-a', 'ok', 'ClusterRole', 'cluster-admin', [user('alice')])))).resolves.toBeUndefined();
    // The bind permission came from a RoleBinding in team-a: it does not reach team-b, nor cluster scope.
    await expect(plugin.validate(create(roleBindings, roleBinding('team-b', 'no', 'ClusterRole', 'cluster-admin', [user('alice')])))).rejects.toThrow('forbidden');
    await expect(plugin.validate(create(clusterRoleBindings, clusterRoleBinding('no', 'cluster-admin', [user('alice')])))).rejects.toThrow('forbidden');
    await expect(plugin.validate(create(roleBindings, roleBinding('team-a', 'no', 'ClusterRole', 'system:node', [user('alice')])))).rejects.toThrow('forbidden');
  });

  it('reports the user own bindings to missing roles as resolution errors', async () => {
    const { plugin, put } = cluster();
    put(roleBindings, roleBinding('team-a', 'dangling', 'Role', 'gone', [user('bob')]));
    await expect(plugin.validate(create(roles, role('team-a', 'r', [rule(['escalate'], [RBAC_GROUP], ['roles'])])))).rejects.toThrow(
      '{APIGroups:["rbac.authorization.k8s.io"], Resources:["roles"], Verbs:["escalate"]}; resolution errors: [roles.rbac.authorization.k8s.io "gone" not found]',
    );
  });

  it('leaves other resources, deletes and system:masters alone', async () => {
    const { plugin } = cluster();
    const rb = roleBinding('team-b', 'pwn', 'ClusterRole', 'cluster-admin', [user('bob')]);
    await expect(plugin.validate(create(roleBindings, rb, root))).resolves.toBeUndefined();
    await expect(plugin.validate({ ...create(roleBindings, rb), operation: 'DELETE', object: undefined, oldObject: rb as unknown as KubeObject })).resolves.toBeUndefined();
  });
});

describe('escalation message', () => {
  it('merges atoms that differ only by verb, and quotes as Go does', () => {
    const atoms = [rule(['get'], [''], ['pods']), rule(['list'], [''], ['pods']), rule(['get'], ['apps'], ['deployments'])];
    expect(compactRules(atoms).map(compactString).sort()).toEqual(['{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}', '{APIGroups:["apps"], Resources:["deployments"], Verbs:["get"]}']);
    expect(goQuote('a"b\\c\n\x01')).toBe('"a\\"b\\\\c\\n\\x01"');
    expect(escalationMessage({ name: 'u', groups: [] }, [rule(['get'], [''], ['pods'])], ['e1', 'e2'])).toBe(
      'user "u" (groups=[]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["get"]}; resolution errors: [[e1, e2]]',
    );
  });
});
