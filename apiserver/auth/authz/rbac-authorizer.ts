/**
 * The RBAC authorizer: allows a request when a binding that applies to the user grants a
 * role with a matching rule. Like Kubernetes it has no opinion (no reason) otherwise.
 */
import type { KubeObject } from '../../../api/meta/object-meta.js';
import { clusterRoleBindings, clusterRoles, roleBindings, roles } from '../../../api/registry.js';
import type { ResourceDef } from '../../../api/resource.js';
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding, Subject } from '../../../api/types/rbac.js';
import type { ResourceStore } from '../../registry/resource-store.js';
import type { AuthorizationResult, Authorizer, RequestAttributes, UserInfo } from '../types.js';
import { CacheView } from './cache-view.js';
import { RbacIndex, asPolicy, type IndexedBinding } from './rbac-index.js';
import { rulesAllow } from './rbac-rules.js';
import type { RuleResolver, UserRules } from './rules.js';
import { splitRules } from './rules.js';

export interface PolicySource {
  storeFor(def: ResourceDef): ResourceStore;
}

export class RbacAuthorizer implements Authorizer, RuleResolver {
  private readonly objects = {
    clusterRoles: new Map<string, KubeObject>(),
    roles: new Map<string, KubeObject>(),
    clusterRoleBindings: new Map<string, KubeObject>(),
    roleBindings: new Map<string, KubeObject>(),
  };
  private readonly views: CacheView[];
  private index?: RbacIndex;

  constructor(src: PolicySource) {
    const view = (def: ResourceDef, target: Map<string, KubeObject>) =>
      new CacheView(src.storeFor(def).cache, {
        reset: (items) => {
          target.clear();
          for (const o of items) target.set(keyOf(o), o);
          this.index = undefined;
        },
        apply: (ev) => {
          if (ev.type === 'DELETED') target.delete(keyOf(ev.object));
          else target.set(keyOf(ev.object), ev.object);
          this.index = undefined;
        },
      });
    this.views = [
      view(clusterRoles, this.objects.clusterRoles),
      view(roles, this.objects.roles),
      view(clusterRoleBindings, this.objects.clusterRoleBindings),
      view(roleBindings, this.objects.roleBindings),
    ];
  }

  /** The policy as of now, rebuilt only after an RBAC object changed (also read by the escalation check). */
  async policy(): Promise<RbacIndex> {
    const pending = this.views.map((v) => v.ready()).filter((p) => p !== undefined);
    if (pending.length) await Promise.all(pending);
    this.index ??= new RbacIndex({
      clusterRoles: asPolicy<ClusterRole>([...this.objects.clusterRoles.values()]),
      roles: asPolicy<Role>([...this.objects.roles.values()]),
      clusterRoleBindings: asPolicy<ClusterRoleBinding>([...this.objects.clusterRoleBindings.values()]),
      roleBindings: asPolicy<RoleBinding>([...this.objects.roleBindings.values()]),
    });
    return this.index;
  }

  async authorize(attrs: RequestAttributes): Promise<AuthorizationResult> {
    const index = await this.policy();
    for (const b of index.bindingsFor(attrs.user.name, attrs.user.groups, attrs.namespace)) {
      if (rulesAllow(attrs, index.rulesOf(b))) return { decision: 'Allow', reason: `RBAC: allowed by ${describe(b)}` };
    }
    return { decision: 'NoOpinion', reason: '' };
  }

  async rulesFor(user: UserInfo, namespace: string): Promise<UserRules> {
    const index = await this.policy();
    const rules = index.bindingsFor(user.name, user.groups, namespace).flatMap((b) => index.rulesOf(b));
    return { ...splitRules(rules), incomplete: false };
  }
}

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
}

function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') return `ServiceAccount ${JSON.stringify(`${s.name}/${s.namespace || bindingNamespace}`)}`;
  return `${s.kind} ${JSON.stringify(s.name)}`;
}

/** `ClusterRoleBinding "x" of ClusterRole "y" to User "z"`, as Kubernetes' RBAC reason reads. */
function describe(b: IndexedBinding): string {
  const name = b.kind === 'RoleBinding' ? `${b.name}/${b.namespace}` : b.name;
  return `${b.kind} ${JSON.stringify(name)} of ${b.roleRef.kind} ${JSON.stringify(b.roleRef.name)} to ${describeSubject(b.subject, b.namespace)}`;
}
