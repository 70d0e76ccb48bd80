/**
 * The parts of a deployment sync every strategy shares: finding (or creating) the new
 * ReplicaSet and keeping revisions in step, scaling when the deployment was resized,
 * deleting old ReplicaSets beyond revisionHistoryLimit, and computing the status.
 * As pkg/controller/deployment/sync.go.
 */
import { isApiError } from '../../api/meta/errors.js';
import type { OwnerReference } from '../../api/meta/object-meta.js';
import type { Deployment, DeploymentStatus, ReplicaSet } from '../../api/types/workloads.js';
import { writeStatus, type DeploymentEnv } from './env.js';
import {
  REVISION_ANNOTATION,
  desiredReplicasAnnotation,
  maxRevision,
  rollbackRequest,
  replicasAnnotationsNeedUpdate,
  setDeploymentRevision,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
} from './util/annotations.js';
import {
  AVAILABLE,
  PROGRESSING,
  Reason,
  getCondition,
  hasProgressDeadline,
  newCondition,
  setCondition,
} from './util/conditions.js';
import { isRollingUpdate, maxSurge, maxUnavailable } from './util/fenceposts.js';
import { canonicalJson, computeHash } from './util/hash.js';
import { planProportionalScaling } from './util/proportion.js';
import {
  POD_TEMPLATE_HASH_LABEL,
  actualReplicaCount,
  availableReplicaCount,
  byRevision,
  equalIgnoreHash,
  filterActive,
  findActiveOrLatest,
  findNewReplicaSet,
  findOldReplicaSets,
  isSaturated,
  newRSNewReplicas,
  readyReplicaCount,
  replicaCount,
} from './util/replicasets.js';

export interface ReplicaSetsOfDeployment {
  newRS: ReplicaSet | undefined;
  oldRSs: ReplicaSet[];
}

export function allOf({ newRS, oldRSs }: ReplicaSetsOfDeployment): ReplicaSet[] {
  return newRS ? [...oldRSs, newRS] : [...oldRSs];
}

