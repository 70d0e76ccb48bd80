/**
 * What the ReplicaSet controller does when its informers report a change (Kubernetes'
 * addPod/updatePod/deletePod/addRS/updateRS/deleteRS). Handlers never reconcile: they
 * settle expectations and enqueue the key of every ReplicaSet the change may concern.
 *
 * A pod with a controller ownerReference concerns only that controller (if it is a
 * ReplicaSet we know, with the same uid). An orphan concerns every ReplicaSet whose
 * selector matches it: one of them may adopt it.
 */
import type { Logger } from 'pino';
import { deletedObject } from '../../api/informer/informer.js';
import type { DeletedFinalStateUnknown, Indexer } from '../../api/informer/store.js';
import type { OwnerReference } from '../../api/meta/object-meta.js';
import { objectKey } from '../../api/meta/object-meta.js';
import { labelSelectorAsSelector } from '../../api/selectors/labels.js';
import type { Pod } from '../../api/types/pod.js';
import type { ReplicaSet } from '../../api/types/workloads.js';
import type { ControllerExpectations } from './expectations.js';
import { isPodReady } from './pod-state.js';

export interface HandlerContext {
  replicaSets: Indexer<ReplicaSet>;
  expectations: ControllerExpectations;
  enqueue(key: string): void;
  enqueueAfter(key: string, delayMs: number): void;
  logger: Logger;
}

function controllerRefOf(pod: Pod): OwnerReference | undefined {
  return pod.metadata.ownerReferences?.find((r) => r.controller) ?? undefined;
}

/** The ReplicaSet a controller reference points at, if it is one we have (same uid). */
function resolveControllerRef(ctx: HandlerContext, namespace: string | undefined, ref: OwnerReference): ReplicaSet | undefined {
  if (ref.kind !== 'ReplicaSet') return undefined;
  const rs = ctx.replicaSets.getByName(namespace, ref.name);
  return rs && rs.metadata.uid === ref.uid ? rs : undefined;
}

/** Every ReplicaSet of the pod's namespace whose (non-empty) selector matches the pod. */
export function replicaSetsSelecting(replicaSets: Indexer<ReplicaSet>, pod: Pod): ReplicaSet[] {
  return replicaSets.byIndex('namespace', pod.metadata.namespace ?? '').filter((rs) => {
    try {
      const sel = labelSelectorAsSelector(rs.spec.selector);
      return !sel.isEverything() && sel.matches(pod.metadata.labels);
    } catch {
      return false;
    }
  });
}

function enqueueSelecting(ctx: HandlerContext, pod: Pod): void {
  for (const rs of replicaSetsSelecting(ctx.replicaSets, pod)) ctx.enqueue(objectKey(rs));
}

export function onPodAdd(ctx: HandlerContext, pod: Pod): void {
  // After a restart the first sighting of a pod being deleted arrives as an add.
  if (pod.metadata.deletionTimestamp) return onPodDelete(ctx, pod);
  const ref = controllerRefOf(pod);
  if (ref) {
    const rs = resolveControllerRef(ctx, pod.metadata.namespace, ref);
    if (!rs) return;
    const key = objectKey(rs);
    ctx.expectations.creationObserved(key);
    ctx.enqueue(key);
    return;
  }
  enqueueSelecting(ctx, pod);
}

export function onPodUpdate(ctx: HandlerContext, oldPod: Pod, cur: Pod): void {
  // A periodic resync of an unchanged pod: nothing to do (the ReplicaSet's own resync covers it).
  if (oldPod.metadata.resourceVersion === cur.metadata.resourceVersion) return;
  const labelsChanged = JSON.stringify(oldPod.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
  if (cur.metadata.deletionTimestamp) {
    // Graceful deletion began: the pod no longer counts, so tell its ReplicaSet now
    // rather than when the kubelet finishes (which may take the whole grace period).
    onPodDelete(ctx, cur);
    if (labelsChanged) onPodDelete(ctx, oldPod);
    return;
  }
  const curRef = controllerRefOf(cur);
  const oldRef = controllerRefOf(oldPod);
  const refChanged = JSON.stringify(curRef ?? null) !== JSON.stringify(oldRef ?? null);
  if (refChanged && oldRef) {
    const old = resolveControllerRef(ctx, oldPod.metadata.namespace, oldRef);
    if (old) ctx.enqueue(objectKey(old));
  }
  if (curRef) {
    const rs = resolveControllerRef(ctx, cur.metadata.namespace, curRef);
    if (!rs) return;
    ctx.enqueue(objectKey(rs));
    // A pod that just became ready becomes available minReadySeconds later: look again then.
    const minReady = rs.spec.minReadySeconds ?? 0;
    if (minReady > 0 && !isPodReady(oldPod) && isPodReady(cur)) ctx.enqueueAfter(objectKey(rs), minReady * 1000 + 1000);
    return;
  }
  if (labelsChanged || refChanged) enqueueSelecting(ctx, cur);
}

export function onPodDelete(ctx: HandlerContext, obj: Pod | DeletedFinalStateUnknown<Pod>): void {
  const pod = deletedObject(obj);
  const ref = controllerRefOf(pod);
  if (!ref) return; // an orphan's deletion changes nothing for anyone
  const rs = resolveControllerRef(ctx, pod.metadata.namespace, ref);
  if (!rs) return;
  const key = objectKey(rs);
  ctx.expectations.deletionObserved(key, objectKey(pod));
  ctx.enqueue(key);
}

export function onReplicaSetAdd(ctx: HandlerContext, rs: ReplicaSet): void {
  ctx.enqueue(objectKey(rs));
}

export function onReplicaSetUpdate(ctx: HandlerContext, oldRs: ReplicaSet, cur: ReplicaSet): void {
  if (oldRs.metadata.uid !== cur.metadata.uid) {
    // Deleted and recreated under the same name between two events.
    onReplicaSetDelete(ctx, oldRs);
  }
  if (oldRs.spec.replicas !== cur.spec.replicas) {
    ctx.logger.info({ replicaSet: objectKey(cur), old: oldRs.spec.replicas, new: cur.spec.replicas }, 'replicas changed');
  }
  ctx.enqueue(objectKey(cur));
}

export function onReplicaSetDelete(ctx: HandlerContext, obj: ReplicaSet | DeletedFinalStateUnknown<ReplicaSet>): void {
  const key = objectKey(deletedObject(obj));
  ctx.expectations.delete(key);
  ctx.enqueue(key);
}
