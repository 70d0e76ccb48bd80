/**
 * Which ReplicaSets a Deployment owns, as Kubernetes' ControllerRefManager decides:
 * - owned by us and matching the selector: ours;
 * - owned by us but no longer matching: released (our ownerReference removed);
 * - owned by nobody and matching: adopted (a controller ownerReference added), after a
 *   fresh read confirms the Deployment still exists and is not being deleted;
 * - owned by someone else: ignored.
 */
import { isApiError } from '../../api/meta/errors.js';
import { labelSelectorMatches } from '../../api/selectors/labels.js';
import type { Deployment, ReplicaSet } from '../../api/types/workloads.js';
import { controllerRefTo } from './sync.js';

export interface ReplicaSetPatcher {
  /** Strategic merge patch of a ReplicaSet; undefined when it is gone. */
  patch(rs: ReplicaSet, patch: unknown): Promise<ReplicaSet | undefined>;
  /** A fresh (uncached) read of the deployment. */
  getFreshDeployment(): Promise<Deployment | undefined>;
}

export async function claimReplicaSets(d: Deployment, candidates: ReplicaSet[], api: ReplicaSetPatcher): Promise<ReplicaSet[]> {
  const owned: ReplicaSet[] = [];
  const deleting = !!d.metadata.deletionTimestamp;
  let adoptionChecked: Promise<void> | undefined;
  const canAdopt = () =>
    (adoptionChecked ??= api.getFreshDeployment().then((fresh) => {
      if (!fresh || fresh.metadata.uid !== d.metadata.uid) {
        throw new Error(`original Deployment ${d.metadata.namespace}/${d.metadata.name} is gone: got uid ${fresh?.metadata.uid}, wanted ${d.metadata.uid}`);
      }
      if (fresh.metadata.deletionTimestamp) throw new Error(`Deployment ${d.metadata.namespace}/${d.metadata.name} is being deleted; no adoption`);
    }));

  for (const rs of candidates) {
    const matches = labelSelectorMatches(d.spec.selector, rs.metadata.labels);
    const ref = rs.metadata.ownerReferences?.find((r) => r.controller);
    if (ref) {
      if (ref.uid !== d.metadata.uid) continue;
      if (matches) owned.push(rs);
      else if (!deleting) await api.patch(rs, releasePatch(d, rs));
      continue;
    }
    if (deleting || !matches || rs.metadata.deletionTimestamp) continue;
    if (rs.metadata.namespace !== d.metadata.namespace) continue;
    await canAdopt();
    const adopted = await api.patch(rs, adoptPatch(d, rs));
    if (adopted) owned.push(adopted);
  }
  return owned;
}

/** The uid in the patch makes it fail if the name now belongs to another object. */
export function adoptPatch(d: Deployment, rs: ReplicaSet): unknown {
  return { metadata: { ownerReferences: [controllerRefTo(d)], uid: rs.metadata.uid } };
}

export function releasePatch(d: Deployment, rs: ReplicaSet): unknown {
  return { metadata: { ownerReferences: [{ $patch: 'delete', uid: d.metadata.uid }], uid: rs.metadata.uid } };
}

/** NotFound means there is nothing left to claim or release. */
export async function ignoreNotFound<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isApiError(err, 'NotFound')) return undefined;
    throw err;
  }
}
