/**
 * Deployment conditions and the questions `kubectl rollout status` (and the controller)
 * ask of a status: is the rollout complete, did it progress since the last status, has
 * it run past its progress deadline.
 */
import type { Deployment, DeploymentStatus, WorkloadCondition } from '../../../api/types/workloads.js';

export const AVAILABLE = 'Available';
export const PROGRESSING = 'Progressing';
export const REPLICA_FAILURE = 'ReplicaFailure';

/** Condition reasons, with Kubernetes' names (kubectl matches some of them). */
export const Reason = {
  NewReplicaSetCreated: 'NewReplicaSetCreated',
  FoundNewReplicaSet: 'FoundNewReplicaSet',
  ReplicaSetUpdated: 'ReplicaSetUpdated',
  NewReplicaSetAvailable: 'NewReplicaSetAvailable',
  FailedRSCreate: 'ReplicaSetCreateError',
  ProgressDeadlineExceeded: 'ProgressDeadlineExceeded',
  DeploymentPaused: 'DeploymentPaused',
  DeploymentResumed: 'DeploymentResumed',
  MinimumReplicasAvailable: 'MinimumReplicasAvailable',
  MinimumReplicasUnavailable: 'MinimumReplicasUnavailable',
} as const;

/** meta/v1 Time: RFC 3339 to the second. */
export function metaTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function newCondition(
  type: string,
  status: WorkloadCondition['status'],
  reason: string,
  message: string,
  now: Date,
): WorkloadCondition {
  const t = metaTime(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export function getCondition(status: DeploymentStatus | undefined, type: string): WorkloadCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/**
 * Puts a condition in place of the one of its type. Same status and reason: nothing
 * changes (not even lastUpdateTime). Same status, other reason: lastTransitionTime stays.
 */
export function setCondition(status: DeploymentStatus, condition: WorkloadCondition): void {
  const current = getCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  const next = { ...condition };
  if (current && current.status === condition.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), next];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
}

/** A deadline of int32 max means "no deadline" (what the Kubernetes API uses for unset). */
export function hasProgressDeadline(d: Deployment): boolean {
  const s = d.spec.progressDeadlineSeconds;
  return s !== undefined && s !== 2147483647;
}

/** Every replica updated and available, and the status is about the current generation. */
export function deploymentComplete(d: Deployment, status: DeploymentStatus): boolean {
  const want = d.spec.replicas;
  return (
    (status.updatedReplicas ?? 0) === want &&
    (status.replicas ?? 0) === want &&
    (status.availableReplicas ?? 0) === want &&
    (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
  );
}

/** More updated, ready or available replicas, or fewer old ones, than in the last recorded status. */
export function deploymentProgressing(d: Deployment, status: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (status.replicas ?? 0) - (status.updatedReplicas ?? 0);
  return (
    (status.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (status.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (status.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/** No progress recorded for progressDeadlineSeconds since the Progressing condition was last updated. */
export function deploymentTimedOut(d: Deployment, status: DeploymentStatus, now: Date): boolean {
  if (!hasProgressDeadline(d)) return false;
  const cond = getCondition(status, PROGRESSING);
  if (!cond) return false;
  // A completed rollout is not judged against the deadline.
  if (cond.reason === Reason.NewReplicaSetAvailable) return false;
  if (cond.reason === Reason.ProgressDeadlineExceeded) return true;
  const from = Date.parse(cond.lastUpdateTime ?? '');
  if (Number.isNaN(from)) return false;
  return from + (d.spec.progressDeadlineSeconds ?? 0) * 1000 < now.getTime();
}
