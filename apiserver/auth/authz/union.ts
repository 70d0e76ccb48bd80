/**
 * Several authorizers asked in order, the first Allow or Deny wins (Kubernetes' union
 * authorizer). Members of system:masters are allowed before any of them is asked, as
 * kube-apiserver hard-codes.
 */
import type { AuthorizationResult, Authorizer, RequestAttributes, UserInfo } from '../types.js';
import { isRuleResolver, type RuleResolver, type UserRules } from './rules.js';

export const PRIVILEGED_GROUP = 'system:masters';

export class UnionAuthorizer implements Authorizer, RuleResolver {
  constructor(private readonly members: readonly Authorizer[]) {}

  async authorize(attrs: RequestAttributes): Promise<AuthorizationResult> {
    if (attrs.user.groups.includes(PRIVILEGED_GROUP)) return { decision: 'Allow', reason: '' };
    const reasons: string[] = [];
    for (const a of this.members) {
      const result = await a.authorize(attrs);
      if (result.decision !== 'NoOpinion') return result;
      if (result.reason) reasons.push(result.reason);
    }
    return { decision: 'NoOpinion', reason: reasons.join('\n') };
  }

  async rulesFor(user: UserInfo, namespace: string): Promise<UserRules> {
    const out: UserRules = { resourceRules: [], nonResourceRules: [], incomplete: false };
    const errors: string[] = [];
    for (const a of this.members) {
      if (!isRuleResolver(a)) {
        out.incomplete = true;
        continue;
      }
      const r = await a.rulesFor(user, namespace);
      out.resourceRules.push(...r.resourceRules);
      out.nonResourceRules.push(...r.nonResourceRules);
      if (r.incomplete) out.incomplete = true;
      if (r.evaluationError) errors.push(r.evaluationError);
    }
    if (errors.length) out.evaluationError = errors.join(', ');
    return out;
  }
}

export const alwaysAllow: Authorizer & RuleResolver = {
  async authorize() {
    return { decision: 'Allow', reason: '' };
  },
  async rulesFor() {
    return {
      resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
      nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
      incomplete: false,
    };
  },
};

export const alwaysDeny: Authorizer & RuleResolver = {
  async authorize() {
    return { decision: 'Deny', reason: 'Everything is forbidden.' };
  },
  async rulesFor() {
    return { resourceRules: [], nonResourceRules: [], incomplete: false };
  },
};
