/**
 * Every resource tkube serves, with its strategy: defaults, validation, field
 * selector attributes. Discovery, OpenAPI, tables, storage and validation are all
 * driven from `resources`. Binding (pods/binding) and Scale (the scale subresource) are
 * subresource bodies, not resources: their schemas are exported for the handlers.
 */
import type { StatusCause } from './meta/errors.js';
import type { KubeObject } from './meta/object-meta.js';
import { type NameRule, validateObjectMeta } from './meta/validation.js';
import { apiVersionOf, type ResourceDef } from './resource.js';
import { ConfigMap, Secret, ServiceAccount, mergeSecretStringData } from './types/config.js';
import { validateConfigMap, validateConfigMapUpdate, validateSecret, validateSecretUpdate } from './types/config-validation.js';
import { Event } from './types/event.js';
import { validateEvent } from './types/event-validation.js';
import { CertificateSigningRequest, defaultCsrConditions } from './types/certificates.js';
import { validateCertificateSigningRequest, validateCertificateSigningRequestUpdate } from './types/certificates-validation.js';
import { Lease } from './types/lease.js';
import { validateLease } from './types/lease-validation.js';
import { Namespace } from './types/namespace.js';
import { validateNamespace } from './types/namespace-validation.js';
import { Node, applyNodeDefaults } from './types/node.js';
import { validateNode, validateNodeUpdate } from './types/node-validation.js';
import { Pod, applyPodSpecDefaults } from './types/pod.js';
import { validatePod, validatePodUpdate } from './types/pod-validation.js';
import { podQOSClass } from './types/qos.js';
import { Endpoints, Service, applyServiceDefaults } from './types/service.js';
import { validateEndpoints, validateService, validateServiceUpdate } from './types/service-validation.js';
import { Deployment, ReplicaSet, applyDeploymentStrategyDefaults } from './types/workloads.js';
import { validateDeployment, validateDeploymentUpdate, validateReplicaSet, validateReplicaSetUpdate } from './types/workload-validation.js';

import { ClusterRole, ClusterRoleBinding, Role, RoleBinding, applySubjectDefaults } from './types/rbac.js';
import { validateBindingUpdate, validateClusterRole, validateClusterRoleBinding, validateRole, validateRoleBinding } from './types/rbac-validation.js';
import { LocalSubjectAccessReview, SelfSubjectAccessReview, SelfSubjectRulesReview, SubjectAccessReview } from './types/authorization.js';
import { validateLocalSubjectAccessReview, validateSelfSubjectAccessReview, validateSubjectAccessReview } from './types/authorization-validation.js';

export { Binding, Scale } from './types/subresources.js';
export { DeleteOptions } from './meta/meta-types.js';

const STANDARD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** Metadata checks for the kind's scope and name format, followed by the kind's own rules. */
function withMeta<T extends KubeObject>(
  namespaced: boolean,
  nameRule: NameRule,
  rules: (obj: T) => StatusCause[],
): (obj: T) => StatusCause[] {
  return (obj) => [...validateObjectMeta(obj.metadata, { namespaced, nameRule }), ...rules(obj)];
}

const none = (): StatusCause[] => [];

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

export const pods: ResourceDef<Pod> = {
  group: '',
  version: 'v1',
  kind: 'Pod',
  listKind: 'PodList',
  plural: 'pods',
  singular: 'pod',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  verbs: STANDARD_VERBS,
  schema: Pod,
  hasStatus: true,
  applyDefaults: (pod) => {
    applyPodSpecDefaults(pod.spec);
    // A new pod (no phase yet; kubectl sends "status: {}") starts Pending with its QoS class,
    // as the Kubernetes pod strategy sets at creation.
    if (!pod.status?.phase) pod.status = { ...pod.status, phase: 'Pending', qosClass: pod.status?.qosClass ?? podQOSClass(pod.spec) };
  },
  validate: withMeta(true, 'DNS1123Subdomain', validatePod),
  validateUpdate: validatePodUpdate,
  fieldAttributes: (pod) => ({
    'spec.nodeName': str(pod.spec.nodeName),
    'spec.restartPolicy': str(pod.spec.restartPolicy),
    'spec.schedulerName': str(pod.spec.schedulerName),
    'spec.serviceAccountName': str(pod.spec.serviceAccountName),
    'spec.hostNetwork': String(pod.spec.hostNetwork ?? false),
    'status.phase': str(pod.status?.phase),
    'status.podIP': str(pod.status?.podIP),
    'status.nominatedNodeName': str(pod.status?.nominatedNodeName),
  }),
};

