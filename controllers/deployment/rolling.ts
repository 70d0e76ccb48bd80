/**
 * The RollingUpdate strategy, one step per sync (pkg/controller/deployment/rolling.go):
 * 1. grow the new ReplicaSet as far as maxSurge allows (all pods ≤ replicas + maxSurge);
 * 2. otherwise shrink old ReplicaSets as far as maxUnavailable allows (available pods ≥
 *    replicas − maxUnavailable), starting with their unhealthy replicas;
 * 3. once complete, delete old ReplicaSets beyond revisionHistoryLimit.
 * Each step waits for the ReplicaSet controller's status before the next one goes further.
 */
import type { ReconcileResult } from '../../api/reconcile/controller.js';
import type { Deployment, ReplicaSet } from '../../api/types/workloads.js';
import type { DeploymentEnv } from './env.js';
import { syncRolloutStatus } from './progress.js';
import { allOf, cleanupDeployment, getAllReplicaSetsAndSyncRevision, scaleReplicaSetAndRecordEvent } from './sync.js';
import { deploymentComplete } from './util/conditions.js';
import { maxUnavailable } from './util/fenceposts.js';
import { availableReplicaCount, byCreationTimestamp, filterActive, newRSNewReplicas, replicaCount } from './util/replicasets.js';

export async function rolloutRolling(env: DeploymentEnv, d: Deployment, rsList: ReplicaSet[]): Promise<ReconcileResult> {
  const sets = await getAllReplicaSetsAndSyncRevision(env, d, rsList, true);
  const { newRS, oldRSs } = sets;
  const allRSs = allOf(sets);
  if (!newRS) throw new Error('rolling update without a new replica set');

  if (await reconcileNewReplicaSet(env, allRSs, newRS, d)) return syncRolloutStatus(env, allRSs, newRS, d);
  if (await reconcileOldReplicaSets(env, allRSs, filterActive(oldRSs), newRS, d)) return syncRolloutStatus(env, allRSs, newRS, d);
  if (deploymentComplete(d, d.status ?? {})) await cleanupDeployment(env, oldRSs, d);
  return syncRolloutStatus(env, allRSs, newRS, d);
}

/** Scales the new ReplicaSet towards spec.replicas within the surge; true if it was scaled. */
export async function reconcileNewReplicaSet(env: DeploymentEnv, allRSs: ReplicaSet[], newRS: ReplicaSet, d: Deployment): Promise<boolean> {
  if (newRS.spec.replicas === d.spec.replicas) return false;
  if (newRS.spec.replicas > d.spec.replicas) {
    return (await scaleReplicaSetAndRecordEvent(env, newRS, d.spec.replicas, d)).scaled;
  }
  const target = newRSNewReplicas(d, allRSs, newRS);
  return (await scaleReplicaSetAndRecordEvent(env, newRS, target, d)).scaled;
}

/**
 * How many old replicas may go now without availability dropping below
 * replicas − maxUnavailable, counting the new ReplicaSet's not-yet-available pods as
 * already unavailable. Example: replicas 10, maxUnavailable 2 → minAvailable 8; with 13
 * pods in all, of which the new ReplicaSet's 5 are not available yet, 13 − 8 − 5 = 0 old
 * pods may go (their 8 available are all that keeps the minimum).
 */
export function maxOldScaleDown(allRSs: ReplicaSet[], newRS: ReplicaSet, d: Deployment): number {
  const minAvailable = d.spec.replicas - maxUnavailable(d);
  const newRSUnavailable = newRS.spec.replicas - (newRS.status?.availableReplicas ?? 0);
  return replicaCount(allRSs) - minAvailable - newRSUnavailable;
}

/** Shrinks old ReplicaSets as far as availability allows; true if any was scaled down. */
export async function reconcileOldReplicaSets(
  env: DeploymentEnv,
  allRSs: ReplicaSet[],
  oldRSs: ReplicaSet[],
  newRS: ReplicaSet,
  d: Deployment,
): Promise<boolean> {
  if (replicaCount(oldRSs) === 0) return false; // nothing left to scale down
  const maxScaledDown = maxOldScaleDown(allRSs, newRS, d);
  if (maxScaledDown <= 0) return false;

  // Unhealthy old replicas go first: removing them costs no availability, and it unblocks
  // a rollout whose old pods never became ready.
  const cleaned = await cleanupUnhealthyReplicas(env, oldRSs, d, maxScaledDown);
  const scaledDown = await scaleDownOldReplicaSetsForRollingUpdate(env, [...cleaned.oldRSs, newRS], cleaned.oldRSs, d);
  return cleaned.count + scaledDown > 0;
}

/** Scales old ReplicaSets (oldest first) down by their unavailable replicas, at most maxCleanupCount in all. */
export async function cleanupUnhealthyReplicas(
  env: DeploymentEnv,
  oldRSs: ReplicaSet[],
  d: Deployment,
  maxCleanupCount: number,
): Promise<{ oldRSs: ReplicaSet[]; count: number }> {
  const sorted = [...oldRSs].sort(byCreationTimestamp);
  let total = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (total >= maxCleanupCount) break;
    const rs = sorted[i]!;
    const available = rs.status?.availableReplicas ?? 0;
    if (rs.spec.replicas === 0 || rs.spec.replicas === available) continue; // nothing unhealthy here
    const count = Math.min(maxCleanupCount - total, rs.spec.replicas - available);
    // A status from before a scale-down (more available than asked for) would turn this
    // into a scale-up: fail and retry once the ReplicaSet controller has caught up.
    if (count < 0) {
      throw new Error(`when cleaning up unhealthy replicas, got invalid request to scale down ${rs.metadata.name} ${rs.spec.replicas} -> ${rs.spec.replicas - count}`);
    }
    const { rs: updated } = await scaleReplicaSetAndRecordEvent(env, rs, rs.spec.replicas - count, d);
    sorted[i] = updated;
    total += count;
  }
  return { oldRSs: sorted, count: total };
}

/** Scales old ReplicaSets (oldest first) down by as many available replicas as keep replicas − maxUnavailable available. */
export async function scaleDownOldReplicaSetsForRollingUpdate(
  env: DeploymentEnv,
  allRSs: ReplicaSet[],
  oldRSs: ReplicaSet[],
  d: Deployment,
): Promise<number> {
  const minAvailable = d.spec.replicas - maxUnavailable(d);
  const available = availableReplicaCount(allRSs);
  if (available <= minAvailable) return 0;
  const toScaleDown = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreationTimestamp)) {
    if (total >= toScaleDown) break;
    if (rs.spec.replicas === 0) continue;
    const count = Math.min(rs.spec.replicas, toScaleDown - total);
    await scaleReplicaSetAndRecordEvent(env, rs, rs.spec.replicas - count, d);
    total += count;
  }
  return total;
}
