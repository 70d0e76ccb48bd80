/** core/v1 Pod: spec, status, the pod template used by workloads, and pod defaulting. */
import { z } from 'zod';
import { ObjectMeta } from '../meta/object-meta.js';
import { mergeList } from '../meta/patch-meta.js';
import { Affinity, Toleration, TopologySpreadConstraints } from './affinity.js';
import { LocalObjectReference, ResourceList, StringMap, Time, conditionList, listOf, typeMeta } from './common.js';
import {
  AppArmorProfile,
  Container,
  ResourceRequirements,
  SeccompProfile,
  SELinuxOptions,
  WindowsSecurityContextOptions,
  defaultImagePullPolicy,
} from './container.js';
import { VOLUME_SOURCES, Volume } from './volume.js';

export const PodSecurityContext = z
  .strictObject({
    seLinuxOptions: SELinuxOptions.optional(),
    windowsOptions: WindowsSecurityContextOptions.optional(),
    runAsUser: z.number().int().optional().describe('UID the container processes run as.'),
    runAsGroup: z.number().int().optional(),
    runAsNonRoot: z.boolean().optional(),
    supplementalGroups: z.array(z.number().int()).optional(),
    supplementalGroupsPolicy: z.enum(['Merge', 'Strict']).optional(),
    fsGroup: z.number().int().optional().describe('Group that owns the volumes the pod mounts.'),
    fsGroupChangePolicy: z.enum(['OnRootMismatch', 'Always']).optional(),
    sysctls: z.array(z.strictObject({ name: z.string(), value: z.string() })).optional(),
    seccompProfile: SeccompProfile.optional(),
    appArmorProfile: AppArmorProfile.optional(),
    seLinuxChangePolicy: z.string().optional(),
  })
  .describe('Security options applied to every container of the pod.');

export const HostAlias = z.strictObject({ ip: z.string(), hostnames: z.array(z.string()).optional() });

export const PodDNSConfig = z.strictObject({
  nameservers: z.array(z.string()).optional(),
  searches: z.array(z.string()).optional(),
  options: z.array(z.strictObject({ name: z.string().optional(), value: z.string().optional() })).optional(),
});

export const RestartPolicy = z.enum(['Always', 'OnFailure', 'Never']);
export const DNSPolicy = z.enum(['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None']);

export const PodSpec = z
  .strictObject({
    volumes: mergeList(Volume, 'name')
      .meta({ 'x-kubernetes-patch-strategy': 'merge,retainKeys' })
      .optional()
      .describe('Volumes the containers can mount.'),
    initContainers: mergeList(Container, 'name').optional().describe('Containers run to completion, in order, before the app containers.'),
    containers: mergeList(Container, 'name').describe('The application containers; at least one.'),
    ephemeralContainers: mergeList(Container.extend({ targetContainerName: z.string().optional() }), 'name').optional(),
    restartPolicy: RestartPolicy.default('Always').describe('Always, OnFailure or Never.'),
    terminationGracePeriodSeconds: z.number().int().default(30).describe('Seconds between SIGTERM and SIGKILL on deletion.'),
    activeDeadlineSeconds: z.number().int().optional().describe('Seconds the pod may run before it is failed.'),
    dnsPolicy: DNSPolicy.default('ClusterFirst').describe('How the pod resolver is configured.'),
    nodeSelector: StringMap.optional().describe('Labels a node must carry for the pod to run there.'),
    serviceAccountName: z.string().optional().describe('ServiceAccount the pod runs as.'),
    serviceAccount: z.string().optional().describe('Deprecated alias of serviceAccountName.'),
    automountServiceAccountToken: z.boolean().optional(),
    nodeName: z.string().optional().describe('The node the pod is bound to; set by the scheduler.'),
    hostNetwork: z.boolean().optional().describe("Use the node's network namespace."),
    hostPID: z.boolean().optional(),
    hostIPC: z.boolean().optional(),
    shareProcessNamespace: z.boolean().optional(),
    securityContext: PodSecurityContext.default({}),
    imagePullSecrets: mergeList(LocalObjectReference, 'name').optional().describe('Secrets used to pull the images.'),
    hostname: z.string().optional().describe('Hostname of the pod; the pod name by default.'),
    subdomain: z.string().optional(),
    affinity: Affinity.optional(),
    schedulerName: z.string().default('default-scheduler').describe('Scheduler responsible for the pod.'),
    tolerations: z.array(Toleration).optional().describe('Taints the pod tolerates.'),
    hostAliases: mergeList(HostAlias, 'ip').optional(),
    priorityClassName: z.string().optional(),
    priority: z.number().int().optional(),
    dnsConfig: PodDNSConfig.optional(),
    readinessGates: z.array(z.strictObject({ conditionType: z.string() })).optional(),
    runtimeClassName: z.string().optional(),
    enableServiceLinks: z.boolean().default(true).describe('Inject service environment variables.'),
    preemptionPolicy: z.enum(['PreemptLowerPriority', 'Never']).optional(),
    overhead: ResourceList.optional(),
    topologySpreadConstraints: TopologySpreadConstraints.optional(),
    setHostnameAsFQDN: z.boolean().optional(),
    os: z.strictObject({ name: z.string() }).optional(),
    hostUsers: z.boolean().optional(),
    schedulingGates: mergeList(z.strictObject({ name: z.string() }), 'name').optional(),
    resources: ResourceRequirements.optional(),
    resourceClaims: mergeList(
      z.strictObject({ name: z.string(), resourceClaimName: z.string().optional(), resourceClaimTemplateName: z.string().optional() }),
      'name',
    )
      .meta({ 'x-kubernetes-patch-strategy': 'merge,retainKeys' })
      .optional(),
  })
  .describe('Desired state of a pod.');
