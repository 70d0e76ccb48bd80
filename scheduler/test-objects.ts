/** Builders of Node and Pod objects for the scheduler's tests and benchmarks. */
import type { Toleration } from '../api/types/affinity.js';
import type { Node, Taint } from '../api/types/node.js';
import type { Pod } from '../api/types/pod.js';

export interface NodeSpecInput {
  cpu?: string;
  memory?: string;
  pods?: number;
  ephemeralStorage?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  extra?: Record<string, string>;
}

export function makeNode(name: string, o: NodeSpecInput = {}): Node {
  const allocatable: Record<string, string> = {
    cpu: o.cpu ?? '4',
    memory: o.memory ?? '8Gi',
    pods: String(o.pods ?? 110),
    'ephemeral-storage': o.ephemeralStorage ?? '100Gi',
    ...(o.extra ?? {}),
  };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: { capacity: { ...allocatable }, allocatable },
  };
}

export interface PodSpecInput {
  namespace?: string;
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  affinity?: Pod['spec']['affinity'];
  hostPort?: number;
  priority?: number;
  topologySpreadConstraints?: Pod['spec']['topologySpreadConstraints'];
  ownerUid?: string;
  initContainers?: Pod['spec']['initContainers'];
  overhead?: Record<string, string>;
  schedulerName?: string;
}

export function makePod(name: string, o: PodSpecInput = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: `uid-${name}`,
      labels: o.labels,
      ownerReferences: o.ownerUid ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: o.ownerUid, controller: true }] : undefined,
    },
    spec: {
      containers: [
        {
          name: 'c',
          image: 'pause',
          resources: Object.keys(requests).length ? { requests } : undefined,
          ports: o.hostPort ? [{ containerPort: 80, hostPort: o.hostPort, protocol: 'TCP' }] : undefined,
        },
      ],
      initContainers: o.initContainers,
      overhead: o.overhead,
      nodeName: o.nodeName,
      nodeSelector: o.nodeSelector,
      tolerations: o.tolerations,
      affinity: o.affinity,
      priority: o.priority,
      topologySpreadConstraints: o.topologySpreadConstraints,
      schedulerName: o.schedulerName ?? 'default-scheduler',
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      securityContext: {},
      enableServiceLinks: true,
    },
  } as Pod;
}
