/** The default profile: kube-scheduler's default filters in its order and its default score weights. */
import type { Profile } from '../framework.js';
import { balancedAllocationScore } from './balanced-allocation.js';
import { interPodAffinityFilter, interPodAffinityScore } from './inter-pod-affinity.js';
import { nodeAffinityFilter, nodeAffinityScore } from './node-affinity.js';
import { nodeName } from './node-name.js';
import { nodePorts } from './node-ports.js';
import { leastAllocatedScore, nodeResourcesFitFilter } from './node-resources-fit.js';
import { nodeUnschedulable } from './node-unschedulable.js';
import { podTopologySpreadFilter, podTopologySpreadScore } from './pod-topology-spread.js';
import { taintTolerationFilter, taintTolerationScore } from './taint-toleration.js';

export function defaultProfile(): Profile {
  return {
    filters: [
      nodeUnschedulable,
      nodeName,
      taintTolerationFilter,
      nodeAffinityFilter,
      nodePorts,
      nodeResourcesFitFilter,
      podTopologySpreadFilter,
      interPodAffinityFilter,
    ],
    scores: [
      { plugin: taintTolerationScore, weight: 3 },
      { plugin: nodeAffinityScore, weight: 2 },
      { plugin: podTopologySpreadScore, weight: 2 },
      { plugin: interPodAffinityScore, weight: 2 },
      { plugin: leastAllocatedScore, weight: 1 },
      { plugin: balancedAllocationScore, weight: 1 },
    ],
  };
}
