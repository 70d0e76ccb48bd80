/** core/v1 Node. */
import { z } from 'zod';
import { ObjectMeta } from '../meta/object-meta.js';
import { mergeList, mergeSet } from '../meta/patch-meta.js';
import { ResourceList, Time, conditionList, listOf, typeMeta } from './common.js';
import { TaintEffect } from './affinity.js';

export const Taint = z
  .strictObject({
    key: z.string().describe('Taint key.'),
    value: z.string().optional(),
    effect: TaintEffect.describe('NoSchedule, PreferNoSchedule or NoExecute.'),
    timeAdded: Time.optional(),
  })
  .describe('Repels pods that do not tolerate it.');
export type Taint = z.infer<typeof Taint>;

export const NodeSpec = z
  .strictObject({
    podCIDR: z.string().optional().describe('Pod IP range assigned to the node.'),
    podCIDRs: mergeSet(z.string()).optional().describe('Pod IP ranges, at most one per IP family.'),
    providerID: z.string().optional(),
    unschedulable: z.boolean().optional().describe('Keep new pods off the node (cordon).'),
    taints: z.array(Taint).optional().describe('Taints of the node.'),
    externalID: z.string().optional(),
    configSource: z.record(z.string(), z.unknown()).optional(),
  })
  .describe('Desired state of a node.');
export type NodeSpec = z.infer<typeof NodeSpec>;

export const NodeCondition = z.strictObject({
  type: z.string().describe('Ready, MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable.'),
  status: z.enum(['True', 'False', 'Unknown']),
  lastHeartbeatTime: Time.optional(),
  lastTransitionTime: Time.optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
});
export type NodeCondition = z.infer<typeof NodeCondition>;

export const NodeAddress = z.strictObject({
  type: z.string().describe('Hostname, InternalIP, ExternalIP, InternalDNS or ExternalDNS.'),
  address: z.string(),
});
export type NodeAddress = z.infer<typeof NodeAddress>;

export const NodeSystemInfo = z.strictObject({
  machineID: z.string(),
  systemUUID: z.string(),
  bootID: z.string(),
  kernelVersion: z.string(),
  osImage: z.string(),
  containerRuntimeVersion: z.string(),
  kubeletVersion: z.string(),
  kubeProxyVersion: z.string(),
  operatingSystem: z.string(),
  architecture: z.string(),
  swap: z.strictObject({ capacity: z.number().int().optional() }).optional(),
});
export type NodeSystemInfo = z.infer<typeof NodeSystemInfo>;

export const NodeStatus = z
  .strictObject({
    capacity: ResourceList.optional().describe('Total resources of the node.'),
    allocatable: ResourceList.optional().describe('Resources available to pods.'),
    phase: z.string().optional(),
    conditions: conditionList(NodeCondition).optional(),
    addresses: mergeList(NodeAddress, 'type').optional().describe('Addresses the node is reachable at.'),
    daemonEndpoints: z
      .strictObject({ kubeletEndpoint: z.strictObject({ Port: z.number().int() }).optional() })
      .optional()
      .describe('Ports of daemons on the node (the kubelet).'),
    nodeInfo: NodeSystemInfo.optional(),
    images: z
      .array(z.strictObject({ names: z.array(z.string()).optional(), sizeBytes: z.number().int().optional() }))
      .optional(),
    volumesInUse: z.array(z.string()).optional(),
    volumesAttached: z.array(z.strictObject({ name: z.string(), devicePath: z.string() })).optional(),
    config: z.record(z.string(), z.unknown()).optional(),
    runtimeHandlers: z.array(z.record(z.string(), z.unknown())).optional(),
    features: z.record(z.string(), z.unknown()).optional(),
  })
  .describe('Observed state of a node, reported by its kubelet.');
export type NodeStatus = z.infer<typeof NodeStatus>;

export const Node = z
  .strictObject({
    ...typeMeta('v1', 'Node'),
    metadata: ObjectMeta,
    spec: NodeSpec.default({}),
    status: NodeStatus.optional(),
  })
  .describe('A worker machine that runs pods.');
export type Node = z.infer<typeof Node>;
export type NodeInput = z.input<typeof Node>;
export const NodeList = listOf('v1', 'Node', Node);

/** A node that reports capacity but no allocatable gets its capacity as allocatable, as in Kubernetes. */
export function applyNodeDefaults(node: Node): void {
  if (node.status?.capacity && !node.status.allocatable) node.status.allocatable = { ...node.status.capacity };
}
