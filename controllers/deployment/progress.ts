/**
 * The Progressing condition: is the rollout moving, finished, or stuck past
 * progressDeadlineSeconds? As pkg/controller/deployment/progress.go. The status is
 * written only when something changed; a rollout that has not finished nor timed out is
 * looked at again right after its deadline, so a stuck rollout is reported even when
 * nothing else happens.
 */
import type { ReconcileResult } from '../../api/reconcile/controller.js';
import type { Deployment, DeploymentStatus, ReplicaSet, WorkloadCondition } from '../../api/types/workloads.js';
import { writeStatus, type DeploymentEnv } from './env.js';
import { calculateStatus, sameStatus } from './sync.js';
import {
  PROGRESSING,
  REPLICA_FAILURE,
  Reason,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  getCondition,
  hasProgressDeadline,
  newCondition,
  removeCondition,
  setCondition,
} from './util/conditions.js';

/** Status and the Progressing condition after a rollout step; returns when to look again. */
export async function syncRolloutStatus(
  env: DeploymentEnv,
  allRSs: ReplicaSet[],
  newRS: ReplicaSet | undefined,
  d: Deployment,
): Promise<ReconcileResult> {
  const now = env.now();
  const status = calculateStatus(allRSs, newRS, d, now);
  if (!hasProgressDeadline(d)) removeCondition(status, PROGRESSING);

  const current = getCondition(d.status, PROGRESSING);
  const alreadyComplete =
    status.replicas === status.updatedReplicas && current?.reason === Reason.NewReplicaSetAvailable;
  if (hasProgressDeadline(d) && !alreadyComplete) {
    const subject = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
    if (deploymentComplete(d, status)) {
      setCondition(status, newCondition(PROGRESSING, 'True', Reason.NewReplicaSetAvailable, `${subject} has successfully progressed.`, now));
    } else if (deploymentProgressing(d, status)) {
      // Progress refreshes lastUpdateTime (the deadline starts over); a condition that was
      // already True keeps its lastTransitionTime.
      const cond = newCondition(PROGRESSING, 'True', Reason.ReplicaSetUpdated, `${subject} is progressing.`, now);
      if (current?.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
      removeCondition(status, PROGRESSING);
      setCondition(status, cond);
    } else if (deploymentTimedOut(d, status, now)) {
      setCondition(status, newCondition(PROGRESSING, 'False', Reason.ProgressDeadlineExceeded, `${subject} has timed out progressing.`, now));
    }
  }

  const failure = replicaFailure(allRSs, newRS);
  if (failure) setCondition(status, failure);
  else removeCondition(status, REPLICA_FAILURE);

  if (sameStatus(d.status, status)) return requeueStuckDeployment(d, status, now);
  d.status = status;
  await writeStatus(env, d);
  return {};
}

/** A ReplicaFailure condition of the new ReplicaSet (preferred) or of an old one, as a deployment condition. */
function replicaFailure(allRSs: ReplicaSet[], newRS: ReplicaSet | undefined): WorkloadCondition | undefined {
  const failureOf = (rs: ReplicaSet) => rs.status?.conditions?.find((c) => c.type === REPLICA_FAILURE);
  const found = (newRS && failureOf(newRS)) ?? allRSs.map(failureOf).find((c) => c !== undefined);
  if (!found) return undefined;
  return {
    type: REPLICA_FAILURE,
    status: found.status,
    lastUpdateTime: found.lastTransitionTime,
    lastTransitionTime: found.lastTransitionTime,
    reason: found.reason,
    message: found.message,
  };
}

/**
 * When to check a rollout again that has neither finished nor timed out: one second
 * after its deadline (lastUpdateTime of Progressing + progressDeadlineSeconds).
 */
export function requeueStuckDeployment(d: Deployment, status: DeploymentStatus, now: Date): ReconcileResult {
  const current = getCondition(d.status, PROGRESSING);
  if (!hasProgressDeadline(d) || !current) return {};
  if (deploymentComplete(d, status) || current.reason === Reason.ProgressDeadlineExceeded) return {};
  const lastUpdated = Date.parse(current.lastUpdateTime ?? '');
  if (Number.isNaN(lastUpdated)) return {};
  const after = lastUpdated + (d.spec.progressDeadlineSeconds ?? 0) * 1000 - now.getTime();
  // Less than a second left: retry with backoff until the condition flips either way.
  if (after < 1000) return { requeue: true };
  return { requeueAfter: after + 1000 };
}
