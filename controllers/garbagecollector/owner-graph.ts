/**
 * The garbage collector's view of the cluster: one node per object (by uid), each with
 * the owners it names and the dependents that name it. Kubernetes keeps the same
 * "uidToNode" graph, fed by informers on every resource. Dependents are found through
 * the owner's uid, so a dependent can point at an owner the graph has never seen (that
 * owner may not exist: the collector asks the apiserver before acting on it).
 */
import type { KubeObject, OwnerReference } from '../../api/meta/object-meta.js';
import type { ResourceDef } from '../../api/resource.js';

export const ORPHAN_FINALIZER = 'orphan';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';

/** What the graph remembers about one object: identity and the metadata GC decides on. */
export interface GraphNode {
  uid: string;
  def: ResourceDef;
  namespace?: string;
  name: string;
  owners: OwnerReference[];
  finalizers: string[];
  beingDeleted: boolean;
  resourceVersion?: string;
}

export function nodeFromObject(def: ResourceDef, obj: KubeObject): GraphNode | undefined {
  const m = obj.metadata;
  if (!m.uid || !m.name) return undefined;
  return {
    uid: m.uid,
    def,
    namespace: m.namespace || undefined,
    name: m.name,
    owners: [...(m.ownerReferences ?? [])],
    finalizers: [...(m.finalizers ?? [])],
    beingDeleted: !!m.deletionTimestamp,
    resourceVersion: m.resourceVersion,
  };
}

export class OwnerGraph {
  private readonly nodes = new Map<string, GraphNode>();
  // owner uid → uids of the objects naming it in their ownerReferences
  private readonly dependentsByOwner = new Map<string, Set<string>>();

  /** Adds or replaces a node; returns the previous version of it. */
  upsert(node: GraphNode): GraphNode | undefined {
    const old = this.nodes.get(node.uid);
    if (old) this.unlink(old);
    this.nodes.set(node.uid, node);
    for (const ref of node.owners) {
      let set = this.dependentsByOwner.get(ref.uid);
      if (!set) this.dependentsByOwner.set(ref.uid, (set = new Set()));
      set.add(node.uid);
    }
    return old;
  }

  /** Removes a node; its dependents stay (they now point at an absent owner). */
  remove(uid: string): GraphNode | undefined {
    const old = this.nodes.get(uid);
    if (!old) return undefined;
    this.unlink(old);
    this.nodes.delete(uid);
    return old;
  }

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  has(uid: string): boolean {
    return this.nodes.has(uid);
  }

  get size(): number {
    return this.nodes.size;
  }

  /** The objects that name `ownerUid` among their owners. */
  dependents(ownerUid: string): GraphNode[] {
    const uids = this.dependentsByOwner.get(ownerUid);
    return uids ? [...uids].map((u) => this.nodes.get(u)!).filter(Boolean) : [];
  }

  /** Dependents that hold their owner's foreground deletion (blockOwnerDeletion: true). */
  blockingDependents(ownerUid: string): GraphNode[] {
    return this.dependents(ownerUid).filter((d) => d.owners.some((r) => r.uid === ownerUid && r.blockOwnerDeletion === true));
  }

  private unlink(node: GraphNode): void {
    for (const ref of node.owners) {
      const set = this.dependentsByOwner.get(ref.uid);
      if (!set) continue;
      set.delete(node.uid);
      if (set.size === 0) this.dependentsByOwner.delete(ref.uid);
    }
  }
}

/** The deletion a deleting owner asked for, read from its finalizers. */
export function pendingDeletionMode(node: GraphNode): 'orphan' | 'foreground' | undefined {
  if (!node.beingDeleted) return undefined;
  if (node.finalizers.includes(ORPHAN_FINALIZER)) return 'orphan';
  if (node.finalizers.includes(FOREGROUND_FINALIZER)) return 'foreground';
  return undefined;
}

/** How one owner reference stands, as Kubernetes classifies them in attemptToDelete. */
export type OwnerState =
  | 'solid' // the owner exists and is not waiting for its dependents
  | 'dangling' // no object with that uid exists
  | 'waitingForDependents' // the owner is being deleted in the foreground
  | 'unresolvable'; // the owner's kind is not served: leave the reference alone

export interface OwnerVerdict {
  /** delete: every owner is gone or waiting; removeRefs: some owners still stand, drop the absent ones; keep: nothing to do. */
  action: 'delete' | 'removeRefs' | 'keep';
  /** With delete: Foreground when an owner waits for us and we have dependents ourselves. */
  propagation?: 'Background' | 'Foreground';
  /** With removeRefs: uids of dangling owners to drop from ownerReferences. */
  danglingUids?: string[];
  /** With removeRefs: uids of waiting owners whose blockOwnerDeletion must turn false. */
  unblockUids?: string[];
}

/**
 * What to do with a dependent given the state of each of its owners (Kubernetes'
 * attemptToDeleteItem): with no solid owner left it goes; otherwise the references to
 * vanished owners are removed and those to foreground-deleting owners stop blocking.
 * A reference to an unserved kind counts as standing, so its dependent is never deleted.
 */
export function judgeDependent(states: Map<string, OwnerState>, hasDependents: boolean): OwnerVerdict {
  const of = (s: OwnerState) => [...states].filter(([, v]) => v === s).map(([uid]) => uid);
  const solid = [...of('solid'), ...of('unresolvable')];
  const dangling = of('dangling');
  const waiting = of('waitingForDependents');
  if (solid.length === 0 && dangling.length + waiting.length > 0) {
    return { action: 'delete', propagation: waiting.length > 0 && hasDependents ? 'Foreground' : 'Background' };
  }
  if (solid.length > 0 && dangling.length + waiting.length > 0) {
    return { action: 'removeRefs', danglingUids: dangling, unblockUids: waiting };
  }
  return { action: 'keep' };
}

/** The owner references left once dangling owners are dropped and waiting ones unblocked. */
export function rewriteOwnerRefs(refs: OwnerReference[], dropUids: string[], unblockUids: string[]): OwnerReference[] {
  const drop = new Set(dropUids);
  const unblock = new Set(unblockUids);
  return refs
    .filter((r) => !drop.has(r.uid))
    .map((r) => (unblock.has(r.uid) && r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r));
}
