/**
 * The rules an aggregated ClusterRole should hold, as Kubernetes' clusterrole-aggregation
 * controller computes them: for each of its clusterRoleSelectors in order, the ClusterRoles
 * that selector matches (itself excluded) sorted by name, their rules in their order, an
 * exact duplicate of a rule already taken skipped. A role with filled rules that is itself
 * selected passes them on (view's rules reach edit, edit's reach admin) as the controller
 * converges.
 */
import { labelSelectorAsSelector } from '../../api/selectors/labels.js';
import type { ClusterRole, PolicyRule } from '../../api/types/rbac.js';

/** Whether the role collects rules from others. */
export function isAggregated(role: ClusterRole): boolean {
  return role.aggregationRule !== undefined;
}

/** Byte-order comparison, as Go's sort by string (not locale order). */
function byName(a: ClusterRole, b: ClusterRole): number {
  const x = a.metadata.name ?? '';
  const y = b.metadata.name ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

const LIST_FIELDS = ['verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'] as const;

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** Exact equality of two rules, an absent list counting as an empty one (Go's semantic equality of nil and empty slices). */
export function sameRule(a: PolicyRule, b: PolicyRule): boolean {
  return LIST_FIELDS.every((f) => sameList(a[f], b[f]));
}

export function sameRules(a: readonly PolicyRule[] | undefined, b: readonly PolicyRule[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((r, i) => sameRule(r, y[i]!));
}

/** The union of the rules of the roles `role` selects, de-duplicated, in Kubernetes' order. */
export function aggregatedRules(role: ClusterRole, all: readonly ClusterRole[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const s of role.aggregationRule?.clusterRoleSelectors ?? []) {
    let selector;
    try {
      selector = labelSelectorAsSelector(s);
    } catch {
      continue; // an invalid selector selects nothing (validation should have refused it)
    }
    const selected = all.filter((r) => r.metadata.name !== role.metadata.name && selector.matches(r.metadata.labels)).sort(byName);
    for (const source of selected) {
      for (const rule of source.rules ?? []) {
        if (!out.some((have) => sameRule(have, rule))) out.push(structuredClone(rule));
      }
    }
  }
  return out;
}
