/**
 * RBAC rule matching, as Kubernetes' rbac/v1 helpers define it: a rule allows a resource
 * request when verb, API group, resource ("resource/subresource", "*" + "/subresource", or "*")
 * and name (if the rule lists names) all match; a non-resource request when verb and
 * URL (exact, "*", or a prefix ending in "*") match.
 */
import type { PolicyRule } from '../../../api/types/rbac.js';
import type { RequestAttributes } from '../types.js';

const ALL = '*';

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.some((v) => v === ALL || v === verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return (rule.apiGroups ?? []).some((g) => g === ALL || g === group);
}

/** `combined` is "resource" or "resource/subresource". */
export function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  for (const r of rule.resources ?? []) {
    if (r === ALL || r === combined) return true;
    if (subresource && r === `*/${subresource}`) return true;
  }
  return false;
}

export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(name);
}

export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const url of rule.nonResourceURLs ?? []) {
    if (url === ALL || url === path) return true;
    if (url.endsWith('*') && path.startsWith(url.slice(0, -1))) return true;
  }
  return false;
}

export function ruleAllows(attrs: RequestAttributes, rule: PolicyRule): boolean {
  if (!verbMatches(rule, attrs.verb)) return false;
  if (!attrs.resourceRequest) return nonResourceURLMatches(rule, attrs.path);
  const combined = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  return apiGroupMatches(rule, attrs.apiGroup) && resourceMatches(rule, combined, attrs.subresource) && resourceNameMatches(rule, attrs.name);
}

export function rulesAllow(attrs: RequestAttributes, rules: readonly PolicyRule[]): boolean {
  return rules.some((r) => ruleAllows(attrs, r));
}

/** True when every request `a` allows is also allowed by one of `have` (used to reconcile bootstrap roles). */
export function ruleCovered(want: PolicyRule, have: readonly PolicyRule[]): boolean {
  return have.some((h) => {
    const sub = (mine: string[] | undefined, theirs: string[] | undefined, emptyMeansAll = false) => {
      const t = theirs ?? [];
      const m = mine ?? [];
      if (emptyMeansAll && t.length === 0) return true;
      if (t.includes(ALL)) return true;
      if (emptyMeansAll && m.length === 0) return false;
      return m.every((x) => t.includes(x));
    };
    return (
      sub(want.verbs, h.verbs) &&
      sub(want.apiGroups, h.apiGroups) &&
      sub(want.resources, h.resources) &&
      sub(want.resourceNames, h.resourceNames, true) &&
      sub(want.nonResourceURLs, h.nonResourceURLs)
    );
  });
}
