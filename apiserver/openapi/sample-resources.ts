/**
 * A few small ResourceDefs for the discovery and OpenAPI tests, independent of the
 * real API types so those tests pin down document shapes, not type contents.
 */
import { z } from 'zod';
import { ObjectMeta } from '../../api/meta/object-meta.js';
import { atomicList, mergeList } from '../../api/meta/patch-meta.js';
import type { KubeObject } from '../../api/meta/object-meta.js';
import type { ResourceDef } from '../../api/resource.js';

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function header(apiVersion: string, kind: string) {
  return {
    apiVersion: z.string().default(apiVersion).describe('APIVersion defines the versioned schema of this representation of an object.'),
    kind: z.string().default(kind).describe('Kind is a string value representing the REST resource this object represents.'),
    metadata: ObjectMeta.default({}).describe("Standard object's metadata."),
  };
}

export const SampleContainerPort = z
  .strictObject({
    name: z.string().optional().describe('IANA service name for the port.'),
    containerPort: z.number().int().describe('Port number the container listens on.'),
    protocol: z.enum(['TCP', 'UDP', 'SCTP']).default('TCP').describe('Protocol for port.'),
  })
  .describe('A network port in a single container.');

export const SampleContainer = z
  .strictObject({
    name: z.string().describe('Name of the container specified as a DNS_LABEL.'),
    image: z.string().optional().describe('Container image name.'),
    command: atomicList(z.string()).optional().describe('Entrypoint array.'),
    ports: mergeList(SampleContainerPort, 'containerPort', ['containerPort', 'protocol']).optional().describe('List of ports to expose from the container.'),
    env: z.record(z.string(), z.string()).optional().describe('Environment variables.'),
  })
  .describe('A single application container that you want to run within a pod.');

export const SamplePodSpec = z
  .strictObject({
    containers: mergeList(SampleContainer, 'name').describe('List of containers belonging to the pod.'),
    nodeName: z.string().optional().describe('The node this pod is bound to.'),
    restartPolicy: z.enum(['Always', 'OnFailure', 'Never']).default('Always').describe('Restart policy for all containers within the pod.'),
  })
  .describe('A description of a pod.');

const PodStatus = z.strictObject({ phase: z.string().optional().describe('The phase of a Pod.'), podIP: z.string().optional() });

export const SamplePod = z
  .strictObject({
    ...header('v1', 'Pod'),
    spec: SamplePodSpec.optional().describe('Specification of the desired behavior of the pod.'),
    status: PodStatus.optional().describe('Most recently observed status of the pod.'),
  })
  .describe('Pod is a collection of containers that can run on a host.');

const SampleNamespace = z
  .strictObject({ ...header('v1', 'Namespace'), status: z.strictObject({ phase: z.string().optional() }).optional() })
  .describe('Namespace provides a scope for Names.');

const SampleDeployment = z
  .strictObject({
    ...header('apps/v1', 'Deployment'),
    spec: z
      .strictObject({
        replicas: z.number().int().default(1).describe('Number of desired pods. Defaults to 1.'),
        selector: z.strictObject({ matchLabels: z.record(z.string(), z.string()).optional() }).describe('Label selector for pods.'),
        template: z
          .strictObject({ metadata: ObjectMeta.optional(), spec: SamplePodSpec.optional() })
          .describe('Template describes the pods that will be created.'),
        maxSurge: z.union([z.number().int(), z.string()]).optional().describe('Extra pods allowed during a rollout.'),
      })
      .optional()
      .describe('Specification of the desired behavior of the Deployment.'),
    status: z.strictObject({ replicas: z.number().int().optional() }).optional(),
  })
  .describe('Deployment enables declarative updates for Pods and ReplicaSets.');

const SampleLease = z
  .strictObject({ ...header('coordination.k8s.io/v1', 'Lease'), spec: z.strictObject({ holderIdentity: z.string().optional() }).optional() })
  .describe('Lease defines a lease concept.');

function def(d: Omit<ResourceDef, 'schema'> & { schema: z.ZodType }): ResourceDef {
  return d as ResourceDef<KubeObject>;
}

export const sampleResources: ResourceDef[] = [
  def({
    group: '', version: 'v1', kind: 'Pod', listKind: 'PodList', plural: 'pods', singular: 'pod', namespaced: true,
    shortNames: ['po'], categories: ['all'], verbs: ALL_VERBS, schema: SamplePod, hasStatus: true,
  }),
  def({
    group: '', version: 'v1', kind: 'Namespace', listKind: 'NamespaceList', plural: 'namespaces', singular: 'namespace',
    namespaced: false, shortNames: ['ns'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    schema: SampleNamespace, hasStatus: true,
  }),
  def({
    group: 'apps', version: 'v1', kind: 'Deployment', listKind: 'DeploymentList', plural: 'deployments', singular: 'deployment',
    namespaced: true, shortNames: ['deploy'], categories: ['all'], verbs: ALL_VERBS, schema: SampleDeployment, hasStatus: true,
    scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' },
  }),
  def({
    group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', listKind: 'LeaseList', plural: 'leases', singular: 'lease',
    namespaced: true, verbs: ALL_VERBS, schema: SampleLease, hasStatus: false,
  }),
];
