/**
 * The Recreate strategy (pkg/controller/deployment/recreate.go): scale every old
 * ReplicaSet to zero, wait until none of their pods is left running, then create the new
 * ReplicaSet at full size. Old and new pods never run at the same time.
 */
import type { ReconcileResult } from '../../api/reconcile/controller.js';
import type { Pod } from '../../api/types/pod.js';
import type { Deployment, ReplicaSet } from '../../api/types/workloads.js';
import type { DeploymentEnv } from './env.js';
import { syncRolloutStatus } from './progress.js';
import { allOf, cleanupDeployment, getAllReplicaSetsAndSyncRevision, scaleReplicaSetAndRecordEvent } from './sync.js';
import { deploymentComplete } from './util/conditions.js';
import { actualReplicaCount, filterActive } from './util/replicasets.js';

/** Pods of the deployment grouped by the uid of the ReplicaSet that controls them. */
export type PodsByReplicaSet = Map<string, Pod[]>;

export async function rolloutRecreate(
  env: DeploymentEnv,
  d: Deployment,
  rsList: ReplicaSet[],
  podMap: PodsByReplicaSet,
): Promise<ReconcileResult> {
  let sets = await getAllReplicaSetsAndSyncRevision(env, d, rsList, false);
  if (await scaleDownOldReplicaSetsForRecreate(env, filterActive(sets.oldRSs), d)) {
    return syncRolloutStatus(env, allOf(sets), sets.newRS, d);
  }
  if (oldPodsRunning(sets.newRS, sets.oldRSs, podMap)) return syncRolloutStatus(env, allOf(sets), sets.newRS, d);

  if (!sets.newRS) sets = await getAllReplicaSetsAndSyncRevision(env, d, rsList, true);
  const newRS = sets.newRS;
  if (!newRS) throw new Error('recreate without a new replica set');
  await scaleReplicaSetAndRecordEvent(env, newRS, d.spec.replicas, d);
  if (deploymentComplete(d, d.status ?? {})) await cleanupDeployment(env, sets.oldRSs, d);
  return syncRolloutStatus(env, allOf(sets), newRS, d);
}

async function scaleDownOldReplicaSetsForRecreate(env: DeploymentEnv, oldRSs: ReplicaSet[], d: Deployment): Promise<boolean> {
  let scaled = false;
  for (const rs of oldRSs) {
    if (rs.spec.replicas === 0) continue;
    if ((await scaleReplicaSetAndRecordEvent(env, rs, 0, d)).scaled) scaled = true;
  }
  return scaled;
}

/** Whether any pod of an old ReplicaSet still exists and has not terminated. */
export function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[], podMap: PodsByReplicaSet): boolean {
  if (actualReplicaCount(oldRSs) > 0) return true;
  for (const [rsUid, pods] of podMap) {
    if (newRS && newRS.metadata.uid === rsUid) continue;
    if (pods.some((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')) return true;
  }
  return false;
}
