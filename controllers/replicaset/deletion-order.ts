/**
 * Which pods a ReplicaSet deletes first when it has too many: Kubernetes'
 * ActivePodsWithRanks ordering, the pod to delete first sorting first.
 *
 *  1. unscheduled before scheduled;
 *  2. Pending before Unknown before Running;
 *  3. not ready before ready;
 *  4. lower controller.kubernetes.io/pod-deletion-cost before higher;
 *  5. pods sharing their node with more related pods ("doubled up") first;
 *  6. ready for less time before ready for longer;
 *  7. more container restarts before fewer;
 *  8. newer before older.
 *
 * Times in 6 and 8 are compared on a logarithmic scale relative to now (Kubernetes'
 * LogarithmicScaleDown): pods that became ready 10 and 11 minutes ago are equally old,
 * and ties are broken by uid, which spreads deletions randomly among similar pods
 * instead of always hitting the newest.
 */
import type { Pod } from '../../api/types/pod.js';
import { isPodActive, isPodReady, podReadySince } from './pod-state.js';

export const podDeletionCostAnnotation = 'controller.kubernetes.io/pod-deletion-cost';

const phaseOrdinal: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

export interface RankedPod {
  pod: Pod;
  /** How many related pods (of this ReplicaSet and its siblings) run on the same node. */
  rank: number;
}

/** The pod-deletion-cost annotation as an int32; anything invalid counts as 0. */
export function podDeletionCost(pod: Pod): number {
  const text = pod.metadata.annotations?.[podDeletionCostAnnotation];
  if (text === undefined || !/^[+-]?\d+$/.test(text.trim())) return 0;
  const n = Number(text.trim());
  return n >= -(2 ** 31) && n < 2 ** 31 ? n : 0;
}

function timeOf(ts: string | null | undefined): number | undefined {
  if (!ts) return undefined;
  const t = Date.parse(ts);
  return Number.isNaN(t) ? undefined : t;
}

/** Highest restart count of regular containers, and of sidecars (restartable init containers). */
function maxRestarts(pod: Pod): { regular: number; sidecar: number } {
  const regular = Math.max(0, ...(pod.status?.containerStatuses ?? []).map((s) => s.restartCount));
  const sidecars = new Set((pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  const sidecar = Math.max(0, ...(pod.status?.initContainerStatuses ?? []).filter((s) => sidecars.has(s.name)).map((s) => s.restartCount));
  return { regular, sidecar };
}

/** floor(log2(age in ns)), or -1 for a time not in the past. */
function logAgeBucket(t: number, nowMs: number): number {
  const ageNs = (nowMs - t) * 1e6;
  return ageNs > 0 ? Math.floor(Math.log2(ageNs)) : -1;
}

/**
 * Whether time a sorts before time b in "newer first" order. A missing time sorts
 * first; otherwise the later time (the younger pod) comes first, on the log scale.
 * Returns undefined when they tie.
 */
function newerFirst(a: Pod, b: Pod, ta: number | undefined, tb: number | undefined, nowMs: number): boolean | undefined {
  if (ta === tb) return undefined;
  if (ta === undefined || tb === undefined) return ta === undefined;
  const diff = logAgeBucket(ta, nowMs) - logAgeBucket(tb, nowMs);
  if (diff === 0) return (a.metadata.uid ?? '') < (b.metadata.uid ?? '');
  return diff < 0;
}

/** True if `a` should be deleted before `b`. */
export function deleteBefore(a: RankedPod, b: RankedPod, nowMs: number): boolean {
  const pa = a.pod;
  const pb = b.pod;
  // 1. Unassigned < assigned.
  const na = pa.spec.nodeName ?? '';
  const nb = pb.spec.nodeName ?? '';
  if (na !== nb && (na === '' || nb === '')) return na === '';
  // 2. Pending < Unknown < Running.
  const oa = phaseOrdinal[pa.status?.phase ?? ''] ?? 0;
  const ob = phaseOrdinal[pb.status?.phase ?? ''] ?? 0;
  if (oa !== ob) return oa < ob;
  // 3. Not ready < ready.
  const ra = isPodReady(pa);
  const rb = isPodReady(pb);
  if (ra !== rb) return !ra;
  // 4. Lower deletion cost < higher.
  const ca = podDeletionCost(pa);
  const cb = podDeletionCost(pb);
  if (ca !== cb) return ca < cb;
  // 5. Doubled up < not doubled up.
  if (a.rank !== b.rank) return a.rank > b.rank;
  // 6. Ready for less time < more time.
  if (ra && rb) {
    const order = newerFirst(pa, pb, podReadySince(pa), podReadySince(pb), nowMs);
    if (order !== undefined) return order;
  }
  // 7. More restarts < fewer.
  const xa = maxRestarts(pa);
  const xb = maxRestarts(pb);
  if (xa.regular !== xb.regular) return xa.regular > xb.regular;
  if (xa.sidecar !== xb.sidecar) return xa.sidecar > xb.sidecar;
  // 8. Newer < older.
  const order = newerFirst(pa, pb, timeOf(pa.metadata.creationTimestamp), timeOf(pb.metadata.creationTimestamp), nowMs);
  return order ?? false;
}

/**
 * Ranks each pod by the number of active related pods on its node. Related pods are the
 * pods of this ReplicaSet and of the other ReplicaSets of the same Deployment: when a
 * Deployment scales down, pods colocated with its other pods go first.
 */
export function rankByRelatedPodsOnSameNode(pods: Pod[], relatedPods: Pod[]): RankedPod[] {
  const onNode = new Map<string, number>();
  for (const p of relatedPods) {
    if (!isPodActive(p)) continue;
    const node = p.spec.nodeName ?? '';
    onNode.set(node, (onNode.get(node) ?? 0) + 1);
  }
  return pods.map((pod) => ({ pod, rank: onNode.get(pod.spec.nodeName ?? '') ?? 0 }));
}

/** The `count` pods to delete, in Kubernetes' preference order. */
export function podsToDelete(pods: Pod[], relatedPods: Pod[], count: number, nowMs = Date.now()): Pod[] {
  if (count >= pods.length) return [...pods];
  const ranked = rankByRelatedPodsOnSameNode(pods, relatedPods);
  ranked.sort((a, b) => (deleteBefore(a, b, nowMs) ? -1 : deleteBefore(b, a, nowMs) ? 1 : 0));
  return ranked.slice(0, count).map((r) => r.pod);
}
