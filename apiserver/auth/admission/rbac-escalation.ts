/**
 * RBAC escalation prevention, as Kubernetes' RBAC registry does it: a user may only write
 * a Role or ClusterRole whose rules they already hold, and only bind a role whose rules
 * they already hold, unless they are in system:masters or are explicitly allowed the verb
 * `escalate` (on the role) or `bind` (on the referenced role). Refusals are 403 Forbidden
 * with kube-apiserver's message.
 */
import { forbidden } from '../../../api/meta/errors.js';
import type { KubeObject } from '../../../api/meta/object-meta.js';
import type { PolicyRule, RoleRef } from '../../../api/types/rbac.js';
import { RBAC_GROUP } from '../../../api/types/rbac.js';
import { deepEqual } from '../../../api/types/deep-equal.js';
import { covers } from '../authz/rbac-rules.js';
import { PRIVILEGED_GROUP } from '../authz/union.js';
import type { AdmissionRequest, Authorizer, RequestAttributes, UserInfo, ValidatingAdmission } from '../types.js';
import { escalationMessage } from './rbac-escalation-message.js';
import type { EscalationRuleResolver } from './rbac-escalation-rules.js';

export interface RbacEscalationDeps {
  /** The apiserver's authorizer, asked about `escalate` and `bind`. */
  authorizer: Authorizer;
  resolver: EscalationRuleResolver;
}

const ROLE_RESOURCES = new Set(['roles', 'clusterroles']);
const BINDING_RESOURCES = new Set(['rolebindings', 'clusterrolebindings']);

interface RoleLike extends KubeObject {
  rules?: PolicyRule[];
  aggregationRule?: { clusterRoleSelectors?: unknown[] | null } | null;
}

/** What cluster-admin holds. */
const FULL_AUTHORITY: readonly PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

function aggregates(obj: KubeObject): boolean {
  return ((obj as RoleLike).aggregationRule?.clusterRoleSelectors?.length ?? 0) > 0;
}
interface BindingLike extends KubeObject {
  roleRef: RoleRef;
}

function resourceAttributes(user: UserInfo, verb: string, resource: string, namespace: string, name: string): RequestAttributes {
  return { user, verb, resourceRequest: true, path: '', apiGroup: RBAC_GROUP, apiVersion: '*', resource, subresource: '', namespace, name };
}

/**
 * True when an update changes nothing but what the garbage collector edits (owner
 * references, finalizers): the GC may clean up roles it could not have written.
 */
export function onlyGarbageCollectorFieldsChanged(obj: KubeObject, old: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const { ownerReferences: _o, finalizers: _f, managedFields: _m, selfLink: _s, resourceVersion: _r, generation: _g, ...meta } = o.metadata as KubeObject['metadata'] & { selfLink?: string };
    return { ...o, metadata: meta };
  };
  return deepEqual(strip(obj), strip(old));
}

export function rbacEscalation(deps: RbacEscalationDeps): ValidatingAdmission {
  const allowed = async (attrs: RequestAttributes) => (await deps.authorizer.authorize(attrs)).decision === 'Allow';

  /** ConfirmNoEscalation: the user's own rules in `namespace` must cover `rules`. */
  const confirmNoEscalation = async (req: AdmissionRequest, name: string, rules: readonly PolicyRule[], namespace: string) => {
    const held = await deps.resolver.rulesFor(req.user, namespace);
    const { covered, missing } = covers(held.rules, rules);
    if (!covered) throw forbidden({ group: RBAC_GROUP, resource: req.def.plural }, name, escalationMessage(req.user, missing, held.errors));
  };

  return {
    name: 'RBACEscalation',
    async validate(req: AdmissionRequest): Promise<void> {
      if (req.def.group !== RBAC_GROUP || req.subresource || !req.object) return;
      if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return;
      const resource = req.def.plural;
      if (!ROLE_RESOURCES.has(resource) && !BINDING_RESOURCES.has(resource)) return;
      // system:masters is how the apiserver's own privileged clients connect: never checked.
      if (req.user.groups.includes(PRIVILEGED_GROUP)) return;
      if (req.operation === 'UPDATE' && req.oldObject && onlyGarbageCollectorFieldsChanged(req.object, req.oldObject)) return;
      const name = req.name || req.object.metadata.name || '';
      const namespace = req.def.namespaced ? req.namespace : '';

      if (ROLE_RESOURCES.has(resource)) {
        // Like Kubernetes, the name asked about is the request URL's: none on a create.
        const urlName = req.operation === 'CREATE' ? '' : name;
        if (await allowed(resourceAttributes(req.user, 'escalate', resource, namespace, urlName))) return;
        // The explicit rules: an aggregated ClusterRole's are filled in by its controller.
        await confirmNoEscalation(req, name, (req.object as RoleLike).rules ?? [], namespace);
        // An aggregationRule can gather any rules there are, so setting, changing or
        // dropping one takes everything (Kubernetes: "*" on everything).
        if (resource === 'clusterroles' && (aggregates(req.object) || (req.oldObject !== undefined && aggregates(req.oldObject)))) {
          const held = await deps.resolver.rulesFor(req.user, '');
          if (!covers(held.rules, FULL_AUTHORITY).covered) {
            throw forbidden({ group: RBAC_GROUP, resource }, name, 'must have cluster-admin privileges to use the aggregationRule');
          }
        }
        return;
      }

      const { roleRef } = req.object as BindingLike;
      const refResource = roleRef.kind === 'Role' ? 'roles' : roleRef.kind === 'ClusterRole' ? 'clusterroles' : '';
      if (refResource) {
        // Bind is asked where the binding lives ('' for a ClusterRoleBinding), about the role it names.
        const bind: RequestAttributes = { ...resourceAttributes(req.user, 'bind', refResource, namespace, roleRef.name), apiGroup: roleRef.apiGroup };
        if (await allowed(bind)) return;
      }
      // A role that cannot be resolved is an error (404 NotFound), as in Kubernetes.
      const rules = await deps.resolver.roleReferenceRules(roleRef, namespace);
      await confirmNoEscalation(req, name, rules, namespace);
    },
  };
}
