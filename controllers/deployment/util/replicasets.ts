/**
 * Questions about a Deployment's ReplicaSets: which one runs the current template (the
 * "new" one), which are old, how many replicas they hold, in which order to scale them.
 */
import type { PodTemplateSpec } from '../../../api/types/pod.js';
import type { Deployment, ReplicaSet } from '../../../api/types/workloads.js';
import { desiredReplicasAnnotation, revisionOf } from './annotations.js';
import { scaledValueFromIntOrPercent } from './fenceposts.js';
import { canonicalJson } from './hash.js';

/** The label (and selector requirement) that keeps the pods of each ReplicaSet apart. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

export const specReplicas = (rs: ReplicaSet): number => rs.spec.replicas;
const sum = (rss: ReplicaSet[], f: (rs: ReplicaSet) => number): number => rss.reduce((n, rs) => n + f(rs), 0);

/** Replicas the ReplicaSets are asked for (spec). */
export const replicaCount = (rss: ReplicaSet[]): number => sum(rss, (rs) => rs.spec.replicas);
/** Replicas the ReplicaSets have (status). */
export const actualReplicaCount = (rss: ReplicaSet[]): number => sum(rss, (rs) => rs.status?.replicas ?? 0);
export const readyReplicaCount = (rss: ReplicaSet[]): number => sum(rss, (rs) => rs.status?.readyReplicas ?? 0);
export const availableReplicaCount = (rss: ReplicaSet[]): number => sum(rss, (rs) => rs.status?.availableReplicas ?? 0);

/** ReplicaSets asked for at least one replica. */
export function filterActive(rss: (ReplicaSet | undefined)[]): ReplicaSet[] {
  return rss.filter((rs): rs is ReplicaSet => rs !== undefined && rs.spec.replicas > 0);
}

function created(rs: ReplicaSet): number {
  return Date.parse(rs.metadata.creationTimestamp ?? '') || 0;
}

/** Older first; same second: by name. */
export function byCreationTimestamp(a: ReplicaSet, b: ReplicaSet): number {
  const d = created(a) - created(b);
  if (d !== 0) return d;
  const an = a.metadata.name ?? '';
  const bn = b.metadata.name ?? '';
  return an < bn ? -1 : an > bn ? 1 : 0;
}

/** Larger first; same size: older first (where scaling down starts). */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  return a.spec.replicas === b.spec.replicas ? byCreationTimestamp(a, b) : b.spec.replicas - a.spec.replicas;
}

/** Larger first; same size: newer first (where scaling up starts). */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  return a.spec.replicas === b.spec.replicas ? byCreationTimestamp(b, a) : b.spec.replicas - a.spec.replicas;
}

/** Lower revision first; same revision: older first. */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  const d = (revisionOf(a) || 0) - (revisionOf(b) || 0);
  return d !== 0 ? d : byCreationTimestamp(a, b);
}

function withoutHashLabel(t: PodTemplateSpec): PodTemplateSpec {
  const labels = { ...(t.metadata?.labels ?? {}) };
  delete labels[POD_TEMPLATE_HASH_LABEL];
  return { ...t, metadata: { ...(t.metadata ?? {}), labels } };
}

/** Template equality ignoring the pod-template-hash label (which only the ReplicaSet's copy has). */
export function equalIgnoreHash(a: PodTemplateSpec, b: PodTemplateSpec): boolean {
  return canonicalJson(withoutHashLabel(a)) === canonicalJson(withoutHashLabel(b));
}

/** The ReplicaSet running the Deployment's current template; the oldest if several do. */
export function findNewReplicaSet(d: Deployment, rss: ReplicaSet[]): ReplicaSet | undefined {
  return [...rss].sort(byCreationTimestamp).find((rs) => equalIgnoreHash(rs.spec.template, d.spec.template));
}

/** Every ReplicaSet but the new one (`all`), and those of them still asked for replicas (`active`). */
export function findOldReplicaSets(d: Deployment, rss: ReplicaSet[]): { active: ReplicaSet[]; all: ReplicaSet[] } {
  const newRS = findNewReplicaSet(d, rss);
  const all = rss.filter((rs) => rs.metadata.uid !== newRS?.metadata.uid);
  return { active: all.filter((rs) => rs.spec.replicas !== 0), all };
}

/**
 * The one ReplicaSet to scale when the deployment is not in a rollout: the only active
 * one, else (none active) the new one or the newest old one. Undefined when several are
 * active (a rollout is in progress; scaling is then proportional).
 */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreationTimestamp(b, a));
  const active = filterActive([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  if (active.length === 1) return active[0];
  return undefined;
}

/** The new ReplicaSet has all the deployment's replicas, available, at the deployment's current size. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = desiredReplicasAnnotation(rs);
  if (desired === undefined) return false;
  return rs.spec.replicas === d.spec.replicas && desired === d.spec.replicas && (rs.status?.availableReplicas ?? 0) === d.spec.replicas;
}

/**
 * Pods the ReplicaSets may have right now: each one's spec, or its reported pod count
 * while that is still higher (a scale-down the ReplicaSet controller has not carried out).
 */
export function podCountUpperBound(rss: ReplicaSet[]): number {
  return sum(rss, (rs) => Math.max(rs.spec.replicas, rs.status?.replicas ?? 0));
}

/**
 * The size the new ReplicaSet may grow to now: for RollingUpdate as many as the surge
 * leaves room for (all ReplicaSets together stay within replicas + maxSurge) but never
 * beyond spec.replicas; for Recreate all of them at once.
 *
 * One deliberate difference from Kubernetes, which counts only spec.replicas here: old
 * ReplicaSets count with their reported pods until their scale-down is carried out, so
 * new pods are never created before the old ones they replace are being deleted, and
 * the live pods stay within replicas + maxSurge at every instant, not only on paper.
 */
export function newRSNewReplicas(d: Deployment, allRSs: ReplicaSet[], newRS: ReplicaSet): number {
  if ((d.spec.strategy?.type ?? 'RollingUpdate') === 'Recreate') return d.spec.replicas;
  const surge = scaledValueFromIntOrPercent(d.spec.strategy?.rollingUpdate?.maxSurge ?? 0, d.spec.replicas, true);
  const current = podCountUpperBound(allRSs);
  const maxTotal = d.spec.replicas + surge;
  if (current >= maxTotal) return newRS.spec.replicas;
  const scaleUp = Math.min(maxTotal - current, d.spec.replicas - newRS.spec.replicas);
  return newRS.spec.replicas + scaleUp;
}
