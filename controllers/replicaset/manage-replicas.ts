/**
 * Bringing the number of pods to spec.replicas (Kubernetes' manageReplicas).
 *
 * Too few: create the missing pods, at most `burstReplicas` per sync, in slow-start
 * batches (1, 2, 4, ...). Expectations are raised *before* the first create so that a
 * sync running while the informer catches up does not create them again; creations
 * skipped after a failed batch are marked observed right away (they will never show up).
 *
 * Too many: delete the surplus (again at most `burstReplicas`), choosing pods in
 * Kubernetes' deletion preference, in parallel, expecting exactly those pods to go.
 *
 * Every write carries the controller's signal: once it aborts (the leader lease is lost,
 * or the controller-manager stops) no further pod is created or deleted and requests in
 * flight are cancelled. A deposed leader that finished its burst of 500 would otherwise
 * race the new leader, which starts with empty expectations and creates them again.
 */
import type { Logger } from 'pino';
import { isApiError } from '../../api/meta/errors.js';
import { objectKey } from '../../api/meta/object-meta.js';
import type { Pod } from '../../api/types/pod.js';
import type { ReplicaSet } from '../../api/types/workloads.js';
import { podsToDelete } from './deletion-order.js';
import type { ControllerExpectations } from './expectations.js';
import { isNamespaceTerminating, type PodWriter } from './pod-control.js';
import { slowStartBatch } from './slow-start.js';

/** Kubernetes' BurstReplicas: the most pods one sync creates or deletes. */
export const defaultBurstReplicas = 500;

export interface ManageDeps {
  expectations: ControllerExpectations;
  writer: PodWriter;
  /** Pods of this ReplicaSet and of its siblings under the same Deployment (for the deletion ranking). */
  relatedPods(rs: ReplicaSet): Pod[];
  burstReplicas: number;
  logger: Logger;
  /** Aborts when the controller must stop writing (leadership lost, shutdown). */
  signal?: AbortSignal;
}

/** Creates or deletes pods; resolves to the first error, if any (the status reports it). */
export async function manageReplicas(rs: ReplicaSet, pods: Pod[], deps: ManageDeps): Promise<Error | undefined> {
  const key = objectKey(rs);
  const { signal } = deps;
  if (signal?.aborted) return undefined;
  const diff = pods.length - rs.spec.replicas;
  if (diff < 0) {
    const want = Math.min(-diff, deps.burstReplicas);
    deps.expectations.expectCreations(key, want);
    deps.logger.info({ replicaSet: key, need: rs.spec.replicas, creating: want }, 'too few replicas');
    const { successes, error } = await slowStartBatch(want, 1, async () => {
      try {
        await deps.writer.createPod(rs, signal);
      } catch (err) {
        // The namespace is going away: nothing to retry, and nothing worth reporting.
        if (isNamespaceTerminating(err)) return;
        throw err;
      }
    }, signal);
    // Pods never created will never be observed: stop waiting for them.
    for (let i = successes; i < want; i++) deps.expectations.creationObserved(key);
    return error === undefined ? undefined : toError(error);
  }
  if (diff > 0) {
    const surplus = Math.min(diff, deps.burstReplicas);
    const victims = podsToDelete(pods, deps.relatedPods(rs), surplus);
    deps.expectations.expectDeletions(key, victims.map((p) => objectKey(p)));
    deps.logger.info({ replicaSet: key, need: rs.spec.replicas, deleting: surplus }, 'too many replicas');
    const outcomes = await Promise.allSettled(
      victims.map(async (pod) => {
        try {
          await deps.writer.deletePod(rs, pod, signal);
        } catch (err) {
          // This deletion will never be observed: stop waiting for it.
          deps.expectations.deletionObserved(key, objectKey(pod));
          if (!isApiError(err, 'NotFound')) throw err;
        }
      }),
    );
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    return failed ? toError(failed.reason) : undefined;
  }
  return undefined;
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
