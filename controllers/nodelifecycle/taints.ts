/**
 * Taints and tolerations as the node lifecycle controller uses them: which taints a
 * node's Ready condition calls for, whether a pod tolerates a taint, and when a pod on a
 * node with NoExecute taints must be evicted (Kubernetes' taint eviction manager).
 */
import type { Toleration } from '../../api/types/affinity.js';
import type { Taint } from '../../api/types/node.js';

export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';

type ConditionStatus = 'True' | 'False' | 'Unknown';

/** The taints a Ready condition calls for: unreachable when Unknown, not-ready when False, none when True. */
export function readinessTaints(ready: ConditionStatus | undefined): Pick<Taint, 'key' | 'effect'>[] {
  const key = ready === 'Unknown' ? TAINT_UNREACHABLE : ready === 'False' ? TAINT_NOT_READY : undefined;
  if (!key) return [];
  // NoExecute evicts pods (taint manager); NoSchedule keeps new ones away (TaintNodesByCondition).
  return [
    { key, effect: 'NoSchedule' },
    { key, effect: 'NoExecute' },
  ];
}

const managedKeys = new Set([TAINT_UNREACHABLE, TAINT_NOT_READY]);

/**
 * The node's taints with the readiness taints made to match `wanted`; other taints are
 * kept as they are. Returns undefined when nothing changes. New NoExecute taints carry
 * timeAdded: tolerationSeconds count from it.
 */
export function withReadinessTaints(current: Taint[], wanted: Pick<Taint, 'key' | 'effect'>[], now: string): Taint[] | undefined {
  const same = (a: Pick<Taint, 'key' | 'effect'>, b: Pick<Taint, 'key' | 'effect'>) => a.key === b.key && a.effect === b.effect;
  const kept = current.filter((t) => !managedKeys.has(t.key) || wanted.some((w) => same(w, t)));
  const added = wanted.filter((w) => !current.some((t) => same(w, t))).map((w): Taint => (w.effect === 'NoExecute' ? { ...w, timeAdded: now } : { ...w }));
  if (kept.length === current.length && added.length === 0) return undefined;
  return [...kept, ...added];
}

/** Kubernetes' ToleratesTaint: effect and key must match (empty matches all), then Exists, or Equal values. */
export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? 'Equal') {
    case 'Exists':
      return true;
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
  }
}

export type Eviction = { kind: 'never' } | { kind: 'now' } | { kind: 'at'; at: number };

/**
 * When a pod on a node with these taints must go. Only NoExecute taints evict. A taint
 * no toleration matches evicts at once; otherwise each taint is tolerated by the first
 * toleration matching it (as Kubernetes picks them) for its tolerationSeconds, counted
 * from when the taint appeared (`since`, epoch ms), and the earliest deadline wins.
 * A toleration without tolerationSeconds tolerates forever.
 */
export function evictionTime(taints: Taint[], tolerations: Toleration[], since: (taint: Taint) => number): Eviction {
  let earliest = Infinity;
  for (const taint of taints) {
    if (taint.effect !== 'NoExecute') continue;
    const used = tolerations.find((t) => tolerates(t, taint));
    if (!used) return { kind: 'now' };
    if (used.tolerationSeconds === undefined) continue;
    if (used.tolerationSeconds <= 0) return { kind: 'now' };
    earliest = Math.min(earliest, since(taint) + used.tolerationSeconds * 1000);
  }
  return earliest === Infinity ? { kind: 'never' } : { kind: 'at', at: earliest };
}
