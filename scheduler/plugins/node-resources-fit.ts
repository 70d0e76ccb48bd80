/**
 * NodeResourcesFit. Filter: the pod's requests fit in allocatable minus what the node's
 * pods (bound and assumed) request, for pods, cpu, memory, ephemeral-storage and
 * extended resources; every shortfall is reported. Score (LeastAllocated): the free
 * share of cpu and memory after placing the pod, averaged, using the non-zero defaults
 * for containers without requests.
 */
import { failure, MAX_NODE_SCORE, type FilterFailure, type FilterPlugin, type ScorePlugin } from '../framework.js';
import type { NodeInfo } from '../node-info.js';
import type { PodInfo } from '../pod-info.js';

const NAME = 'NodeResourcesFit';
const TOO_MANY_PODS = 'Too many pods';

const single = new Map<string, FilterFailure>();
function fail(reasons: string[]): FilterFailure {
  if (reasons.length !== 1) return failure(NAME, false, ...reasons);
  let f = single.get(reasons[0]!);
  if (!f) single.set(reasons[0]!, (f = failure(NAME, false, reasons[0]!)));
  return f;
}

/** The reasons the pod does not fit on the node; empty when it fits. */
export function insufficientResources(pod: PodInfo, node: NodeInfo): string[] {
  const out: string[] = [];
  if (node.pods.size + 1 > node.allowedPodNumber) out.push(TOO_MANY_PODS);
  const want = pod.requests;
  const alloc = node.allocatable;
  const used = node.requested;
  if (want.milliCPU > 0 && want.milliCPU > alloc.milliCPU - used.milliCPU) out.push('Insufficient cpu');
  if (want.memory > 0 && want.memory > alloc.memory - used.memory) out.push('Insufficient memory');
  if (want.ephemeralStorage > 0 && want.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) out.push('Insufficient ephemeral-storage');
  if (want.scalar) {
    for (const [name, q] of want.scalar) {
      if (q > 0 && q > (alloc.scalar?.get(name) ?? 0) - (used.scalar?.get(name) ?? 0)) out.push(`Insufficient ${name}`);
    }
  }
  return out;
}

export const nodeResourcesFitFilter: FilterPlugin = {
  name: NAME,
  filter(_state, pod, node) {
    // The common case without allocation: everything fits.
    const want = pod.requests;
    const alloc = node.allocatable;
    const used = node.requested;
    if (
      node.pods.size < node.allowedPodNumber &&
      want.milliCPU <= alloc.milliCPU - used.milliCPU &&
      want.memory <= alloc.memory - used.memory &&
      want.ephemeralStorage <= alloc.ephemeralStorage - used.ephemeralStorage &&
      want.scalar === undefined
    ) {
      return null;
    }
    const reasons = insufficientResources(pod, node);
    return reasons.length === 0 ? null : fail(reasons);
  },
};

function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export const leastAllocatedScore: ScorePlugin = {
  name: `${NAME}(LeastAllocated)`,
  score(_state, pod, node) {
    const cpu = leastRequested(node.nonZeroMilliCPU + pod.nonZeroMilliCPU, node.allocatable.milliCPU);
    const mem = leastRequested(node.nonZeroMemory + pod.nonZeroMemory, node.allocatable.memory);
    return Math.floor((cpu + mem) / 2);
  },
};
