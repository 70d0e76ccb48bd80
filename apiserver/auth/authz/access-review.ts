/**
 * authorization.k8s.io/v1 reviews: SelfSubjectAccessReview (`kubectl auth can-i`),
 * SubjectAccessReview, LocalSubjectAccessReview and SelfSubjectRulesReview (`kubectl auth
 * can-i --list`). Create-only: the answer is computed by the authorizer and returned in
 * the status; nothing is stored.
 */
import { badRequest } from '../../../api/meta/errors.js';
import { decode, validateObject } from '../../../api/decode.js';
import type { KubeObject } from '../../../api/meta/object-meta.js';
import type { ResourceDef } from '../../../api/resource.js';
import type {
  NonResourceAttributes,
  ResourceAttributes,
  SelfSubjectAccessReview,
  SelfSubjectRulesReview,
  SubjectAccessReview,
  SubjectAccessReviewStatus,
} from '../../../api/types/authorization.js';
import type { Authorizer, RequestAttributes, UserInfo } from '../types.js';
import { isRuleResolver } from './rules.js';
import { alwaysAllow } from './union.js';

export const ACCESS_REVIEW_GROUP = 'authorization.k8s.io';
export const ACCESS_REVIEW_RESOURCES: ReadonlySet<string> = new Set([
  'selfsubjectaccessreviews',
  'subjectaccessreviews',
  'localsubjectaccessreviews',
  'selfsubjectrulesreviews',
]);

export interface AccessReviewInput {
  def: ResourceDef;
  /** Namespace of the URL (LocalSubjectAccessReview). */
  namespace?: string;
  body: unknown;
  /** Who is asking. */
  requester: UserInfo;
  /** Absent when the apiserver runs without authorization: everything is allowed. */
  authorizer?: Authorizer;
}

function attributesOf(user: UserInfo, res: ResourceAttributes | undefined, nonRes: NonResourceAttributes | undefined): RequestAttributes {
  if (res) {
    return {
      user,
      verb: res.verb ?? '',
      resourceRequest: true,
      path: '',
      apiGroup: res.group ?? '',
      apiVersion: res.version ?? '',
      resource: res.resource ?? '',
      subresource: res.subresource ?? '',
      namespace: res.namespace ?? '',
      name: res.name ?? '',
    };
  }
  return { user, verb: nonRes?.verb ?? '', resourceRequest: false, path: nonRes?.path ?? '', apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '' };
}

async function decide(authorizer: Authorizer, attrs: RequestAttributes): Promise<SubjectAccessReviewStatus> {
  const result = await authorizer.authorize(attrs);
  const status: SubjectAccessReviewStatus = { allowed: result.decision === 'Allow' };
  if (result.decision === 'Deny') status.denied = true;
  if (result.reason) status.reason = result.reason;
  return status;
}

/** Answers one review: returns the object with its status filled in (the 201 body). */
export async function answerAccessReview(input: AccessReviewInput): Promise<KubeObject> {
  const { def } = input;
  const authorizer = input.authorizer ?? alwaysAllow;
  const raw = input.body;
  if (def.namespaced && typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    // The URL's namespace is the review's; a different one in the body is a bad request.
    const meta = { ...((raw as { metadata?: Record<string, unknown> }).metadata ?? {}) };
    if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== input.namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    meta.namespace = input.namespace;
    (raw as { metadata?: unknown }).metadata = meta;
  }
  // The status is the server's answer: whatever the client sent there (kubectl's protobuf carries an empty one) is dropped.
  const body = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? { ...(raw as Record<string, unknown>), status: undefined } : raw;
  const { object } = decode(def, body);
  validateObject(def, object);

  switch (def.plural) {
    case 'selfsubjectaccessreviews': {
      const review = object as unknown as SelfSubjectAccessReview;
      review.status = await decide(authorizer, attributesOf(input.requester, review.spec.resourceAttributes, review.spec.nonResourceAttributes));
      return object;
    }
    case 'subjectaccessreviews':
    case 'localsubjectaccessreviews': {
      const review = object as unknown as SubjectAccessReview;
      const subject: UserInfo = { name: review.spec.user ?? '', groups: review.spec.groups ?? [] };
      if (review.spec.uid) subject.uid = review.spec.uid;
      if (review.spec.extra) subject.extra = review.spec.extra;
      review.status = await decide(authorizer, attributesOf(subject, review.spec.resourceAttributes, review.spec.nonResourceAttributes));
      return object;
    }
    case 'selfsubjectrulesreviews': {
      const review = object as unknown as SelfSubjectRulesReview;
      const namespace = review.spec.namespace ?? '';
      if (!isRuleResolver(authorizer)) {
        review.status = { resourceRules: [], nonResourceRules: [], incomplete: true };
        return object;
      }
      const rules = await authorizer.rulesFor(input.requester, namespace);
      review.status = { resourceRules: rules.resourceRules, nonResourceRules: rules.nonResourceRules, incomplete: rules.incomplete };
      if (rules.evaluationError) review.status.evaluationError = rules.evaluationError;
      return object;
    }
    default:
      throw badRequest(`${def.plural} is not an access review`);
  }
}
