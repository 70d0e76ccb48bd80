/**
 * Semantic validation of rbac.authorization.k8s.io/v1 objects, with Kubernetes' rules
 * and messages: rules need verbs, resource rules need groups and resources, only
 * cluster-scoped rules may name non-resource URLs, roleRef is fixed once set.
 */
import type { StatusCause } from '../meta/errors.js';
import type { ObjectMeta } from '../meta/object-meta.js';
import { fieldInvalid, fieldNotSupported, fieldRequired, isDNS1123Subdomain, validateObjectMeta } from '../meta/validation.js';
import { RBAC_GROUP, type ClusterRole, type ClusterRoleBinding, type PolicyRule, type Role, type RoleBinding, type RoleRef, type Subject } from './rbac.js';

/** RBAC names are path segments ("system:node" is a valid role name), not DNS names. */
export function pathSegmentNameErrors(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  const errs: string[] = [];
  for (const bad of ['/', '%']) if (name.includes(bad)) errs.push(`may not contain '${bad}'`);
  return errs;
}

function validateRbacMeta(meta: ObjectMeta, namespaced: boolean): StatusCause[] {
  // The generic checks with a stand-in name, then the path-segment rule on the real one.
  const causes = validateObjectMeta({ ...meta, name: meta.name ? 'x' : undefined, generateName: meta.generateName ? 'x-' : undefined }, { namespaced });
  if (meta.name) for (const e of pathSegmentNameErrors(meta.name)) causes.push(fieldInvalid('metadata.name', meta.name, e));
  if (meta.generateName) for (const e of pathSegmentNameErrors(meta.generateName)) causes.push(fieldInvalid('metadata.generateName', meta.generateName, e));
  return causes;
}

export function validatePolicyRule(rule: PolicyRule, namespaced: boolean, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (rule.verbs.length === 0) causes.push(fieldRequired(`${field}.verbs`, 'verbs must contain at least one value'));
  if (rule.nonResourceURLs?.length) {
    if (namespaced) {
      causes.push(fieldInvalid(`${field}.nonResourceURLs`, rule.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
    }
    if (rule.apiGroups?.length || rule.resources?.length) {
      causes.push(fieldInvalid(`${field}.nonResourceURLs`, rule.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return causes;
  }
  if (!rule.apiGroups?.length) causes.push(fieldRequired(`${field}.apiGroups`, 'resource rules must supply at least one api group'));
  if (!rule.resources?.length) causes.push(fieldRequired(`${field}.resources`, 'resource rules must supply at least one resource'));
  return causes;
}

function validateRules(rules: PolicyRule[] | undefined, namespaced: boolean): StatusCause[] {
  return (rules ?? []).flatMap((r, i) => validatePolicyRule(r, namespaced, `rules[${i}]`));
}

export function validateRole(role: Role): StatusCause[] {
  return [...validateRbacMeta(role.metadata, true), ...validateRules(role.rules, true)];
}

export function validateClusterRole(role: ClusterRole): StatusCause[] {
  const causes = [...validateRbacMeta(role.metadata, false), ...validateRules(role.rules, false)];
  (role.aggregationRule?.clusterRoleSelectors ?? []).forEach((sel, i) => {
    (sel.matchExpressions ?? []).forEach((req, j) => {
      if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(req.operator)) {
        causes.push(fieldNotSupported(`aggregationRule.clusterRoleSelectors[${i}].matchExpressions[${j}].operator`, req.operator, ['In', 'NotIn', 'Exists', 'DoesNotExist']));
      }
    });
  });
  if (role.aggregationRule && (role.aggregationRule.clusterRoleSelectors ?? []).length === 0) {
    causes.push(fieldRequired('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
  }
  return causes;
}

function validateRoleRef(ref: RoleRef, kinds: string[]): StatusCause[] {
  const causes: StatusCause[] = [];
  if (ref.apiGroup !== RBAC_GROUP) causes.push(fieldNotSupported('roleRef.apiGroup', ref.apiGroup, [RBAC_GROUP]));
  if (!kinds.includes(ref.kind)) causes.push(fieldNotSupported('roleRef.kind', ref.kind, kinds));
  if (!ref.name) causes.push(fieldRequired('roleRef.name'));
  else for (const e of pathSegmentNameErrors(ref.name)) causes.push(fieldInvalid('roleRef.name', ref.name, e));
  return causes;
}

function validateSubject(s: Subject, namespaced: boolean, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!s.name) causes.push(fieldRequired(`${field}.name`));
  switch (s.kind) {
    case 'ServiceAccount':
      if (s.name) for (const e of isDNS1123Subdomain(s.name)) causes.push(fieldInvalid(`${field}.name`, s.name, e));
      if (s.apiGroup) causes.push(fieldNotSupported(`${field}.apiGroup`, s.apiGroup, ['']));
      if (!namespaced && !s.namespace) causes.push(fieldRequired(`${field}.namespace`));
      break;
    case 'User':
    case 'Group':
      if (s.apiGroup !== RBAC_GROUP) causes.push(fieldNotSupported(`${field}.apiGroup`, s.apiGroup ?? '', [RBAC_GROUP]));
      break;
    default:
      causes.push(fieldNotSupported(`${field}.kind`, s.kind, ['ServiceAccount', 'User', 'Group']));
  }
  return causes;
}

export function validateRoleBinding(b: RoleBinding): StatusCause[] {
  return [
    ...validateRbacMeta(b.metadata, true),
    ...validateRoleRef(b.roleRef, ['Role', 'ClusterRole']),
    ...(b.subjects ?? []).flatMap((s, i) => validateSubject(s, true, `subjects[${i}]`)),
  ];
}

export function validateClusterRoleBinding(b: ClusterRoleBinding): StatusCause[] {
  return [
    ...validateRbacMeta(b.metadata, false),
    ...validateRoleRef(b.roleRef, ['ClusterRole']),
    ...(b.subjects ?? []).flatMap((s, i) => validateSubject(s, false, `subjects[${i}]`)),
  ];
}

/** roleRef is immutable: a binding's role changes only by deleting and recreating the binding. */
export function validateBindingUpdate(b: RoleBinding | ClusterRoleBinding, old: RoleBinding | ClusterRoleBinding): StatusCause[] {
  const a = b.roleRef;
  const o = old.roleRef;
  if (a.apiGroup === o.apiGroup && a.kind === o.kind && a.name === o.name) return [];
  return [fieldInvalid('roleRef', a, 'cannot change roleRef')];
}