export function controllerRefTo(d: Deployment): OwnerReference {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: d.metadata.name ?? '',
    uid: d.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** A paused deployment only scales: no new ReplicaSet, no rollout. */
export async function sync(env: DeploymentEnv, d: Deployment, rsList: ReplicaSet[]): Promise<void> {
  const sets = await getAllReplicaSetsAndSyncRevision(env, d, rsList, false);
  await scale(env, d, sets.newRS, sets.oldRSs);
  // Clean up only when paused: a rollout cleans up once it is complete.
  if (d.spec.paused && rollbackRequest(d) === undefined) await cleanupDeployment(env, sets.oldRSs, d);
  await syncDeploymentStatus(env, allOf(sets), sets.newRS, d);
}

/** A deployment being deleted: report status, change nothing else. */
export async function syncStatusOnly(env: DeploymentEnv, d: Deployment, rsList: ReplicaSet[]): Promise<void> {
  const sets = await getAllReplicaSetsAndSyncRevision(env, d, rsList, false);
  await syncDeploymentStatus(env, allOf(sets), sets.newRS, d);
}

/**
 * A scaling event is a change of spec.replicas alone: some active ReplicaSet was last
 * scaled for another deployment size (its desired-replicas annotation differs).
 */
export async function isScalingEvent(env: DeploymentEnv, d: Deployment, rsList: ReplicaSet[]): Promise<boolean> {
  const sets = await getAllReplicaSetsAndSyncRevision(env, d, rsList, false);
  return filterActive(allOf(sets)).some((rs) => {
    const desired = desiredReplicasAnnotation(rs);
    return desired !== undefined && desired !== d.spec.replicas;
  });
}

/** Progressing=Unknown DeploymentPaused on pause, DeploymentResumed on resume (not over a deadline failure). */
export async function checkPausedConditions(env: DeploymentEnv, d: Deployment): Promise<void> {
  if (!hasProgressDeadline(d)) return;
  const status = (d.status ??= {});
  const cond = getCondition(status, PROGRESSING);
  if (cond?.reason === Reason.ProgressDeadlineExceeded) return;
  const pausedCondExists = cond?.reason === Reason.DeploymentPaused;
  if (d.spec.paused && !pausedCondExists) {
    setCondition(status, newCondition(PROGRESSING, 'Unknown', Reason.DeploymentPaused, 'Deployment is paused', env.now()));
  } else if (!d.spec.paused && pausedCondExists) {
    setCondition(status, newCondition(PROGRESSING, 'Unknown', Reason.DeploymentResumed, 'Deployment is resumed', env.now()));
  } else {
    return;
  }
  await writeStatus(env, d);
}

/** The new ReplicaSet (created when asked and missing) and every old one; revisions brought up to date. */
export async function getAllReplicaSetsAndSyncRevision(
  env: DeploymentEnv,
  d: Deployment,
  rsList: ReplicaSet[],
  createIfNotExisted: boolean,
): Promise<ReplicaSetsOfDeployment> {
  const { all: oldRSs } = findOldReplicaSets(d, rsList);
  const newRS = await getNewReplicaSet(env, d, rsList, oldRSs, createIfNotExisted);
  return { newRS, oldRSs };
}

async function getNewReplicaSet(
  env: DeploymentEnv,
  d: Deployment,
  rsList: ReplicaSet[],
  oldRSs: ReplicaSet[],
  createIfNotExisted: boolean,
): Promise<ReplicaSet | undefined> {
  const status = (d.status ??= {});
  const existing = findNewReplicaSet(d, rsList);
  const newRevision = maxRevision(oldRSs) + 1;

  if (existing) {
    let rs = existing;
    const copy = structuredClone(existing);
    const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true);
    const minReadySecondsChanged = (copy.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0);
    if (annotationsUpdated || minReadySecondsChanged) {
      copy.spec.minReadySeconds = d.spec.minReadySeconds;
      rs = await env.updateReplicaSet(copy);
      // Later steps of this sync must see the version just written, not the cached one.
      const i = rsList.indexOf(existing);
      if (i >= 0) rsList[i] = rs;
    }
    // The ReplicaSet's revision is the reliable one; the deployment mirrors it.
    let needsUpdate = setDeploymentRevision(d, rs.metadata.annotations?.[REVISION_ANNOTATION] ?? '');
    if (hasProgressDeadline(d) && !getCondition(status, PROGRESSING)) {
      const msg = `Found new replica set "${rs.metadata.name}"`;
      setCondition(status, newCondition(PROGRESSING, 'True', Reason.FoundNewReplicaSet, msg, env.now()));
      needsUpdate = true;
    }
    if (needsUpdate) await writeStatus(env, d);
    return rs;
  }

  if (!createIfNotExisted) return undefined;

  const hash = computeHash(d.spec.template, status.collisionCount);
  const template = structuredClone(d.spec.template);
  template.metadata = { ...template.metadata, labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
  const selector = structuredClone(d.spec.selector);
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  const rsName = `${d.metadata.name}-${hash}`;
  const wanted: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: rsName,
      namespace: d.metadata.namespace,
      ownerReferences: [controllerRefTo(d)],
      labels: template.metadata.labels,
    },
    spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds, selector, template },
  };
  const newReplicasCount = newRSNewReplicas(d, [...oldRSs, wanted], wanted);
  wanted.spec.replicas = newReplicasCount;
  setNewReplicaSetAnnotations(d, wanted, newRevision, false);

  let created: ReplicaSet;
  let alreadyExists = false;
  try {
    created = await env.createReplicaSet(wanted);
  } catch (err) {
    if (isApiError(err, 'AlreadyExists')) {
      const found = await env.getReplicaSet(d.metadata.namespace ?? '', rsName);
      const ref = found?.metadata.ownerReferences?.find((r) => r.controller);
      if (found && ref?.uid === d.metadata.uid && equalIgnoreHash(d.spec.template, found.spec.template)) {
        // Ours already, just not in the cache yet.
        created = found;
        alreadyExists = true;
      } else {
        // A hash collision with someone else's ReplicaSet: bump collisionCount so the
        // next sync computes another name.
        status.collisionCount = (status.collisionCount ?? 0) + 1;
        env.logger.info({ rs: rsName, collisionCount: status.collisionCount }, 'pod-template-hash collision');
        await writeStatus(env, d);
        throw err;
      }
    } else {
      const msg = `Failed to create new replica set "${rsName}": ${err instanceof Error ? err.message : String(err)}`;
      if (hasProgressDeadline(d)) {
        setCondition(status, newCondition(PROGRESSING, 'False', Reason.FailedRSCreate, msg, env.now()));
        await writeStatus(env, d).catch(() => undefined);
      }
      env.event(d, 'Warning', 'FailedCreate', msg);
      throw err;
    }
  }
  rsList.push(created);
  if (!alreadyExists && newReplicasCount > 0) {
    env.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${rsName} from 0 to ${newReplicasCount}`);
  }
  let needsUpdate = setDeploymentRevision(d, String(newRevision));
  if (!alreadyExists && hasProgressDeadline(d)) {
    const msg = `Created new replica set "${rsName}"`;
    setCondition(status, newCondition(PROGRESSING, 'True', Reason.NewReplicaSetCreated, msg, env.now()));
    needsUpdate = true;
  }
  if (needsUpdate) await writeStatus(env, d);
  return created;
}

/**
 * Scaling outside a rollout step: a single active ReplicaSet takes the new size; a
 * saturated new ReplicaSet lets the old ones go to zero; otherwise (resized in the middle
 * of a rolling update) the change is shared out proportionally.
 */
export async function scale(env: DeploymentEnv, d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
  const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
  if (activeOrLatest) {
    if (activeOrLatest.spec.replicas === d.spec.replicas) return;
    await scaleReplicaSetAndRecordEvent(env, activeOrLatest, d.spec.replicas, d);
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const old of filterActive(oldRSs)) await scaleReplicaSetAndRecordEvent(env, old, 0, d);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const plan = planProportionalScaling(d, filterActive(allOf({ newRS, oldRSs })));
  for (const { rs, size } of plan.sizes) await scaleReplicaSet(env, rs, size, d, plan.operation);
}

export interface ScaleResult {
  scaled: boolean;
  rs: ReplicaSet;
}

export async function scaleReplicaSetAndRecordEvent(env: DeploymentEnv, rs: ReplicaSet, newScale: number, d: Deployment): Promise<ScaleResult> {
  if (rs.spec.replicas === newScale) return { scaled: false, rs };
  return scaleReplicaSet(env, rs, newScale, d, rs.spec.replicas < newScale ? 'up' : 'down');
}

/** Sets the size and the desired/max replicas annotations; an event when the size changed. */
export async function scaleReplicaSet(
  env: DeploymentEnv,
  rs: ReplicaSet,
  newScale: number,
  d: Deployment,
  operation: string,
): Promise<ScaleResult> {
  const max = d.spec.replicas + maxSurge(d);
  const sizeNeedsUpdate = rs.spec.replicas !== newScale;
  if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, d.spec.replicas, max)) return { scaled: false, rs };
  const oldScale = rs.spec.replicas;
  const copy = structuredClone(rs);
  copy.spec.replicas = newScale;
  setReplicasAnnotations(copy, d.spec.replicas, max);
  const updated = await env.updateReplicaSet(copy);
  if (sizeNeedsUpdate) {
    env.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${operation} replica set ${rs.metadata.name} from ${oldScale} to ${newScale}`);
  }
  return { scaled: sizeNeedsUpdate, rs: updated };
}

