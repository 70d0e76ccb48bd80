/**
 * The ClusterRoles and ClusterRoleBindings every cluster starts with, after Kubernetes'
 * bootstrap policy: cluster-admin, the aggregated admin/edit/view, discovery and
 * public-info for everyone, and the roles of the controller-manager, scheduler and nodes.
 * Limited to what tkube serves, plus the kinds a Kubernetes user expects in these roles.
 */
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Subject } from '../../../api/types/rbac.js';
import { RBAC_GROUP } from '../../../api/types/rbac.js';
import { NODE_RULES } from './node-authorizer.js';

export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';
const BOOTSTRAP_LABEL = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const AGGREGATE_TO = (role: string) => `rbac.authorization.k8s.io/aggregate-to-${role}`;

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const READ_WRITE = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function res(verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule {
  return resourceNames ? { verbs, apiGroups, resources, resourceNames } : { verbs, apiGroups, resources };
}
function urls(verbs: string[], nonResourceURLs: string[]): PolicyRule {
  return { verbs, nonResourceURLs };
}

function clusterRole(name: string, rules: PolicyRule[], extra: { labels?: Record<string, string>; aggregateFrom?: string } = {}): ClusterRole {
  const role: ClusterRole = {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRole',
    metadata: { name, labels: { ...BOOTSTRAP_LABEL, ...extra.labels }, annotations: { [AUTOUPDATE_ANNOTATION]: 'true' } },
    rules,
  };
  if (extra.aggregateFrom) role.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [AGGREGATE_TO(extra.aggregateFrom)]: 'true' } }] };
  return role;
}

const group = (name: string): Subject => ({ kind: 'Group', apiGroup: RBAC_GROUP, name });
const user = (name: string): Subject => ({ kind: 'User', apiGroup: RBAC_GROUP, name });

function binding(name: string, role: string, subjects: Subject[]): ClusterRoleBinding {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: { name, labels: { ...BOOTSTRAP_LABEL }, annotations: { [AUTOUPDATE_ANNOTATION]: 'true' } },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: role },
    subjects,
  };
}

