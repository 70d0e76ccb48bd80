/**
 * The status conditions Kubernetes' namespace controller reports while it empties a
 * terminating namespace (`kubectl describe ns` shows them), computed from what is left.
 */
import type { KubeObject } from '../../api/meta/object-meta.js';
import type { Namespace } from '../../api/types/namespace.js';

type Condition = NonNullable<NonNullable<Namespace['status']>['conditions']>[number];

/** What one pass over the namespace found. */
export interface DeletionPass {
  /** resource (e.g. "pods", "replicasets.apps") → objects still stored */
  remaining: Map<string, KubeObject[]>;
  /** resource → the error that stopped its deletion */
  failures: Map<string, string>;
}

export function remainingCount(pass: DeletionPass): number {
  let n = 0;
  for (const items of pass.remaining.values()) n += items.length;
  return n;
}

/** The five conditions, in Kubernetes' order and wording. */
export function deletionConditions(pass: DeletionPass): Omit<Condition, 'lastTransitionTime'>[] {
  const remaining = [...pass.remaining].filter(([, items]) => items.length > 0).sort(([a], [b]) => a.localeCompare(b));
  const finalizerCounts = new Map<string, number>();
  for (const [, items] of remaining) {
    for (const obj of items) for (const f of obj.metadata.finalizers ?? []) finalizerCounts.set(f, (finalizerCounts.get(f) ?? 0) + 1);
  }
  const failures = [...pass.failures].sort(([a], [b]) => a.localeCompare(b));
  return [
    { type: 'NamespaceDeletionDiscoveryFailure', status: 'False', reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
    { type: 'NamespaceDeletionGroupVersionParsingFailure', status: 'False', reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
    failures.length
      ? { type: 'NamespaceDeletionContentFailure', status: 'True', reason: 'ContentDeletionFailed', message: `Failed to delete all resource types, ${failures.length} remaining: ${failures.map(([r, e]) => `${r}: ${e}`).join(', ')}` }
      : { type: 'NamespaceDeletionContentFailure', status: 'False', reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
    remaining.length
      ? { type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${remaining.map(([r, items]) => `${r} has ${items.length} resource instances`).join(', ')}` }
      : { type: 'NamespaceContentRemaining', status: 'False', reason: 'ContentRemoved', message: 'All content successfully removed' },
    finalizerCounts.size
      ? {
          type: 'NamespaceFinalizersRemaining',
          status: 'True',
          reason: 'SomeFinalizersRemain',
          message: `Some content in the namespace has finalizers remaining: ${[...finalizerCounts].sort(([a], [b]) => a.localeCompare(b)).map(([f, n]) => `${f} in ${n} resource instances`).join(', ')}`,
        }
      : { type: 'NamespaceFinalizersRemaining', status: 'False', reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
  ];
}

/** New conditions, keeping lastTransitionTime of those whose status did not change. */
export function mergeConditions(current: Condition[] | undefined, next: Omit<Condition, 'lastTransitionTime'>[], now: string): Condition[] {
  return next.map((c) => {
    const old = current?.find((o) => o.type === c.type);
    return { ...c, lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime ?? now : now };
  });
}

/** Whether two condition lists say the same thing (timestamps aside). */
export function sameConditions(a: Condition[] | undefined, b: Condition[]): boolean {
  if (!a || a.length !== b.length) return false;
  return a.every((c, i) => c.type === b[i]!.type && c.status === b[i]!.status && c.reason === b[i]!.reason && c.message === b[i]!.message);
}
