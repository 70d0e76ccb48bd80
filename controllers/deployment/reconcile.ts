/**
 * One reconcile of a Deployment whose ReplicaSets are already claimed: the decision tree
 * of Kubernetes' syncDeployment, in the order it asks its questions.
 */
import type { ReconcileResult } from '../../api/reconcile/controller.js';
import type { Deployment, ReplicaSet } from '../../api/types/workloads.js';
import type { DeploymentEnv } from './env.js';
import { rolloutRecreate, type PodsByReplicaSet } from './recreate.js';
import { rollback } from './rollback.js';
import { rolloutRolling } from './rolling.js';
import { checkPausedConditions, isScalingEvent, sync, syncStatusOnly } from './sync.js';
import { rollbackRequest } from './util/annotations.js';

export async function reconcileDeployment(
  env: DeploymentEnv,
  d: Deployment,
  rsList: ReplicaSet[],
  podsOf: () => PodsByReplicaSet,
): Promise<ReconcileResult> {
  d.status ??= {};
  // Being deleted: only report; the garbage collector takes the ReplicaSets away.
  if (d.metadata.deletionTimestamp) {
    await syncStatusOnly(env, d, rsList);
    return {};
  }
  await checkPausedConditions(env, d);
  // Paused: scale, but roll nothing out.
  if (d.spec.paused) {
    await sync(env, d, rsList);
    return {};
  }
  if (rollbackRequest(d) !== undefined) return rollback(env, d, rsList);
  // Only spec.replicas changed: resize (proportionally if a rollout is under way).
  if (await isScalingEvent(env, d, rsList)) {
    await sync(env, d, rsList);
    return {};
  }
  if (d.spec.strategy?.type === 'Recreate') return rolloutRecreate(env, d, rsList, podsOf());
  return rolloutRolling(env, d, rsList);
}