export const nodes: ResourceDef<Node> = {
  group: '',
  version: 'v1',
  kind: 'Node',
  listKind: 'NodeList',
  plural: 'nodes',
  singular: 'node',
  namespaced: false,
  shortNames: ['no'],
  verbs: STANDARD_VERBS,
  schema: Node,
  hasStatus: true,
  applyDefaults: applyNodeDefaults,
  validate: withMeta(false, 'DNS1123Subdomain', validateNode),
  validateUpdate: validateNodeUpdate,
  fieldAttributes: (node) => ({ 'spec.unschedulable': String(node.spec.unschedulable ?? false) }),
};

export const namespaces: ResourceDef<Namespace> = {
  group: '',
  version: 'v1',
  kind: 'Namespace',
  listKind: 'NamespaceList',
  plural: 'namespaces',
  singular: 'namespace',
  namespaced: false,
  shortNames: ['ns'],
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  schema: Namespace,
  hasStatus: true,
  applyDefaults: (ns) => {
    // At creation (not yet stored: no resourceVersion) the server adds the "kubernetes" finalizer,
    // so the namespace controller can empty the namespace before it goes. Never on later writes:
    // the controller removes it through /finalize and it must not come back.
    if (!ns.metadata.resourceVersion && !ns.metadata.deletionTimestamp) {
      const spec = (ns.spec ??= {});
      const finalizers = (spec.finalizers ??= []);
      if (!finalizers.includes('kubernetes')) finalizers.push('kubernetes');
    }
    const status = (ns.status ??= {});
    status.phase ??= 'Active';
  },
  validate: withMeta(false, 'DNS1123Label', validateNamespace),
  fieldAttributes: (ns) => ({ 'status.phase': str(ns.status?.phase) }),
};

export const events: ResourceDef<Event> = {
  group: '',
  version: 'v1',
  kind: 'Event',
  listKind: 'EventList',
  plural: 'events',
  singular: 'event',
  namespaced: true,
  shortNames: ['ev'],
  verbs: STANDARD_VERBS,
  schema: Event,
  hasStatus: false,
  validate: withMeta(true, 'DNS1123Subdomain', validateEvent),
  fieldAttributes: (ev) => ({
    'involvedObject.kind': str(ev.involvedObject.kind),
    'involvedObject.namespace': str(ev.involvedObject.namespace),
    'involvedObject.name': str(ev.involvedObject.name),
    'involvedObject.uid': str(ev.involvedObject.uid),
    'involvedObject.apiVersion': str(ev.involvedObject.apiVersion),
    'involvedObject.resourceVersion': str(ev.involvedObject.resourceVersion),
    'involvedObject.fieldPath': str(ev.involvedObject.fieldPath),
    reason: str(ev.reason),
    reportingComponent: str(ev.reportingComponent),
    source: str(ev.source?.component),
    type: str(ev.type),
  }),
};

export const configMaps: ResourceDef<ConfigMap> = {
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  listKind: 'ConfigMapList',
  plural: 'configmaps',
  singular: 'configmap',
  namespaced: true,
  shortNames: ['cm'],
  verbs: STANDARD_VERBS,
  schema: ConfigMap,
  hasStatus: false,
  validate: withMeta(true, 'DNS1123Subdomain', validateConfigMap),
  validateUpdate: validateConfigMapUpdate,
};

export const secrets: ResourceDef<Secret> = {
  group: '',
  version: 'v1',
  kind: 'Secret',
  listKind: 'SecretList',
  plural: 'secrets',
  singular: 'secret',
  namespaced: true,
  verbs: STANDARD_VERBS,
  schema: Secret,
  hasStatus: false,
  applyDefaults: mergeSecretStringData,
  validate: withMeta(true, 'DNS1123Subdomain', validateSecret),
  validateUpdate: validateSecretUpdate,
  fieldAttributes: (s) => ({ type: s.type }),
};

