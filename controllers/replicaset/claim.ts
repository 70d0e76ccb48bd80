/**
 * Claiming pods (Kubernetes' PodControllerRefManager.ClaimPods): from all active pods
 * in the namespace, decide which ones this ReplicaSet owns, fixing ownership on the way.
 *
 *   controlled by us,  selector matches   → ours
 *   controlled by us,  selector no longer → release it (unless we are being deleted)
 *   controlled by someone else            → not ours, leave it alone
 *   orphan,            selector matches   → adopt it (unless we or it are being deleted)
 *   orphan,            no match           → not ours
 *
 * Before the first adoption the ReplicaSet is read afresh from the apiserver: the cache
 * may not show yet that it is being deleted (adopting then would keep pods alive that
 * the garbage collector is about to delete), or that it was replaced by one with the
 * same name (a different uid).
 */
import { isApiError } from '../../api/meta/errors.js';
import type { Selector } from '../../api/selectors/labels.js';
import type { Pod } from '../../api/types/pod.js';
import type { ReplicaSet } from '../../api/types/workloads.js';
import type { PodWriter } from './pod-control.js';

export interface ClaimResult {
  claimed: Pod[];
  /** Errors adopting or releasing; the claim of other pods goes on regardless. */
  errors: Error[];
}

function controllerOf(pod: Pod) {
  return pod.metadata.ownerReferences?.find((r) => r.controller);
}

/** Reads the ReplicaSet afresh and refuses adoption if it is going or is not the one we hold. */
export function recheckBeforeAdoption(rs: ReplicaSet, getFresh: () => Promise<ReplicaSet>): () => Promise<void> {
  let verdict: Promise<void> | undefined;
  return () =>
    (verdict ??= getFresh().then((fresh) => {
      if (fresh.metadata.uid !== rs.metadata.uid) {
        throw new Error(`original ReplicaSet ${rs.metadata.namespace}/${rs.metadata.name} is gone: got uid ${fresh.metadata.uid}, wanted ${rs.metadata.uid}`);
      }
      if (fresh.metadata.deletionTimestamp) {
        throw new Error(`${rs.metadata.namespace}/${rs.metadata.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
      }
    }));
}

export async function claimPods(
  rs: ReplicaSet,
  selector: Selector,
  pods: Pod[],
  writer: PodWriter,
  canAdopt: () => Promise<void>,
): Promise<ClaimResult> {
  const claimed: Pod[] = [];
  const errors: Error[] = [];
  const rsDeleting = !!rs.metadata.deletionTimestamp;
  for (const pod of pods) {
    const ref = controllerOf(pod);
    const matches = selector.matches(pod.metadata.labels);
    if (ref) {
      if (ref.uid !== rs.metadata.uid) continue;
      if (matches) {
        claimed.push(pod);
        continue;
      }
      if (rsDeleting) continue;
      try {
        await writer.releasePod(rs, pod);
      } catch (err) {
        // Gone already, replaced (uid precondition), or without our reference: not ours either way.
        if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict') && !isApiError(err, 'Invalid')) errors.push(toError(err));
      }
      continue;
    }
    if (rsDeleting || !matches || pod.metadata.deletionTimestamp) continue;
    if (pod.metadata.namespace !== rs.metadata.namespace) continue;
    try {
      await canAdopt();
      await writer.adoptPod(rs, pod);
      claimed.push(pod);
    } catch (err) {
      if (!isApiError(err, 'NotFound')) errors.push(toError(err));
    }
  }
  return { claimed, errors };
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
