/** Validation of authorization.k8s.io/v1 access reviews, with Kubernetes' messages. */
import type { StatusCause } from '../meta/errors.js';
import { fieldInvalid } from '../meta/validation.js';
import type { LocalSubjectAccessReview, SelfSubjectAccessReview, SubjectAccessReview } from './authorization.js';

function exactlyOneAttributes(spec: SelfSubjectAccessReview['spec']): StatusCause[] {
  if (spec.resourceAttributes && spec.nonResourceAttributes) {
    return [fieldInvalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'cannot be specified in combination with resourceAttributes')];
  }
  if (!spec.resourceAttributes && !spec.nonResourceAttributes) {
    return [fieldInvalid('spec.resourceAttributes', null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified')];
  }
  return [];
}

export function validateSelfSubjectAccessReview(review: SelfSubjectAccessReview): StatusCause[] {
  return exactlyOneAttributes(review.spec);
}

export function validateSubjectAccessReview(review: SubjectAccessReview): StatusCause[] {
  const causes = exactlyOneAttributes(review.spec);
  if (!review.spec.user && !(review.spec.groups ?? []).length) {
    causes.push(fieldInvalid('spec.user', review.spec.user ?? '', 'at least one of user or group must be specified'));
  }
  return causes;
}

export function validateLocalSubjectAccessReview(review: LocalSubjectAccessReview): StatusCause[] {
  const causes = validateSubjectAccessReview(review);
  const ns = review.metadata.namespace ?? '';
  if (review.spec.resourceAttributes && (review.spec.resourceAttributes.namespace ?? '') !== ns) {
    causes.push(fieldInvalid('spec.resourceAttributes.namespace', review.spec.resourceAttributes.namespace ?? '', 'must match metadata.namespace'));
  }
  if (review.spec.nonResourceAttributes) {
    causes.push(fieldInvalid('spec.nonResourceAttributes', review.spec.nonResourceAttributes, 'disallowed on this kind of request'));
  }
  return causes;
}
