/**
 * rbac.authorization.k8s.io/v1: Role, ClusterRole, RoleBinding, ClusterRoleBinding.
 * Roles list what may be done (rules); bindings grant a role to subjects (users, groups,
 * service accounts). A RoleBinding grants within its namespace, a ClusterRoleBinding
 * everywhere.
 */
import { z } from 'zod';
import { ObjectMeta } from '../meta/object-meta.js';
import { LabelSelector, listOf, typeMeta } from './common.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
const RBAC_V1 = `${RBAC_GROUP}/v1`;

export const PolicyRule = z
  .strictObject({
    verbs: z.array(z.string()).describe('Verbs the rule allows ("get", "list", "create", ..., or "*").'),
    apiGroups: z.array(z.string()).optional().describe('API groups of the resources ("" for core, "*" for all).'),
    resources: z.array(z.string()).optional().describe('Resources (and "resource/subresource", "*/subresource", "*").'),
    resourceNames: z.array(z.string()).optional().describe('Names the rule is limited to; empty means all.'),
    nonResourceURLs: z.array(z.string()).optional().describe('Non-resource paths such as /healthz; a trailing * matches a prefix.'),
  })
  .describe('What a role allows: verbs on resources, or on non-resource URLs.');
export type PolicyRule = z.infer<typeof PolicyRule>;

export const AggregationRule = z
  .strictObject({
    clusterRoleSelectors: z.array(LabelSelector).optional().describe('ClusterRoles whose labels match any selector lend their rules.'),
  })
  .describe('How a ClusterRole collects the rules of other ClusterRoles.');
export type AggregationRule = z.infer<typeof AggregationRule>;

export const Subject = z
  .strictObject({
    kind: z.string().describe('User, Group or ServiceAccount.'),
    apiGroup: z.string().optional().describe('"rbac.authorization.k8s.io" for User and Group, "" for ServiceAccount.'),
    name: z.string().describe('Name of the user, group or service account.'),
    namespace: z.string().optional().describe('Namespace of a ServiceAccount subject.'),
  })
  .describe('Who a binding grants its role to.');
export type Subject = z.infer<typeof Subject>;

export const RoleRef = z
  .strictObject({
    apiGroup: z.string().describe('The group of the role: rbac.authorization.k8s.io.'),
    kind: z.string().describe('Role or ClusterRole.'),
    name: z.string().describe('Name of the role.'),
  })
  .describe('The role a binding grants. It cannot be changed once set.');
export type RoleRef = z.infer<typeof RoleRef>;

export const Role = z
  .strictObject({
    ...typeMeta(RBAC_V1, 'Role'),
    metadata: ObjectMeta,
    rules: z.array(PolicyRule).optional().describe('What the role allows.'),
  })
  .describe('A namespaced set of permissions.');
export type Role = z.infer<typeof Role>;
export const RoleList = listOf(RBAC_V1, 'Role', Role);

export const ClusterRole = z
  .strictObject({
    ...typeMeta(RBAC_V1, 'ClusterRole'),
    metadata: ObjectMeta,
    rules: z.array(PolicyRule).optional().describe('What the role allows.'),
    aggregationRule: AggregationRule.optional().describe('When set, the role also has the rules of the ClusterRoles it selects.'),
  })
  .describe('A cluster-wide set of permissions, usable by ClusterRoleBindings and RoleBindings.');
export type ClusterRole = z.infer<typeof ClusterRole>;
export const ClusterRoleList = listOf(RBAC_V1, 'ClusterRole', ClusterRole);

export const RoleBinding = z
  .strictObject({
    ...typeMeta(RBAC_V1, 'RoleBinding'),
    metadata: ObjectMeta,
    subjects: z.array(Subject).optional().describe('Who gets the role.'),
    roleRef: RoleRef,
  })
  .describe('Grants a Role or ClusterRole to subjects within one namespace.');
export type RoleBinding = z.infer<typeof RoleBinding>;
export const RoleBindingList = listOf(RBAC_V1, 'RoleBinding', RoleBinding);

export const ClusterRoleBinding = z
  .strictObject({
    ...typeMeta(RBAC_V1, 'ClusterRoleBinding'),
    metadata: ObjectMeta,
    subjects: z.array(Subject).optional().describe('Who gets the role.'),
    roleRef: RoleRef,
  })
  .describe('Grants a ClusterRole to subjects in every namespace.');
export type ClusterRoleBinding = z.infer<typeof ClusterRoleBinding>;
export const ClusterRoleBindingList = listOf(RBAC_V1, 'ClusterRoleBinding', ClusterRoleBinding);

/** Subjects' apiGroup defaults as Kubernetes' SetDefaults_Subject does. */
export function applySubjectDefaults(subjects: Subject[] | undefined): void {
  for (const s of subjects ?? []) {
    if (s.apiGroup !== undefined && s.apiGroup !== '') continue;
    if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = RBAC_GROUP;
    else if (s.kind === 'ServiceAccount') s.apiGroup = '';
  }
}
