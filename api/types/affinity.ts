/** Scheduling constraints of a pod: node/pod (anti-)affinity, tolerations, topology spread. */
import { z } from 'zod';
import { mergeList } from '../meta/patch-meta.js';
import { LabelSelector } from './common.js';

export const NodeSelectorRequirement = z.strictObject({
  key: z.string(),
  operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt']),
  values: z.array(z.string()).optional(),
});

export const NodeSelectorTerm = z.strictObject({
  matchExpressions: z.array(NodeSelectorRequirement).optional().describe('Requirements on node labels.'),
  matchFields: z.array(NodeSelectorRequirement).optional().describe('Requirements on node fields (metadata.name).'),
});

export const NodeSelector = z.strictObject({
  nodeSelectorTerms: z.array(NodeSelectorTerm).describe('Terms ORed together.'),
});

export const PreferredSchedulingTerm = z.strictObject({
  weight: z.number().int().describe('Weight in the range 1-100.'),
  preference: NodeSelectorTerm,
});

export const NodeAffinity = z.strictObject({
  requiredDuringSchedulingIgnoredDuringExecution: NodeSelector.optional().describe('Nodes the pod may run on.'),
  preferredDuringSchedulingIgnoredDuringExecution: z.array(PreferredSchedulingTerm).optional().describe('Nodes the pod prefers.'),
});

export const PodAffinityTerm = z.strictObject({
  labelSelector: LabelSelector.optional(),
  namespaces: z.array(z.string()).optional(),
  topologyKey: z.string().describe('Node label whose equal values form a topology domain.'),
  namespaceSelector: LabelSelector.optional(),
  matchLabelKeys: z.array(z.string()).optional(),
  mismatchLabelKeys: z.array(z.string()).optional(),
});

export const WeightedPodAffinityTerm = z.strictObject({
  weight: z.number().int(),
  podAffinityTerm: PodAffinityTerm,
});

export const PodAffinity = z.strictObject({
  requiredDuringSchedulingIgnoredDuringExecution: z.array(PodAffinityTerm).optional(),
  preferredDuringSchedulingIgnoredDuringExecution: z.array(WeightedPodAffinityTerm).optional(),
});

export const Affinity = z
  .strictObject({
    nodeAffinity: NodeAffinity.optional(),
    podAffinity: PodAffinity.optional().describe('Co-locate with pods matching these terms.'),
    podAntiAffinity: PodAffinity.optional().describe('Keep away from pods matching these terms.'),
  })
  .describe('Scheduling constraints relative to nodes and other pods.');
export type Affinity = z.infer<typeof Affinity>;

export const TaintEffect = z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']);

export const Toleration = z
  .strictObject({
    key: z.string().optional().describe('Taint key; empty with Exists tolerates every taint.'),
    operator: z.enum(['Exists', 'Equal']).optional().describe('Exists or Equal (default).'),
    value: z.string().optional(),
    effect: TaintEffect.optional().describe('Effect to match; empty matches all.'),
    tolerationSeconds: z.number().int().optional().describe('How long a NoExecute taint is tolerated.'),
  })
  .describe('Lets the pod schedule onto (or stay on) nodes with a matching taint.');
export type Toleration = z.infer<typeof Toleration>;

export const TopologySpreadConstraint = z.strictObject({
  maxSkew: z.number().int().describe('Largest allowed difference in matching pods between domains.'),
  topologyKey: z.string(),
  whenUnsatisfiable: z.enum(['DoNotSchedule', 'ScheduleAnyway']),
  labelSelector: LabelSelector.optional(),
  minDomains: z.number().int().optional(),
  nodeAffinityPolicy: z.enum(['Honor', 'Ignore']).optional(),
  nodeTaintsPolicy: z.enum(['Honor', 'Ignore']).optional(),
  matchLabelKeys: z.array(z.string()).optional(),
});

export const TopologySpreadConstraints = mergeList(TopologySpreadConstraint, 'topologyKey', ['topologyKey', 'whenUnsatisfiable']);