const viewRules: PolicyRule[] = [
  res(READ, [''], ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status']),
  res(READ, [''], ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status']),
  res(READ, [''], ['namespaces']),
  res(READ, ['discovery.k8s.io'], ['endpointslices']),
  res(READ, ['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status']),
  res(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
  res(READ, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
  res(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
  res(READ, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
  res(READ, ['events.k8s.io'], ['events']),
  res(READ, ['coordination.k8s.io'], ['leases']),
];

const editRules: PolicyRule[] = [
  res(READ, [''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy']),
  res(['impersonate'], [''], ['serviceaccounts']),
  res(WRITE, [''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy']),
  res(['create'], [''], ['pods/eviction']),
  res(WRITE, [''], ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy']),
  res(['create'], [''], ['serviceaccounts/token']),
  res(WRITE, ['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale']),
  res(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
  res(WRITE, ['batch'], ['cronjobs', 'jobs']),
  res(WRITE, ['policy'], ['poddisruptionbudgets']),
  res(WRITE, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
  res(WRITE, ['coordination.k8s.io'], ['leases']),
];

const adminRules: PolicyRule[] = [
  res(READ_WRITE, [RBAC_GROUP], ['rolebindings', 'roles']),
  res(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
];

/** One identity runs every controller here, so its role is the union of Kubernetes' per-controller roles. */
const controllerManagerRules: PolicyRule[] = [
  // garbage collector and namespace controller: any object may be read, updated or deleted.
  res(['get', 'list', 'watch', 'patch', 'update', 'delete', 'deletecollection'], ['*'], ['*']),
  res(['create'], [''], ['pods', 'events', 'endpoints', 'serviceaccounts', 'secrets', 'configmaps', 'serviceaccounts/token', 'pods/eviction', 'nodes']),
  res(['create'], ['apps'], ['replicasets', 'controllerrevisions']),
  res(['create'], ['events.k8s.io'], ['events']),
  res(['create'], ['coordination.k8s.io'], ['leases']),
  res(['create'], ['certificates.k8s.io'], ['certificatesigningrequests']),
  res(['approve', 'sign'], ['certificates.k8s.io'], ['signers']),
  res(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  res(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
  // clusterrole-aggregation controller: writes aggregated rules it does not itself hold.
  res(['escalate'], [RBAC_GROUP], ['clusterroles']),
];

const schedulerRules: PolicyRule[] = [
  res(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
  res(['create'], ['coordination.k8s.io'], ['leases']),
  res(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-scheduler']),
  res(READ, [''], ['nodes', 'namespaces', 'services', 'replicationcontrollers', 'persistentvolumeclaims', 'persistentvolumes', 'configmaps']),
  res(['delete', 'get', 'list', 'watch'], [''], ['pods']),
  res(['create'], [''], ['bindings', 'pods/binding']),
  res(['patch', 'update'], [''], ['pods/status']),
  res(READ, ['apps'], ['replicasets', 'statefulsets']),
  res(READ, ['policy'], ['poddisruptionbudgets']),
  res(READ, ['storage.k8s.io'], ['storageclasses', 'csinodes', 'csidrivers', 'csistoragecapacities']),
  res(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  res(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
];

/** system:node: the Node authorizer's rules as an RBAC role (Kubernetes keeps it, unbound, for reference). */
const nodeRoleRules: PolicyRule[] = [
  ...NODE_RULES.map((r) => ({ ...r, verbs: [...r.verbs], apiGroups: [...(r.apiGroups ?? [])], resources: [...(r.resources ?? [])] })),
  res(['get'], [''], ['secrets', 'configmaps', 'persistentvolumeclaims', 'persistentvolumes']),
  res(['create'], [''], ['serviceaccounts/token']),
  res(['get', 'create', 'update', 'patch', 'delete'], ['coordination.k8s.io'], ['leases']),
];

export const BOOTSTRAP_CLUSTER_ROLES: readonly ClusterRole[] = [
  clusterRole('cluster-admin', [res(['*'], ['*'], ['*']), urls(['*'], ['*'])]),
  clusterRole('admin', [], { aggregateFrom: 'admin' }),
  clusterRole('edit', [], { aggregateFrom: 'edit', labels: { [AGGREGATE_TO('admin')]: 'true' } }),
  clusterRole('view', [], { aggregateFrom: 'view', labels: { [AGGREGATE_TO('edit')]: 'true' } }),
  clusterRole('system:aggregate-to-admin', adminRules, { labels: { [AGGREGATE_TO('admin')]: 'true' } }),
  clusterRole('system:aggregate-to-edit', editRules, { labels: { [AGGREGATE_TO('edit')]: 'true' } }),
  clusterRole('system:aggregate-to-view', viewRules, { labels: { [AGGREGATE_TO('view')]: 'true' } }),
  clusterRole('system:discovery', [
    urls(['get'], ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/']),
  ]),
  clusterRole('system:basic-user', [
    res(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
    res(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
  ]),
  clusterRole('system:public-info-viewer', [urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])]),
  clusterRole('system:monitoring', [urls(['get'], ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'])]),
  clusterRole('system:kube-controller-manager', controllerManagerRules),
  clusterRole('system:kube-scheduler', schedulerRules),
  clusterRole('system:node', nodeRoleRules),
  clusterRole('system:node-bootstrapper', [res(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests'])]),
  clusterRole('system:certificates.k8s.io:certificatesigningrequests:nodeclient', [
    res(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/nodeclient']),
  ]),
  clusterRole('system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [
    res(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/selfnodeclient']),
  ]),
  clusterRole('system:kubelet-api-admin', [
    res(['get', 'list', 'watch', 'proxy'], [''], ['nodes']),
    res(['*'], [''], ['nodes/log', 'nodes/metrics', 'nodes/proxy', 'nodes/stats']),
  ]),
];

export const BOOTSTRAP_CLUSTER_ROLE_BINDINGS: readonly ClusterRoleBinding[] = [
  binding('cluster-admin', 'cluster-admin', [group('system:masters')]),
  binding('system:discovery', 'system:discovery', [group('system:authenticated')]),
  binding('system:basic-user', 'system:basic-user', [group('system:authenticated')]),
  binding('system:public-info-viewer', 'system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')]),
  binding('system:monitoring', 'system:monitoring', [group('system:monitoring')]),
  binding('system:kube-controller-manager', 'system:kube-controller-manager', [user('system:kube-controller-manager')]),
  binding('system:kube-scheduler', 'system:kube-scheduler', [user('system:kube-scheduler')]),
  binding('system:node-bootstrapper', 'system:node-bootstrapper', [group('system:bootstrappers')]),
  binding('system:certificates.k8s.io:certificatesigningrequests:nodeclient', 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', [group('system:bootstrappers')]),
  binding('system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [group('system:nodes')]),
];
