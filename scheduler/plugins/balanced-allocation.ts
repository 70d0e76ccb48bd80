/**
 * NodeResourcesBalancedAllocation: prefers nodes whose cpu and memory would be used in
 * equal shares after placing the pod: 100 × (1 − standard deviation of the two shares).
 * Skipped for pods that request neither (as kube-scheduler does).
 */
import { MAX_NODE_SCORE, type ScorePlugin } from '../framework.js';

const NAME = 'NodeResourcesBalancedAllocation';

export const balancedAllocationScore: ScorePlugin = {
  name: NAME,
  preScore: (_state, pod) => (pod.requests.milliCPU === 0 && pod.requests.memory === 0 ? 'skip' : 'run'),
  score(_state, pod, node) {
    const a = node.allocatable;
    if (a.milliCPU === 0 || a.memory === 0) return 0;
    const cpu = Math.min(1, (node.requested.milliCPU + pod.requests.milliCPU) / a.milliCPU);
    const mem = Math.min(1, (node.requested.memory + pod.requests.memory) / a.memory);
    // With two resources the standard deviation is half their difference.
    const std = Math.abs(cpu - mem) / 2;
    return Math.floor((1 - std) * MAX_NODE_SCORE);
  },
};
