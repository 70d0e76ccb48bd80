/**
 * The status a ReplicaSet reports, computed from the pods it owns (Kubernetes'
 * calculateStatus): how many exist, how many carry every template label, how many are
 * ready, how many have been ready for minReadySeconds; and a ReplicaFailure condition
 * while creating or deleting pods fails.
 */
import type { Pod } from '../../api/types/pod.js';
import type { ReplicaSet, ReplicaSetStatus, WorkloadCondition } from '../../api/types/workloads.js';
import { isPodAvailable, isPodReady } from './pod-state.js';

export const replicaFailure = 'ReplicaFailure';

/** meta/v1 Time: RFC 3339 to the second. */
function metaTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function hasAllLabels(pod: Pod, wanted: Record<string, string> | null | undefined): boolean {
  const labels = pod.metadata.labels ?? {};
  return Object.entries(wanted ?? {}).every(([k, v]) => labels[k] === v);
}

/**
 * @param pods the active pods the ReplicaSet owns
 * @param manageError what creating/deleting pods failed with in this sync, if anything
 */
export function calculateStatus(rs: ReplicaSet, pods: Pod[], manageError: Error | undefined, nowMs = Date.now()): ReplicaSetStatus {
  const minReadySeconds = rs.spec.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    if (hasAllLabels(pod, rs.spec.template.metadata?.labels)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReadySeconds, nowMs)) available++;
    }
  }

  let conditions = [...(rs.status?.conditions ?? [])];
  const failing = conditions.some((c) => c.type === replicaFailure);
  if (manageError && !failing) {
    const diff = pods.length - rs.spec.replicas;
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : undefined;
    const cond: WorkloadCondition = { type: replicaFailure, status: 'True', lastTransitionTime: metaTime(nowMs), message: manageError.message };
    if (reason) cond.reason = reason;
    conditions.push(cond);
  } else if (!manageError && failing) {
    conditions = conditions.filter((c) => c.type !== replicaFailure);
  }

  const status: ReplicaSetStatus = {
    ...rs.status,
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
  };
  if (conditions.length > 0) status.conditions = conditions;
  else delete status.conditions;
  return status;
}

/** Whether writing `next` would change nothing (Kubernetes skips the status update then). */
export function statusUpToDate(rs: ReplicaSet, next: ReplicaSetStatus): boolean {
  const cur = rs.status;
  return (
    cur !== undefined &&
    cur.replicas === next.replicas &&
    (cur.fullyLabeledReplicas ?? 0) === (next.fullyLabeledReplicas ?? 0) &&
    (cur.readyReplicas ?? 0) === (next.readyReplicas ?? 0) &&
    (cur.availableReplicas ?? 0) === (next.availableReplicas ?? 0) &&
    (rs.metadata.generation ?? 0) === (cur.observedGeneration ?? 0) &&
    JSON.stringify(cur.conditions ?? []) === JSON.stringify(next.conditions ?? [])
  );
}