/**
 * Deletes the oldest old ReplicaSets beyond revisionHistoryLimit, only those fully
 * scaled down and observed so (a ReplicaSet still holding pods is kept).
 */
export async function cleanupDeployment(env: DeploymentEnv, oldRSs: ReplicaSet[], d: Deployment): Promise<void> {
  const limit = d.spec.revisionHistoryLimit;
  if (limit === undefined || limit === 2147483647) return;
  const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp).sort(byRevision);
  const diff = cleanable.length - limit;
  for (let i = 0; i < diff; i++) {
    const rs = cleanable[i]!;
    const notObserved = (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0);
    if ((rs.status?.replicas ?? 0) !== 0 || rs.spec.replicas !== 0 || notObserved) continue;
    env.logger.info({ rs: rs.metadata.name }, 'deleting old replica set beyond revisionHistoryLimit');
    await env.deleteReplicaSet(rs);
  }
}

/** Drops zero counts and empty lists, as Kubernetes' JSON (omitempty) does. */
function compactStatus(s: DeploymentStatus): DeploymentStatus {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (v === undefined || v === 0 || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  return out as DeploymentStatus;
}

export function sameStatus(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  return canonicalJson(compactStatus(a ?? {})) === canonicalJson(compactStatus(b));
}

/** The status the ReplicaSets add up to, with the Available condition; other conditions carried over. */
export function calculateStatus(allRSs: ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment, now: Date): DeploymentStatus {
  const available = availableReplicaCount(allRSs);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation,
    replicas: actualReplicaCount(allRSs),
    updatedReplicas: newRS ? actualReplicaCount([newRS]) : 0,
    readyReplicas: readyReplicaCount(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, replicaCount(allRSs) - available),
    conditions: [...(d.status?.conditions ?? [])],
    collisionCount: d.status?.collisionCount,
  };
  if (available >= d.spec.replicas - maxUnavailable(d)) {
    setCondition(status, newCondition(AVAILABLE, 'True', Reason.MinimumReplicasAvailable, 'Deployment has minimum availability.', now));
  } else {
    setCondition(status, newCondition(AVAILABLE, 'False', Reason.MinimumReplicasUnavailable, 'Deployment does not have minimum availability.', now));
  }
  return compactStatus(status);
}

export async function syncDeploymentStatus(env: DeploymentEnv, allRSs: ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment): Promise<void> {
  const status = calculateStatus(allRSs, newRS, d, env.now());
  if (sameStatus(d.status, status)) return;
  d.status = status;
  await writeStatus(env, d);
}
