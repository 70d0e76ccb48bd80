/**
 * Proportional scaling: when a Deployment is resized in the middle of a rollout, the
 * replicas added (or removed) are shared among its active ReplicaSets in proportion to
 * their sizes, so the rollout's balance stays as it was. A ReplicaSet's share uses the
 * max-replicas annotation: the deployment size (+ surge) it was last scaled for.
 */
import type { Deployment, ReplicaSet } from '../../../api/types/workloads.js';
import { maxReplicasAnnotation } from './annotations.js';
import { maxSurge } from './fenceposts.js';
import { bySizeNewer, bySizeOlder } from './replicasets.js';

/** Go's math.Round: halves away from zero (Math.round rounds -2.5 to -2). */
export function roundHalfAwayFromZero(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/** How many replicas this ReplicaSet would gain (or lose, negative) if scaled in proportion to the new deployment size. */
export function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  // Scaling to zero: every ReplicaSet gives up all its replicas.
  if (d.spec.replicas === 0) return -rs.spec.replicas;
  const deploymentReplicas = d.spec.replicas + maxSurge(d);
  // Without the annotation fall back to the deployment's current size: not exact, but the
  // min/max in proportionFor keep the total within bounds.
  const annotated = maxReplicasAnnotation(rs) ?? d.status?.replicas ?? 0;
  if (annotated === 0) return 0;
  const newSize = (rs.spec.replicas * deploymentReplicas) / annotated;
  return roundHalfAwayFromZero(newSize) - rs.spec.replicas;
}

/**
 * The share of `toAdd` (negative when scaling down) this ReplicaSet takes, given that
 * `added` has already been handed out to others; never beyond what is left.
 */
export function proportionFor(rs: ReplicaSet | undefined, d: Deployment, toAdd: number, added: number): number {
  if (!rs || rs.spec.replicas === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

export interface ProportionalPlan {
  /** "up" or "down" for the events; "" when the total does not change. */
  operation: 'up' | 'down' | '';
  sizes: { rs: ReplicaSet; size: number }[];
}

/**
 * The new size of every active ReplicaSet when the deployment's size changed during a
 * rollout: the total goes to replicas + maxSurge (0 when scaling to zero), shared out in
 * proportion; the rounding leftover goes to the first ReplicaSet in scaling order (the
 * largest; on a tie the newest when scaling up, the oldest when scaling down).
 */
export function planProportionalScaling(d: Deployment, activeRSs: ReplicaSet[]): ProportionalPlan {
  const allowedSize = d.spec.replicas > 0 ? d.spec.replicas + maxSurge(d) : 0;
  const current = activeRSs.reduce((n, rs) => n + rs.spec.replicas, 0);
  const toAdd = allowedSize - current;
  const ordered = [...activeRSs];
  let operation: ProportionalPlan['operation'] = '';
  if (toAdd > 0) {
    ordered.sort(bySizeNewer);
    operation = 'up';
  } else if (toAdd < 0) {
    ordered.sort(bySizeOlder);
    operation = 'down';
  }
  let added = 0;
  const sizes = ordered.map((rs) => {
    if (toAdd === 0) return { rs, size: rs.spec.replicas };
    const share = proportionFor(rs, d, toAdd, added);
    added += share;
    return { rs, size: rs.spec.replicas + share };
  });
  if (toAdd !== 0 && sizes.length > 0) sizes[0]!.size = Math.max(0, sizes[0]!.size + toAdd - added);
  return { operation, sizes };
}
