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

/**
 * Coverage, as Kubernetes' validation.Covers decides it for the RBAC escalation check and
 * for reconciling the bootstrap roles: each wanted rule is broken into atoms (one verb x
 * group x resource x name, or one verb x non-resource URL), and every atom must be
 * covered by a single owner rule. Coverage is stricter than matching: "pods/*" does not
 * cover "pods/log" (only "*" or "*\/log" do), and a name-limited owner rule covers only
 * atoms limited to those names.
 */
export interface Coverage {
  covered: boolean;
  /** The atoms no owner rule covers, in the order of the wanted rules. */
  missing: PolicyRule[];
}

/** A rule split into rules of one verb, one group, one resource and at most one name (or one verb and one URL). */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const atoms: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs) {
        const names = rule.resourceNames ?? [];
        if (names.length === 0) atoms.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
        for (const name of names) atoms.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) {
    for (const verb of rule.verbs) atoms.push({ nonResourceURLs: [url], verbs: [verb] });
  }
  return atoms;
}

const hasAll = (set: readonly string[], wanted: readonly string[]) => wanted.every((w) => set.includes(w));

function resourcesCover(owner: readonly string[], wanted: readonly string[]): boolean {
  if (owner.includes(ALL) || hasAll(owner, wanted)) return true;
  return wanted.every((path) => {
    if (owner.includes(path)) return true;
    const slash = path.indexOf('/');
    // A plain resource is covered only by itself or "*"; a subresource also by "*/<subresource>".
    return slash >= 0 && owner.includes(`*/${path.slice(slash + 1)}`);
  });
}

function nonResourceURLCovers(owner: string, path: string): boolean {
  if (owner === path) return true;
  return owner.endsWith('*') && path.startsWith(owner.replace(/\*+$/, ''));
}

/** Whether `owner` covers `atom` (a rule of one verb, resource and name, or one verb and URL). */
function ruleCoversAtom(owner: PolicyRule, atom: PolicyRule): boolean {
  const verbs = owner.verbs.includes(ALL) || hasAll(owner.verbs, atom.verbs);
  const groups = (owner.apiGroups ?? []).includes(ALL) || hasAll(owner.apiGroups ?? [], atom.apiGroups ?? []);
  const resources = resourcesCover(owner.resources ?? [], atom.resources ?? []);
  const urls = (atom.nonResourceURLs ?? []).every((p) => (owner.nonResourceURLs ?? []).some((o) => nonResourceURLCovers(o, p)));
  const ownerNames = owner.resourceNames ?? [];
  const atomNames = atom.resourceNames ?? [];
  const names = ownerNames.length === 0 || (atomNames.length > 0 && hasAll(ownerNames, atomNames));
  return verbs && groups && resources && urls && names;
}

/** Whether the `owner` rules together grant everything the `wanted` rules grant, and what they lack. */
export function covers(owner: readonly PolicyRule[], wanted: readonly PolicyRule[]): Coverage {
  const missing = wanted.flatMap(breakdownRule).filter((atom) => !owner.some((o) => ruleCoversAtom(o, atom)));
  return { covered: missing.length === 0, missing };
}

/** True when everything `want` allows is also allowed by `have` (used to reconcile bootstrap roles). */
export function ruleCovered(want: PolicyRule, have: readonly PolicyRule[]): boolean {
  return covers(have, [want]).covered;
}