export const services: ResourceDef<Service> = {
  group: '',
  version: 'v1',
  kind: 'Service',
  listKind: 'ServiceList',
  plural: 'services',
  singular: 'service',
  namespaced: true,
  shortNames: ['svc'],
  categories: ['all'],
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  schema: Service,
  hasStatus: true,
  applyDefaults: (svc) => applyServiceDefaults(svc.spec),
  validate: withMeta(true, 'DNS1035Label', validateService),
  validateUpdate: validateServiceUpdate,
};

export const endpoints: ResourceDef<Endpoints> = {
  group: '',
  version: 'v1',
  kind: 'Endpoints',
  listKind: 'EndpointsList',
  plural: 'endpoints',
  singular: 'endpoints',
  namespaced: true,
  shortNames: ['ep'],
  verbs: STANDARD_VERBS,
  schema: Endpoints,
  hasStatus: false,
  validate: withMeta(true, 'DNS1123Subdomain', validateEndpoints),
};

export const serviceAccounts: ResourceDef<ServiceAccount> = {
  group: '',
  version: 'v1',
  kind: 'ServiceAccount',
  listKind: 'ServiceAccountList',
  plural: 'serviceaccounts',
  singular: 'serviceaccount',
  namespaced: true,
  shortNames: ['sa'],
  verbs: STANDARD_VERBS,
  schema: ServiceAccount,
  hasStatus: false,
  validate: withMeta(true, 'DNS1123Subdomain', none),
};

export const deployments: ResourceDef<Deployment> = {
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  listKind: 'DeploymentList',
  plural: 'deployments',
  singular: 'deployment',
  namespaced: true,
  shortNames: ['deploy'],
  categories: ['all'],
  verbs: STANDARD_VERBS,
  schema: Deployment,
  hasStatus: true,
  scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' },
  applyDefaults: (d) => {
    applyDeploymentStrategyDefaults(d.spec);
    applyPodSpecDefaults(d.spec.template.spec);
  },
  validate: withMeta(true, 'DNS1123Subdomain', validateDeployment),
  validateUpdate: validateDeploymentUpdate,
};

export const replicaSets: ResourceDef<ReplicaSet> = {
  group: 'apps',
  version: 'v1',
  kind: 'ReplicaSet',
  listKind: 'ReplicaSetList',
  plural: 'replicasets',
  singular: 'replicaset',
  namespaced: true,
  shortNames: ['rs'],
  categories: ['all'],
  verbs: STANDARD_VERBS,
  schema: ReplicaSet,
  hasStatus: true,
  scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' },
  applyDefaults: (rs) => applyPodSpecDefaults(rs.spec.template.spec),
  validate: withMeta(true, 'DNS1123Subdomain', validateReplicaSet),
  validateUpdate: validateReplicaSetUpdate,
  fieldAttributes: (rs) => ({ 'status.replicas': String(rs.status?.replicas ?? 0) }),
};

export const leases: ResourceDef<Lease> = {
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  listKind: 'LeaseList',
  plural: 'leases',
  singular: 'lease',
  namespaced: true,
  verbs: STANDARD_VERBS,
  schema: Lease,
  hasStatus: false,
  validate: withMeta(true, 'DNS1123Subdomain', validateLease),
};

export const certificateSigningRequests: ResourceDef<CertificateSigningRequest> = {
  group: 'certificates.k8s.io',
  version: 'v1',
  kind: 'CertificateSigningRequest',
  listKind: 'CertificateSigningRequestList',
  plural: 'certificatesigningrequests',
  singular: 'certificatesigningrequest',
  namespaced: false,
  shortNames: ['csr'],
  verbs: STANDARD_VERBS,
  schema: CertificateSigningRequest,
  hasStatus: true,
  applyDefaults: defaultCsrConditions,
  validate: withMeta(false, 'DNS1123Subdomain', validateCertificateSigningRequest),
  validateUpdate: validateCertificateSigningRequestUpdate,
  fieldAttributes: (csr) => ({ 'spec.signerName': csr.spec.signerName }),
};

const RBAC = { group: 'rbac.authorization.k8s.io', version: 'v1', verbs: STANDARD_VERBS, hasStatus: false };

