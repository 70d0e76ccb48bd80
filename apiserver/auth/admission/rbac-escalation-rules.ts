/**
 * The RBAC rules the escalation check compares, read from the RBAC authorizer's policy
 * index (kept from the apiserver's watch caches and rebuilt only after an RBAC change):
 * what a user holds in a namespace (with the bindings whose role is missing reported as
 * resolution errors, as Kubernetes' rule resolver reports them), and what a binding's
 * roleRef would grant.
 */
import { internalError, notFound } from '../../../api/meta/errors.js';
import type { PolicyRule, RoleRef } from '../../../api/types/rbac.js';
import { RBAC_GROUP } from '../../../api/types/rbac.js';
import type { IndexedBinding, RbacIndex } from '../authz/rbac-index.js';
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

const missingRole = (ref: RoleRef) => notFound({ group: RBAC_GROUP, resource: ref.kind === 'Role' ? 'roles' : 'clusterroles' }, ref.name);

/** A resolver over the RBAC authorizer's current policy index. */
export function escalationRuleResolver(rbac: { policy(): Promise<RbacIndex> }): EscalationRuleResolver {
  return {
    async rulesFor(user, namespace) {
      const index = await rbac.policy();
      const rules: PolicyRule[] = [];
      const errors: string[] = [];
      const seen = new Set<string>();
      for (const b of index.bindingsFor(user.name, user.groups, namespace)) {
        // A binding naming the user and one of their groups is one binding, visited once.
        const id = `${b.kind}/${b.namespace}/${b.name}`;
        if (seen.has(id)) continue;
        seen.add(id);
        if (index.hasRole(b.roleRef, b.namespace)) rules.push(...index.rulesOf(b));
        else errors.push(missingRole(b.roleRef).message);
      }
      return { rules, errors };
    },

    async roleReferenceRules(roleRef, namespace) {
      if (roleRef.kind !== 'Role' && roleRef.kind !== 'ClusterRole') throw internalError(`unsupported role reference kind: ${JSON.stringify(roleRef.kind)}`);
      const index = await rbac.policy();
      if (!index.hasRole(roleRef, namespace)) throw missingRole(roleRef);
      // A ClusterRole's effective rules (aggregation resolved): exactly what the authorizer
      // grants through the binding, even before the aggregation controller has copied them.
      const binding: IndexedBinding = {
        kind: namespace ? 'RoleBinding' : 'ClusterRoleBinding',
        name: '',
        namespace,
        roleRef,
        subject: { kind: 'User', name: '' },
      };
      return index.rulesOf(binding);
    },
  };
}
