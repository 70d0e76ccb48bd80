/**
 * The annotations a Deployment and its ReplicaSets carry, as Kubernetes writes them:
 * - revision: a ReplicaSet's place in the rollout history (the newest is the largest);
 *   the Deployment carries its new ReplicaSet's revision;
 * - revision-history: earlier revisions a ReplicaSet had, when a rollback reused it;
 * - desired-replicas / max-replicas: the deployment's size (and size + surge) when the
 *   ReplicaSet was last scaled, what proportional scaling divides by.
 */
import type { ObjectMeta } from '../../../api/meta/object-meta.js';
import type { Deployment, ReplicaSet } from '../../../api/types/workloads.js';
import { maxSurge } from './fenceposts.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
/** The legacy (extensions/v1beta1-era) rollback request: the revision to go back to. */
export const ROLLBACK_TO_ANNOTATION = 'deprecated.deployment.rollback.to';
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** Longest revision-history value kept (Kubernetes' limit). */
export const MAX_REVISION_HISTORY_CHARS = 2000;

/** Annotations that belong to one object and are never copied between Deployment and ReplicaSet. */
const NOT_COPIED = new Set([
  LAST_APPLIED_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  ROLLBACK_TO_ANNOTATION,
]);

export function skipCopyAnnotation(key: string): boolean {
  return NOT_COPIED.has(key);
}

function annotationsOf(meta: ObjectMeta): Record<string, string> {
  return (meta.annotations ??= {});
}

/** The revision annotation as a number; 0 when absent, NaN when it is not an integer. */
export function revisionOf(obj: { metadata: ObjectMeta }): number {
  const v = obj.metadata.annotations?.[REVISION_ANNOTATION];
  if (v === undefined || v === '') return 0;
  return /^-?\d+$/.test(v) ? Number(v) : Number.NaN;
}

export function maxRevision(replicaSets: ReplicaSet[]): number {
  let max = 0;
  for (const rs of replicaSets) {
    const v = revisionOf(rs);
    if (Number.isFinite(v) && v > max) max = v;
  }
  return max;
}

/** The second largest revision: the one `rollout undo` without --to-revision goes back to. */
export function lastRevision(replicaSets: ReplicaSet[]): number {
  let max = 0;
  let second = 0;
  for (const rs of replicaSets) {
    const v = revisionOf(rs);
    if (!Number.isFinite(v)) continue;
    if (v >= max) {
      second = max;
      max = v;
    } else if (v > second) {
      second = v;
    }
  }
  return second;
}

/** Sets the Deployment's revision annotation; true if it changed. */
export function setDeploymentRevision(d: Deployment, revision: string): boolean {
  const a = annotationsOf(d.metadata);
  if (a[REVISION_ANNOTATION] === revision) return false;
  a[REVISION_ANNOTATION] = revision;
  return true;
}

/** Copies the Deployment's own annotations (not the per-object ones) onto the ReplicaSet. */
export function copyDeploymentAnnotationsToReplicaSet(d: Deployment, rs: ReplicaSet): boolean {
  const target = annotationsOf(rs.metadata);
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (skipCopyAnnotation(k) || target[k] === v) continue;
    target[k] = v;
    changed = true;
  }
  return changed;
}

/** Records desired and max replicas on a ReplicaSet; true if either changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = annotationsOf(rs.metadata);
  let changed = false;
  if (a[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    a[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    changed = true;
  }
  if (a[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    a[MAX_REPLICAS_ANNOTATION] = String(max);
    changed = true;
  }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata.annotations;
  return a?.[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || a?.[MAX_REPLICAS_ANNOTATION] !== String(max);
}

function intAnnotation(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata.annotations?.[key];
  return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : undefined;
}

export function desiredReplicasAnnotation(rs: ReplicaSet): number | undefined {
  return intAnnotation(rs, DESIRED_REPLICAS_ANNOTATION);
}

export function maxReplicasAnnotation(rs: ReplicaSet): number | undefined {
  return intAnnotation(rs, MAX_REPLICAS_ANNOTATION);
}

/**
 * Annotations of the new ReplicaSet: the Deployment's own annotations, the new revision
 * (only ever raised), the revision it had before when a rollback reuses it (appended to
 * revision-history, oldest dropped past the length limit), and for a ReplicaSet about to
 * be created the replica annotations. True if anything changed.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean): boolean {
  let changed = copyDeploymentAnnotationsToReplicaSet(d, rs);
  const a = annotationsOf(rs.metadata);
  const oldRevisionText = a[REVISION_ANNOTATION];
  const hadRevision = oldRevisionText !== undefined;
  const oldRevision = hadRevision && oldRevisionText !== '' ? Number(oldRevisionText) : 0;
  if (!Number.isInteger(oldRevision)) return false;
  if (oldRevision < newRevision) {
    a[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (hadRevision) appendRevisionHistory(a, oldRevisionText);
  }
  if (!exists && setReplicasAnnotations(rs, d.spec.replicas, d.spec.replicas + maxSurge(d))) changed = true;
  return changed;
}

function appendRevisionHistory(a: Record<string, string>, oldRevision: string): void {
  const history = a[REVISION_HISTORY_ANNOTATION] ?? '';
  if (history === '') {
    a[REVISION_HISTORY_ANNOTATION] = oldRevision;
    return;
  }
  const revisions = history.split(',');
  let totalLen = history.length + oldRevision.length + 1;
  let start = 0;
  while (totalLen > MAX_REVISION_HISTORY_CHARS && start < revisions.length) {
    totalLen -= revisions[start]!.length + 1;
    start++;
  }
  if (totalLen <= MAX_REVISION_HISTORY_CHARS) a[REVISION_HISTORY_ANNOTATION] = [...revisions.slice(start), oldRevision].join(',');
}

/** On rollback: the Deployment keeps its per-object annotations and takes the rest from the ReplicaSet. */
export function setDeploymentAnnotationsTo(d: Deployment, rollbackTo: ReplicaSet): void {
  const kept: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (skipCopyAnnotation(k)) kept[k] = v;
  for (const [k, v] of Object.entries(rollbackTo.metadata.annotations ?? {})) if (!skipCopyAnnotation(k)) kept[k] = v;
  d.metadata.annotations = kept;
}

/**
 * The revision a legacy rollback asks for (0 = the previous one), or undefined when none
 * is asked. Today's kubectl rolls back client-side by patching the template; this is the
 * older request through an annotation.
 */
export function rollbackRequest(d: Deployment): number | undefined {
  const v = d.metadata.annotations?.[ROLLBACK_TO_ANNOTATION];
  if (v === undefined) return undefined;
  return /^\d+$/.test(v) ? Number(v) : undefined;
}
