/**
 * The RBAC rules the escalation check compares, read from the apiserver's watch caches:
 * what a user holds in a namespace (with the bindings whose role is missing reported as
 * resolution errors, as Kubernetes' rule resolver reports them), and what a binding's
 * roleRef would grant.
 */
import { internalError, notFound } from '../../../api/meta/errors.js';
import { clusterRoleBindings, clusterRoles, roleBindings, roles } from '../../../api/registry.js';
import type { ResourceDef } from '../../../api/resource.js';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef } from '../../../api/types/rbac.js';
import { RBAC_GROUP } from '../../../api/types/rbac.js';
import type { PolicySource } from '../authz/rbac-authorizer.js';
import { RbacIndex, asPolicy, type IndexedBinding } from '../authz/rbac-index.js';
import type { UserInfo } from '../types.js';

export interface HeldRules {
  rules: PolicyRule[];
  /** One message per binding of the user whose role could not be found. */
  errors: string[];
}

export interface EscalationRuleResolver {
  /** The rules `user` holds: cluster-wide, plus those of RoleBindings in `namespace` when it is not ''. */
  rulesFor(user: UserInfo, namespace: string): Promise<HeldRules>;
  /** The rules a binding in `namespace` ('' = a ClusterRoleBinding) to `roleRef` grants; 404 NotFound when the role does not exist. */
  roleReferenceRules(roleRef: RoleRef, namespace: string): Promise<PolicyRule[]>;
}

interface Snapshot {
  index: RbacIndex;
  clusterRoleNames: Set<string>;
  /** "namespace/name" */
  roleKeys: Set<string>;
}

const missingRole = (ref: RoleRef) => notFound({ group: RBAC_GROUP, resource: ref.kind === 'Role' ? 'roles' : 'clusterroles' }, ref.name);

/**
 * A resolver over the watch caches. It builds a fresh index per question: RBAC objects are
 * written rarely, and the answer must reflect the caches at the moment of the write.
 */
export function cachedRuleResolver(src: PolicySource): EscalationRuleResolver {
  const items = async <T>(def: ResourceDef): Promise<T[]> => {
    const cache = src.storeFor(def).cache;
    await cache.ready;
    return asPolicy<T>(cache.list().items);
  };
  const snapshot = async (): Promise<Snapshot> => {
    const [cr, r, crb, rb] = await Promise.all([
      items<ClusterRole>(clusterRoles),
      items<Role>(roles),
      items<ClusterRoleBinding>(clusterRoleBindings),
      items<RoleBinding>(roleBindings),
    ]);
    return {
      index: new RbacIndex({ clusterRoles: cr, roles: r, clusterRoleBindings: crb, roleBindings: rb }),
      clusterRoleNames: new Set(cr.map((x) => x.metadata.name ?? '')),
      roleKeys: new Set(r.map((x) => `${x.metadata.namespace ?? ''}/${x.metadata.name ?? ''}`)),
    };
  };
  const exists = (s: Snapshot, ref: RoleRef, namespace: string): boolean =>
    ref.kind === 'ClusterRole' ? s.clusterRoleNames.has(ref.name) : ref.kind === 'Role' && namespace !== '' && s.roleKeys.has(`${namespace}/${ref.name}`);

  return {
    async rulesFor(user, namespace) {
      const s = await snapshot();
      const rules: PolicyRule[] = [];
      const errors: string[] = [];
      const seen = new Set<string>();
      for (const b of s.index.bindingsFor(user.name, user.groups, namespace)) {
        // A binding naming the user and one of their groups is one binding, visited once.
        const id = `${b.kind}/${b.namespace}/${b.name}`;
        if (seen.has(id)) continue;
        seen.add(id);
        if (exists(s, b.roleRef, b.namespace)) rules.push(...s.index.rulesOf(b));
        else errors.push(missingRole(b.roleRef).message);
      }
      return { rules, errors };
    },

    async roleReferenceRules(roleRef, namespace) {
      if (roleRef.kind !== 'Role' && roleRef.kind !== 'ClusterRole') throw internalError(`unsupported role reference kind: ${JSON.stringify(roleRef.kind)}`);
      const s = await snapshot();
      if (!exists(s, roleRef, namespace)) throw missingRole(roleRef);
      // A ClusterRole's effective rules (its aggregated ones included): exactly what the
      // authorizer would grant through the binding, even before the aggregation controller
      // has copied them into the role's own rules.
      const binding: IndexedBinding = {
        kind: namespace ? 'RoleBinding' : 'ClusterRoleBinding',
        name: '',
        namespace,
        roleRef,
        subject: { kind: 'User', name: '' },
      };
      return s.index.rulesOf(binding);
    },
  };
}
