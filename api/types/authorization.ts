/**
 * authorization.k8s.io/v1: the access reviews. They are never stored: a client creates
 * one and reads the answer in its status (`kubectl auth can-i` creates a
 * SelfSubjectAccessReview, `kubectl auth can-i --list` a SelfSubjectRulesReview).
 */
import { z } from 'zod';
import { ObjectMeta } from '../meta/object-meta.js';
import { listOf, typeMeta } from './common.js';

export const AUTHORIZATION_GROUP = 'authorization.k8s.io';
const AUTHZ_V1 = `${AUTHORIZATION_GROUP}/v1`;

/** Field and label selector requirements (Kubernetes 1.31+, alpha): accepted and passed through. */
const SelectorAttributes = z.strictObject({
  rawSelector: z.string().optional(),
  requirements: z.array(z.strictObject({ key: z.string(), operator: z.string(), values: z.array(z.string()).optional() })).optional(),
});

export const ResourceAttributes = z
  .strictObject({
    namespace: z.string().optional().describe('Namespace of the action; "" means all namespaces (or a cluster-scoped resource).'),
    verb: z.string().optional().describe('get, list, watch, create, update, patch, delete, deletecollection, or "*".'),
    group: z.string().optional().describe('API group of the resource; "*" means all.'),
    version: z.string().optional(),
    resource: z.string().optional().describe('The resource; "*" means all.'),
    subresource: z.string().optional(),
    name: z.string().optional().describe('Name of the object; "" means all.'),
    fieldSelector: SelectorAttributes.optional(),
    labelSelector: SelectorAttributes.optional(),
  })
  .describe('A request on a resource, as the authorizer sees it.');
export type ResourceAttributes = z.infer<typeof ResourceAttributes>;

export const NonResourceAttributes = z
  .strictObject({
    path: z.string().optional().describe('The URL path, e.g. /healthz.'),
    verb: z.string().optional().describe('The lower-case HTTP verb, e.g. get.'),
  })
  .describe('A request on a non-resource URL.');
export type NonResourceAttributes = z.infer<typeof NonResourceAttributes>;

export const SubjectAccessReviewSpec = z
  .strictObject({
    resourceAttributes: ResourceAttributes.optional(),
    nonResourceAttributes: NonResourceAttributes.optional(),
    user: z.string().optional().describe('The user to test.'),
    groups: z.array(z.string()).optional().describe('The groups of the user to test.'),
    extra: z.record(z.string(), z.array(z.string())).optional(),
    uid: z.string().optional(),
  })
  .describe('Whose request to test, and what it does. Exactly one of resourceAttributes and nonResourceAttributes.');
export type SubjectAccessReviewSpec = z.infer<typeof SubjectAccessReviewSpec>;

export const SelfSubjectAccessReviewSpec = z
  .strictObject({
    resourceAttributes: ResourceAttributes.optional(),
    nonResourceAttributes: NonResourceAttributes.optional(),
  })
  .describe('What the requesting user wants to do. Exactly one of resourceAttributes and nonResourceAttributes.');
export type SelfSubjectAccessReviewSpec = z.infer<typeof SelfSubjectAccessReviewSpec>;

export const SubjectAccessReviewStatus = z
  .strictObject({
    allowed: z.boolean().describe('Whether the action is allowed.'),
    denied: z.boolean().optional().describe('Whether an authorizer denied it outright (allowed is then false).'),
    reason: z.string().optional().describe('Why, according to the authorizer.'),
    evaluationError: z.string().optional(),
  })
  .describe('The answer of an access review.');
export type SubjectAccessReviewStatus = z.infer<typeof SubjectAccessReviewStatus>;

export const SubjectAccessReview = z
  .strictObject({
    ...typeMeta(AUTHZ_V1, 'SubjectAccessReview'),
    metadata: ObjectMeta.default({}),
    spec: SubjectAccessReviewSpec,
    status: SubjectAccessReviewStatus.optional(),
  })
  .describe('Checks whether a given user may do an action.');
export type SubjectAccessReview = z.infer<typeof SubjectAccessReview>;
export const SubjectAccessReviewList = listOf(AUTHZ_V1, 'SubjectAccessReview', SubjectAccessReview);

export const LocalSubjectAccessReview = z
  .strictObject({
    ...typeMeta(AUTHZ_V1, 'LocalSubjectAccessReview'),
    metadata: ObjectMeta.default({}),
    spec: SubjectAccessReviewSpec,
    status: SubjectAccessReviewStatus.optional(),
  })
  .describe('Checks whether a given user may do an action in one namespace.');
export type LocalSubjectAccessReview = z.infer<typeof LocalSubjectAccessReview>;
export const LocalSubjectAccessReviewList = listOf(AUTHZ_V1, 'LocalSubjectAccessReview', LocalSubjectAccessReview);

export const SelfSubjectAccessReview = z
  .strictObject({
    ...typeMeta(AUTHZ_V1, 'SelfSubjectAccessReview'),
    metadata: ObjectMeta.default({}),
    spec: SelfSubjectAccessReviewSpec,
    status: SubjectAccessReviewStatus.optional(),
  })
  .describe('Checks whether the requesting user may do an action.');
export type SelfSubjectAccessReview = z.infer<typeof SelfSubjectAccessReview>;
export const SelfSubjectAccessReviewList = listOf(AUTHZ_V1, 'SelfSubjectAccessReview', SelfSubjectAccessReview);

export const ResourceRule = z
  .strictObject({
    verbs: z.array(z.string()),
    apiGroups: z.array(z.string()).optional(),
    resources: z.array(z.string()).optional(),
    resourceNames: z.array(z.string()).optional(),
  })
  .describe('Verbs allowed on resources.');
export type ResourceRule = z.infer<typeof ResourceRule>;

export const NonResourceRule = z
  .strictObject({
    verbs: z.array(z.string()),
    nonResourceURLs: z.array(z.string()).optional(),
  })
  .describe('Verbs allowed on non-resource URLs.');
export type NonResourceRule = z.infer<typeof NonResourceRule>;

export const SubjectRulesReviewStatus = z
  .strictObject({
    resourceRules: z.array(ResourceRule),
    nonResourceRules: z.array(NonResourceRule),
    incomplete: z.boolean().describe('True when an authorizer could not list every rule (the Node authorizer, for one).'),
    evaluationError: z.string().optional(),
  })
  .describe('The rules a user has in a namespace.');
export type SubjectRulesReviewStatus = z.infer<typeof SubjectRulesReviewStatus>;

export const SelfSubjectRulesReviewSpec = z.strictObject({
  namespace: z.string().optional().describe('The namespace to list the rules of.'),
});

export const SelfSubjectRulesReview = z
  .strictObject({
    ...typeMeta(AUTHZ_V1, 'SelfSubjectRulesReview'),
    metadata: ObjectMeta.default({}),
    spec: SelfSubjectRulesReviewSpec,
    status: SubjectRulesReviewStatus.optional(),
  })
  .describe('Lists what the requesting user may do in a namespace.');
export type SelfSubjectRulesReview = z.infer<typeof SelfSubjectRulesReview>;
export const SelfSubjectRulesReviewList = listOf(AUTHZ_V1, 'SelfSubjectRulesReview', SelfSubjectRulesReview);
