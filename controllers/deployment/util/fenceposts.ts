/**
 * maxSurge and maxUnavailable: how far a rolling update may go above and below the
 * desired replica count. Each is a count or a percentage of the desired replicas; a
 * surge percentage rounds up, an unavailable percentage rounds down, and when both
 * resolve to 0 maxUnavailable becomes 1 so the rollout can still make progress.
 */
import type { IntOrString } from '../../../api/types/common.js';
import type { Deployment } from '../../../api/types/workloads.js';

/** intstr.GetScaledValueFromIntOrPercent: a count as is, or `percent` of `total`, rounded up or down. */
export function scaledValueFromIntOrPercent(value: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const m = /^(-?\d+)%$/.exec(value);
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage: ${JSON.stringify(value)}`);
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** Surge and unavailable for `desired` replicas; never both zero. */
export function resolveFenceposts(
  maxSurge: IntOrString | undefined,
  maxUnavailable: IntOrString | undefined,
  desired: number,
): { surge: number; unavailable: number } {
  const surge = scaledValueFromIntOrPercent(maxSurge ?? 0, desired, true);
  let unavailable = scaledValueFromIntOrPercent(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

/** Pods the deployment may run above spec.replicas (0 for Recreate). */
export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, d.spec.replicas).surge;
}

/** Pods that may be unavailable during the update, at most spec.replicas (0 for Recreate). */
export function maxUnavailable(d: Deployment): number {
  if (!isRollingUpdate(d) || d.spec.replicas === 0) return 0;
  const ru = d.spec.strategy?.rollingUpdate;
  const { unavailable } = resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, d.spec.replicas);
  return Math.min(unavailable, d.spec.replicas);
}
