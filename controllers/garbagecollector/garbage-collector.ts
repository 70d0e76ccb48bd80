/**
 * The garbage collector (Kubernetes' pkg/controller/garbagecollector, reduced to its
 * reconcile loop). Informers on every listable resource feed an owner graph; the work
 * queue carries object uids. Reconciling one uid means:
 * - an owner being deleted with the `orphan` finalizer: strip its uid from every
 *   dependent's ownerReferences, then drop the finalizer (the apiserver then removes it);
 * - an owner being deleted with the `foregroundDeletion` finalizer: queue its dependents
 *   (they see their owner "waiting" and delete themselves), and once no dependent with
 *   blockOwnerDeletion remains, drop the finalizer;
 * - any other object with ownerReferences: if none of its owners still stands (checked
 *   with a live GET, never only the cache), delete it; if some stand, forget the others.
 */
import type { Logger } from 'pino';
import type { KubeClient } from '../../api/client/kube-client.js';
import { deletedObject } from '../../api/informer/informer.js';
import { isApiError } from '../../api/meta/errors.js';
import type { KubeObject, OwnerReference } from '../../api/meta/object-meta.js';
import { runController, type ReconcileResult } from '../../api/reconcile/controller.js';
import { findByKind, resources } from '../../api/registry.js';
import type { ResourceDef } from '../../api/resource.js';
import { RateLimitingQueue } from '../../api/workqueue/rate-limiting-queue.js';
import type { Controller, ControllerDeps, ControllerFactory } from '../controller.js';
import {
  FOREGROUND_FINALIZER,
  ORPHAN_FINALIZER,
  OwnerGraph,
  judgeDependent,
  nodeFromObject,
  pendingDeletionMode,
  rewriteOwnerRefs,
  type GraphNode,
  type OwnerState,
} from './owner-graph.js';

export const NAME = 'garbagecollector';

/** While an owner waits for dependents, look again this often even without events. */
const FOREGROUND_RECHECK_MS = 5_000;

/** Resources the collector can see: everything that can be listed and watched. */
export function watchedResources(defs: ResourceDef[] = resources): ResourceDef[] {
  return defs.filter((d) => d.verbs.includes('list') && d.verbs.includes('watch'));
}

export class GarbageCollector implements Controller {
  readonly name = NAME;
  readonly graph = new OwnerGraph();
  private readonly queue = new RateLimitingQueue<string>();
  private readonly client: KubeClient;
  private readonly log: Logger;

  constructor(private readonly deps: ControllerDeps) {
    this.client = deps.client;
    this.log = deps.logger.child({ controller: NAME });
    for (const def of watchedResources()) this.watch(def);
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    this.deps.informers.start();
    if (!(await this.deps.informers.waitForCacheSync(signal))) return;
    const running = runController({ name: NAME, queue: this.queue, workers, logger: this.deps.logger, signal, reconcile: (uid) => this.reconcile(uid) });
    await running.done;
  }

  // ---- keeping the graph -------------------------------------------------------

  private watch(def: ResourceDef): void {
    this.deps.informers.informerFor(def).addEventHandler({
      onAdd: (obj) => this.observe(def, obj),
      onUpdate: (old, obj) => {
        if (old.metadata.uid !== obj.metadata.uid) this.forget(old);
        this.observe(def, obj);
      },
      onDelete: (obj) => this.forget(deletedObject(obj)),
    });
  }

  private observe(def: ResourceDef, obj: KubeObject): void {
    const node = nodeFromObject(def, obj);
    if (!node) return;
    const old = this.graph.upsert(node);
    if (node.owners.length > 0 || pendingDeletionMode(node)) this.queue.add(node.uid);
    // A dependent that changed may no longer hold up an owner's foreground deletion.
    if (old) this.enqueueWaitingOwners(old);
  }

  private forget(obj: KubeObject): void {
    const uid = obj.metadata.uid;
    if (!uid) return;
    const gone = this.graph.remove(uid);
    // Its dependents may now be orphans; its owners may have been waiting for it.
    for (const dep of this.graph.dependents(uid)) this.queue.add(dep.uid);
    if (gone) this.enqueueWaitingOwners(gone);
  }

  private enqueueWaitingOwners(node: GraphNode): void {
    for (const ref of node.owners) {
      const owner = this.graph.get(ref.uid);
      if (owner && pendingDeletionMode(owner) === 'foreground') this.queue.add(owner.uid);
    }
  }

  // ---- reconcile ---------------------------------------------------------------

  async reconcile(uid: string): Promise<ReconcileResult | void> {
    const node = this.graph.get(uid);
    if (!node) return; // gone since it was queued
    switch (pendingDeletionMode(node)) {
      case 'orphan':
        return this.orphanDependents(node);
      case 'foreground':
        return this.deleteDependentsFirst(node);
    }
    if (node.beingDeleted || node.owners.length === 0) return;
    return this.collectIfOwnersGone(node);
  }