export const roles: ResourceDef<Role> = {
  ...RBAC,
  kind: 'Role',
  listKind: 'RoleList',
  plural: 'roles',
  singular: 'role',
  namespaced: true,
  schema: Role,
  validate: validateRole,
};

export const clusterRoles: ResourceDef<ClusterRole> = {
  ...RBAC,
  kind: 'ClusterRole',
  listKind: 'ClusterRoleList',
  plural: 'clusterroles',
  singular: 'clusterrole',
  namespaced: false,
  schema: ClusterRole,
  validate: validateClusterRole,
};

export const roleBindings: ResourceDef<RoleBinding> = {
  ...RBAC,
  kind: 'RoleBinding',
  listKind: 'RoleBindingList',
  plural: 'rolebindings',
  singular: 'rolebinding',
  namespaced: true,
  schema: RoleBinding,
  applyDefaults: (b) => applySubjectDefaults(b.subjects),
  validate: validateRoleBinding,
  validateUpdate: validateBindingUpdate,
};

export const clusterRoleBindings: ResourceDef<ClusterRoleBinding> = {
  ...RBAC,
  kind: 'ClusterRoleBinding',
  listKind: 'ClusterRoleBindingList',
  plural: 'clusterrolebindings',
  singular: 'clusterrolebinding',
  namespaced: false,
  schema: ClusterRoleBinding,
  applyDefaults: (b) => applySubjectDefaults(b.subjects),
  validate: validateClusterRoleBinding,
  validateUpdate: validateBindingUpdate,
};

/** authorization.k8s.io reviews: create-only, answered by the authorizer and never stored (apiserver/auth/authz/access-review.ts). */
const REVIEW = { group: 'authorization.k8s.io', version: 'v1', verbs: ['create'], hasStatus: false };

export const selfSubjectAccessReviews: ResourceDef<SelfSubjectAccessReview> = {
  ...REVIEW,
  kind: 'SelfSubjectAccessReview',
  listKind: 'SelfSubjectAccessReviewList',
  plural: 'selfsubjectaccessreviews',
  singular: 'selfsubjectaccessreview',
  namespaced: false,
  schema: SelfSubjectAccessReview,
  validate: validateSelfSubjectAccessReview,
};

export const selfSubjectRulesReviews: ResourceDef<SelfSubjectRulesReview> = {
  ...REVIEW,
  kind: 'SelfSubjectRulesReview',
  listKind: 'SelfSubjectRulesReviewList',
  plural: 'selfsubjectrulesreviews',
  singular: 'selfsubjectrulesreview',
  namespaced: false,
  schema: SelfSubjectRulesReview,
};

export const subjectAccessReviews: ResourceDef<SubjectAccessReview> = {
  ...REVIEW,
  kind: 'SubjectAccessReview',
  listKind: 'SubjectAccessReviewList',
  plural: 'subjectaccessreviews',
  singular: 'subjectaccessreview',
  namespaced: false,
  schema: SubjectAccessReview,
  validate: validateSubjectAccessReview,
};

export const localSubjectAccessReviews: ResourceDef<LocalSubjectAccessReview> = {
  ...REVIEW,
  kind: 'LocalSubjectAccessReview',
  listKind: 'LocalSubjectAccessReviewList',
  plural: 'localsubjectaccessreviews',
  singular: 'localsubjectaccessreview',
  namespaced: true,
  schema: LocalSubjectAccessReview,
  validate: validateLocalSubjectAccessReview,
};

export const resources: ResourceDef[] = [
  pods,
  nodes,
  namespaces,
  events,
  configMaps,
  secrets,
  services,
  endpoints,
  serviceAccounts,
  deployments,
  replicaSets,
  leases,
  certificateSigningRequests,
  roles,
  clusterRoles,
  roleBindings,
  clusterRoleBindings,
  selfSubjectAccessReviews,
  selfSubjectRulesReviews,
  subjectAccessReviews,
  localSubjectAccessReviews,
];

export function findResource(group: string, version: string, plural: string): ResourceDef | undefined {
  return resources.find((r) => r.group === group && r.version === version && r.plural === plural);
}

export function findByKind(apiVersion: string, kind: string): ResourceDef | undefined {
  return resources.find((r) => apiVersionOf(r) === apiVersion && r.kind === kind);
}
