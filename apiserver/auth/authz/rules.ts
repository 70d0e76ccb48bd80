/** What a user may do in a namespace, as a SelfSubjectRulesReview reports it. */
import type { NonResourceRule, ResourceRule } from '../../../api/types/authorization.js';
import type { PolicyRule } from '../../../api/types/rbac.js';
import type { UserInfo } from '../types.js';

export interface UserRules {
  resourceRules: ResourceRule[];
  nonResourceRules: NonResourceRule[];
  /** True when an authorizer could not list its rules (the answer may be missing some). */
  incomplete: boolean;
  evaluationError?: string;
}

/** An authorizer that can also list a user's rules (Kubernetes' RuleResolver). */
export interface RuleResolver {
  rulesFor(user: UserInfo, namespace: string): Promise<UserRules>;
}

export function isRuleResolver(x: unknown): x is RuleResolver {
  return typeof x === 'object' && x !== null && typeof (x as { rulesFor?: unknown }).rulesFor === 'function';
}

/** PolicyRules split into resource and non-resource rules, as the review's status holds them. */
export function splitRules(rules: readonly PolicyRule[]): Pick<UserRules, 'resourceRules' | 'nonResourceRules'> {
  const resourceRules: ResourceRule[] = [];
  const nonResourceRules: NonResourceRule[] = [];
  for (const r of rules) {
    if (r.nonResourceURLs?.length) {
      nonResourceRules.push({ verbs: [...r.verbs], nonResourceURLs: [...r.nonResourceURLs] });
    } else if (r.resources?.length) {
      const rr: ResourceRule = { verbs: [...r.verbs], apiGroups: [...(r.apiGroups ?? [])], resources: [...r.resources] };
      if (r.resourceNames?.length) rr.resourceNames = [...r.resourceNames];
      resourceRules.push(rr);
    }
  }
  return { resourceRules, nonResourceRules };
}