  /** Orphan: detach every dependent from this owner, then let the owner go. */
  private async orphanDependents(owner: GraphNode): Promise<void> {
    for (const dep of this.graph.dependents(owner.uid)) {
      await this.patchOwnerRefs(dep, rewriteOwnerRefs(dep.owners, [owner.uid], []));
    }
    await this.removeFinalizer(owner, ORPHAN_FINALIZER);
    this.log.info({ object: describeNode(owner) }, 'orphaned dependents');
  }

  /** Foreground: dependents go first; the owner goes once none blocks it. */
  private async deleteDependentsFirst(owner: GraphNode): Promise<ReconcileResult | void> {
    for (const dep of this.graph.dependents(owner.uid)) {
      if (!dep.beingDeleted) this.queue.add(dep.uid);
    }
    const blocking = this.graph.blockingDependents(owner.uid);
    if (blocking.length > 0) {
      this.log.debug({ object: describeNode(owner), blocking: blocking.length }, 'waiting for dependents to be deleted');
      return { requeueAfter: FOREGROUND_RECHECK_MS };
    }
    await this.removeFinalizer(owner, FOREGROUND_FINALIZER);
    this.log.info({ object: describeNode(owner) }, 'dependents deleted; owner released');
  }

  /** Background: a dependent whose owners are all gone is deleted. */
  private async collectIfOwnersGone(dep: GraphNode): Promise<void> {
    const states = new Map<string, OwnerState>();
    for (const ref of dep.owners) states.set(ref.uid, await this.ownerState(dep, ref));
    const verdict = judgeDependent(states, this.graph.dependents(dep.uid).length > 0);
    if (verdict.action === 'delete') {
      this.log.info({ object: describeNode(dep), propagationPolicy: verdict.propagation }, 'deleting object whose owners are gone');
      await this.deleteObject(dep, verdict.propagation ?? 'Background');
    } else if (verdict.action === 'removeRefs') {
      await this.patchOwnerRefs(dep, rewriteOwnerRefs(dep.owners, verdict.danglingUids ?? [], verdict.unblockUids ?? []));
    }
  }

  /** Classifies one owner reference: the graph answers for owners it knows, the apiserver for the rest. */
  private async ownerState(dep: GraphNode, ref: OwnerReference): Promise<OwnerState> {
    const def = findByKind(ref.apiVersion, ref.kind);
    if (!def || (def.namespaced && !dep.namespace)) return 'unresolvable';
    const known = this.graph.get(ref.uid);
    if (known) return pendingDeletionMode(known) === 'foreground' ? 'waitingForDependents' : 'solid';
    try {
      const live = await this.client.resource(def, def.namespaced ? dep.namespace : undefined).get(ref.name);
      if (live.metadata.uid !== ref.uid) return 'dangling'; // same name, another object
      const waiting = !!live.metadata.deletionTimestamp && (live.metadata.finalizers ?? []).includes(FOREGROUND_FINALIZER);
      return waiting ? 'waitingForDependents' : 'solid';
    } catch (err) {
      if (isApiError(err, 'NotFound')) return 'dangling';
      throw err;
    }
  }

  // ---- writes ------------------------------------------------------------------

  private async deleteObject(node: GraphNode, propagationPolicy: 'Background' | 'Foreground'): Promise<void> {
    await ignoreGone(this.client.resource(node.def, node.namespace).delete(node.name, { propagationPolicy, preconditions: { uid: node.uid } }));
  }

  /** A merge patch guarded by uid and resourceVersion: a concurrent change means a retry on fresher data. */
  private async patchOwnerRefs(node: GraphNode, refs: OwnerReference[]): Promise<void> {
    const patch = { metadata: { uid: node.uid, resourceVersion: node.resourceVersion, ownerReferences: refs.length ? refs : null } };
    await ignoreGone(this.client.resource(node.def, node.namespace).patch(node.name, 'merge', patch));
  }

  private async removeFinalizer(node: GraphNode, finalizer: string): Promise<void> {
    const rest = node.finalizers.filter((f) => f !== finalizer);
    const patch = { metadata: { uid: node.uid, resourceVersion: node.resourceVersion, finalizers: rest.length ? rest : null } };
    await ignoreGone(this.client.resource(node.def, node.namespace).patch(node.name, 'merge', patch));
  }
}

/** NotFound means the work is done already; anything else (Conflict included) retries. */
async function ignoreGone(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isApiError(err, 'NotFound')) throw err;
  }
}

function describeNode(node: GraphNode): string {
  return `${node.def.plural}/${node.namespace ? `${node.namespace}/` : ''}${node.name}`;
}

export const garbageCollectorController: ControllerFactory = (deps) => new GarbageCollector(deps);
