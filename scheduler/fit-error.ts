/**
 * The message of a pod that fits nowhere, in kube-scheduler's form:
 *   "0/3 nodes are available: 1 node(s) had untolerated taint {k: v}, 2 Insufficient cpu.
 *    preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
 * Reasons are counted over nodes and sorted as strings, as kube-scheduler does.
 * tkube does not preempt, so every node is reported as not helped by preemption.
 */
import type { FilterFailure } from './framework.js';

export class FitError extends Error {
  constructor(
    readonly numAllNodes: number,
    /** Node name → why it does not fit. */
    readonly failures: ReadonlyMap<string, FilterFailure>,
    /** A reason that applied before any node was looked at (preFilter). */
    readonly preFilterMessage?: string,
  ) {
    super(fitErrorMessage(numAllNodes, failures, preFilterMessage));
    this.name = 'FitError';
  }
}

export function fitErrorMessage(numAllNodes: number, failures: ReadonlyMap<string, FilterFailure>, preFilterMessage?: string): string {
  if (numAllNodes === 0) return 'no nodes available to schedule pods';
  let msg = `0/${numAllNodes} nodes are available:`;
  if (preFilterMessage) {
    msg += ` ${preFilterMessage}.`;
  } else {
    const histogram = new Map<string, number>();
    for (const f of failures.values()) for (const r of f.reasons) histogram.set(r, (histogram.get(r) ?? 0) + 1);
    const parts = [...histogram].map(([reason, n]) => `${n} ${reason}`).sort();
    msg += ` ${parts.join(', ')}.`;
  }
  msg += ` preemption: 0/${numAllNodes} nodes are available: ${numAllNodes} Preemption is not helpful for scheduling.`;
  return msg;
}