export type PodSpec = z.infer<typeof PodSpec>;

export const PodCondition = z.strictObject({
  type: z.string().describe('PodScheduled, Initialized, ContainersReady, Ready, ...'),
  status: z.enum(['True', 'False', 'Unknown']),
  observedGeneration: z.number().int().optional(),
  lastProbeTime: Time.nullable().optional(),
  lastTransitionTime: Time.nullable().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
});
export type PodCondition = z.infer<typeof PodCondition>;

export const ContainerState = z
  .strictObject({
    waiting: z.strictObject({ reason: z.string().optional(), message: z.string().optional() }).optional(),
    running: z.strictObject({ startedAt: Time.optional() }).optional(),
    terminated: z
      .strictObject({
        exitCode: z.number().int(),
        signal: z.number().int().optional(),
        reason: z.string().optional(),
        message: z.string().optional(),
        startedAt: Time.optional(),
        finishedAt: Time.optional(),
        containerID: z.string().optional(),
      })
      .optional(),
  })
  .describe('Exactly one of waiting, running, terminated.');
export type ContainerState = z.infer<typeof ContainerState>;

export const ContainerStatus = z.strictObject({
  name: z.string(),
  state: ContainerState.optional().describe('Current state of the container.'),
  lastState: ContainerState.optional().describe("The previous run's termination."),
  ready: z.boolean().describe('Whether the readiness probe succeeds.'),
  restartCount: z.number().int(),
  image: z.string(),
  imageID: z.string(),
  containerID: z.string().optional().describe('<runtime>://<id>.'),
  started: z.boolean().optional(),
  allocatedResources: ResourceList.optional(),
  resources: ResourceRequirements.optional(),
  user: z.record(z.string(), z.unknown()).optional(),
  volumeMounts: z.array(z.record(z.string(), z.unknown())).optional(),
  stopSignal: z.string().optional(),
});
export type ContainerStatus = z.infer<typeof ContainerStatus>;

export const PodIP = z.strictObject({ ip: z.string() });

export const PodPhase = z.enum(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']);

export const PodStatus = z
  .strictObject({
    observedGeneration: z.number().int().optional(),
    phase: PodPhase.optional().describe('Pending, Running, Succeeded, Failed or Unknown.'),
    conditions: conditionList(PodCondition).optional(),
    message: z.string().optional(),
    reason: z.string().optional().describe('Short CamelCase reason for the phase, e.g. Evicted.'),
    nominatedNodeName: z.string().optional(),
    hostIP: z.string().optional().describe('IP of the node the pod runs on.'),
    hostIPs: mergeList(PodIP, 'ip').optional(),
    podIP: z.string().optional().describe('IP of the pod on the cluster network.'),
    podIPs: mergeList(PodIP, 'ip').optional(),
    startTime: Time.optional(),
    initContainerStatuses: z.array(ContainerStatus).optional(),
    containerStatuses: z.array(ContainerStatus).optional(),
    ephemeralContainerStatuses: z.array(ContainerStatus).optional(),
    qosClass: z.enum(['Guaranteed', 'Burstable', 'BestEffort']).optional(),
    resize: z.string().optional(),
    resourceClaimStatuses: mergeList(z.strictObject({ name: z.string(), resourceClaimName: z.string().optional() }), 'name').optional(),
  })
  .describe('Observed state of a pod, reported by the kubelet.');
export type PodStatus = z.infer<typeof PodStatus>;

export const Pod = z
  .strictObject({
    ...typeMeta('v1', 'Pod'),
    metadata: ObjectMeta,
    spec: PodSpec,
    status: PodStatus.optional(),
  })
  .describe('A group of containers that run together on one node.');
export type Pod = z.infer<typeof Pod>;
export type PodInput = z.input<typeof Pod>;
export const PodList = listOf('v1', 'Pod', Pod);

export const PodTemplateSpec = z
  .strictObject({
    metadata: ObjectMeta.default({}),
    spec: PodSpec,
  })
  .describe('The pods a workload creates: their metadata and spec.');
export type PodTemplateSpec = z.infer<typeof PodTemplateSpec>;

/** Defaults that depend on other fields; the schema has applied the simple ones already. */
export function applyPodSpecDefaults(spec: PodSpec): void {
  for (const c of [...(spec.initContainers ?? []), ...spec.containers, ...(spec.ephemeralContainers ?? [])]) {
    c.imagePullPolicy ??= defaultImagePullPolicy(c.image);
  }
  for (const v of spec.volumes ?? []) {
    // A volume with no source is an emptyDir, as in Kubernetes.
    if (!VOLUME_SOURCES.some((s) => v[s] !== undefined)) v.emptyDir = {};
  }
  if (spec.serviceAccount && !spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount;
  if (spec.hostNetwork) {
    // The host's ports are the container ports when the pod shares the node network.
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      for (const p of c.ports ?? []) p.hostPort ??= p.containerPort;
    }
  }
}
