/**
 * One reconcile of one ReplicaSet (Kubernetes' syncReplicaSet), level-triggered:
 *
 *   1. read the ReplicaSet from the cache (gone: forget its expectations, done);
 *   2. take every active pod of its namespace from the cache and claim the ones it
 *      owns (adopting orphans, releasing pods that no longer match);
 *   3. if its expectations are satisfied and it is not being deleted, create or delete
 *      pods to match spec.replicas;
 *   4. write the status computed from the claimed pods;
 *   5. if pods are ready but not yet available (minReadySeconds), look again later.
 */
import type { Logger } from 'pino';
import type { ResourceClient } from '../../api/client/kube-client.js';
import type { ReconcileResult } from '../../api/reconcile/controller.js';
import type { Indexer } from '../../api/informer/store.js';
import { isApiError } from '../../api/meta/errors.js';
import { splitKey } from '../../api/meta/object-meta.js';
import { labelSelectorAsSelector, type Selector } from '../../api/selectors/labels.js';
import type { Pod } from '../../api/types/pod.js';
import type { ReplicaSet, ReplicaSetStatus } from '../../api/types/workloads.js';
import { claimPods, recheckBeforeAdoption } from './claim.js';
import type { ControllerExpectations } from './expectations.js';
import { manageReplicas, type ManageDeps } from './manage-replicas.js';
import type { PodWriter } from './pod-control.js';
import { isPodActive } from './pod-state.js';
import { calculateStatus, statusUpToDate } from './status.js';

export interface SyncDeps extends ManageDeps {
  replicaSets: Indexer<ReplicaSet>;
  pods: Indexer<Pod>;
  expectations: ControllerExpectations;
  writer: PodWriter;
  /** The ReplicaSet REST client of a namespace (fresh reads, status writes). */
  api(namespace: string): ResourceClient<ReplicaSet>;
  logger: Logger;
}

export async function syncReplicaSet(key: string, deps: SyncDeps): Promise<ReconcileResult> {
  const { namespace = '', name } = splitKey(key);
  const rs = deps.replicaSets.get(key);
  if (!rs) {
    deps.expectations.delete(key);
    return {};
  }
  const needsSync = deps.expectations.satisfied(key);

  let selector: Selector;
  try {
    selector = labelSelectorAsSelector(rs.spec.selector);
  } catch (err) {
    // An invalid selector will not fix itself; retrying is pointless.
    deps.logger.error({ err, replicaSet: key }, 'invalid selector');
    return {};
  }

  const active = deps.pods.byIndex('namespace', namespace).filter(isPodActive);
  const canAdopt = recheckBeforeAdoption(rs, () => deps.api(namespace).get(name));
  const { claimed, errors } = await claimPods(rs, selector, active, deps.writer, canAdopt);
  if (errors.length > 0) throw errors[0];

  let manageError: Error | undefined;
  if (needsSync && !rs.metadata.deletionTimestamp) manageError = await manageReplicas(rs, claimed, deps);
  else if (!needsSync) deps.logger.debug({ replicaSet: key, expecting: deps.expectations.get(key) }, 'waiting for expected pod events');
  // Stopped while writing (leadership lost): the next leader reports the status.
  if (deps.signal?.aborted) return {};

  const status = calculateStatus(rs, claimed, manageError);
  const updated = await writeStatus(rs, status, deps);
  if (manageError) throw manageError;

  const minReady = rs.spec.minReadySeconds ?? 0;
  const st = updated.status;
  if (minReady > 0 && st && (st.readyReplicas ?? 0) === rs.spec.replicas && (st.availableReplicas ?? 0) !== rs.spec.replicas) {
    return { requeueAfter: minReady * 1000 };
  }
  return {};
}

/**
 * Writes the status unless nothing changed. A conflict (the cached ReplicaSet is stale)
 * is retried once against a fresh read, as Kubernetes does.
 */
async function writeStatus(rs: ReplicaSet, status: ReplicaSetStatus, deps: SyncDeps): Promise<ReplicaSet> {
  if (statusUpToDate(rs, status)) return rs;
  const api = deps.api(rs.metadata.namespace ?? '');
  // The status describes the spec we reconciled, so it observed that spec's generation.
  const next: ReplicaSetStatus = { ...status, observedGeneration: rs.metadata.generation ?? 0 };
  let target = rs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await api.updateStatus({ ...target, status: next });
    } catch (err) {
      if (attempt >= 1 || !isApiError(err, 'Conflict')) throw err;
      target = await api.get(rs.metadata.name ?? '');
    }
  }
}
