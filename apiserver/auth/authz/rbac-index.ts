/**
 * RBAC policy as the authorizer reads it: roles by name, bindings indexed by subject
 * (user name or group), ClusterRole aggregation resolved. Fed from the apiserver's
 * watch caches; rebuilt lazily after a change, so a request never reads etcd.
 */
import type { KubeObject } from '../../../api/meta/object-meta.js';
import { labelSelectorMatches } from '../../../api/selectors/labels.js';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject } from '../../../api/types/rbac.js';

export interface IndexedBinding {
  kind: 'ClusterRoleBinding' | 'RoleBinding';
  name: string;
  /** '' for ClusterRoleBindings. */
  namespace: string;
  roleRef: RoleRef;
  subject: Subject;
}

export interface PolicySnapshot {
  clusterRoles: readonly ClusterRole[];
  roles: readonly Role[];
  clusterRoleBindings: readonly ClusterRoleBinding[];
  roleBindings: readonly RoleBinding[];
}

export function serviceAccountUserName(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

export class RbacIndex {
  private readonly clusterRoleRules = new Map<string, PolicyRule[]>();
  private readonly roleRules = new Map<string, PolicyRule[]>();
  private readonly byUser = new Map<string, IndexedBinding[]>();
  private readonly byGroup = new Map<string, IndexedBinding[]>();

  constructor(snapshot: PolicySnapshot) {
    const clusterRoles = new Map(snapshot.clusterRoles.map((r) => [r.metadata.name ?? '', r]));
    for (const name of clusterRoles.keys()) this.clusterRoleRules.set(name, effectiveRules(name, clusterRoles, new Set()));
    for (const r of snapshot.roles) this.roleRules.set(`${r.metadata.namespace ?? ''}/${r.metadata.name ?? ''}`, r.rules ?? []);
    for (const b of snapshot.clusterRoleBindings) this.addBinding('ClusterRoleBinding', b, '');
    for (const b of snapshot.roleBindings) this.addBinding('RoleBinding', b, b.metadata.namespace ?? '');
  }

  private addBinding(kind: IndexedBinding['kind'], b: ClusterRoleBinding | RoleBinding, namespace: string): void {
    for (const subject of b.subjects ?? []) {
      const entry: IndexedBinding = { kind, name: b.metadata.name ?? '', namespace, roleRef: b.roleRef, subject };
      if (subject.kind === 'User') push(this.byUser, subject.name, entry);
      else if (subject.kind === 'Group') push(this.byGroup, subject.name, entry);
      else if (subject.kind === 'ServiceAccount') {
        // A RoleBinding's ServiceAccount subject without a namespace means the binding's namespace.
        const ns = subject.namespace || namespace;
        if (ns) push(this.byUser, serviceAccountUserName(ns, subject.name), entry);
      }
    }
  }

  /**
   * The bindings that apply to a user, ClusterRoleBindings first, then RoleBindings of
   * `namespace` ('' = cluster scope: no RoleBinding applies).
   */
  bindingsFor(userName: string, groups: readonly string[], namespace: string): IndexedBinding[] {
    const all = [...(this.byUser.get(userName) ?? []), ...groups.flatMap((g) => this.byGroup.get(g) ?? [])];
    const cluster = all.filter((b) => b.kind === 'ClusterRoleBinding');
    const local = namespace ? all.filter((b) => b.kind === 'RoleBinding' && b.namespace === namespace) : [];
    return [...cluster, ...local];
  }

  /** Whether the role a binding in `namespace` ('' = a ClusterRoleBinding) refers to exists. */
  hasRole(ref: RoleRef, namespace: string): boolean {
    if (ref.kind === 'ClusterRole') return this.clusterRoleRules.has(ref.name);
    return ref.kind === 'Role' && namespace !== '' && this.roleRules.has(`${namespace}/${ref.name}`);
  }

  /** The rules a binding grants (none when its role does not exist). */
  rulesOf(b: IndexedBinding): PolicyRule[] {
    if (b.roleRef.kind === 'ClusterRole') return this.clusterRoleRules.get(b.roleRef.name) ?? [];
    if (b.roleRef.kind === 'Role' && b.kind === 'RoleBinding') return this.roleRules.get(`${b.namespace}/${b.roleRef.name}`) ?? [];
    return [];
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * A ClusterRole's rules. For one that aggregates, the effective rules of every ClusterRole
 * its selectors match (transitively: edit aggregates into admin) instead of its stored
 * rules: those are the controller's copy of the same, which lags, and which a revoked
 * source rule must not outlive. (Kubernetes reads the stored copy; the two agree once the
 * clusterrole-aggregation controller has caught up.)
 */
function effectiveRules(name: string, roles: Map<string, ClusterRole>, visiting: Set<string>): PolicyRule[] {
  const role = roles.get(name);
  if (!role) return [];
  const selectors = role.aggregationRule?.clusterRoleSelectors ?? [];
  if (selectors.length === 0) return [...(role.rules ?? [])];
  const rules: PolicyRule[] = [];
  if (visiting.has(name)) return rules;
  visiting.add(name);
  const others = [...roles.values()].filter((r) => r.metadata.name !== name).sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  for (const other of others) {
    if (!selectors.some((s) => labelSelectorMatches(s, other.metadata.labels))) continue;
    rules.push(...effectiveRules(other.metadata.name ?? '', roles, visiting));
  }
  visiting.delete(name);
  return rules;
}

/** The objects of a snapshot, typed by kind (the caches hold validated objects). */
export function asPolicy<T>(items: KubeObject[]): T[] {
  return items as unknown as T[];
}
