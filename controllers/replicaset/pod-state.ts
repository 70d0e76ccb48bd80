/**
 * Questions the ReplicaSet controller asks about a pod, answered as Kubernetes'
 * podutil answers them: is it active, is it ready, since when, is it available.
 */
import type { Pod, PodCondition } from '../../api/types/pod.js';

/** A pod that still counts: not finished (Succeeded/Failed) and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

export function podReadyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(pod: Pod): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

/** When the pod last became Ready, in ms since the epoch; undefined if not ready or unknown. */
export function podReadySince(pod: Pod): number | undefined {
  const c = podReadyCondition(pod);
  if (c?.status !== 'True' || !c.lastTransitionTime) return undefined;
  const t = Date.parse(c.lastTransitionTime);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Available = ready for at least minReadySeconds. With minReadySeconds 0 a ready pod is
 * available at once; otherwise its Ready condition must have turned True long enough ago.
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const since = podReadySince(pod);
  return since !== undefined && since + minReadySeconds * 1000 < nowMs;
}
