/**
 * The ReplicaSet controller: keeps spec.replicas pods of a ReplicaSet alive.
 *
 * Wiring only; the logic lives in the files it names:
 *   informer-handlers.ts  events → expectations + keys in the work queue
 *   sync.ts               reconcile(key): claim, manage, status
 *   claim.ts              adopt / release
 *   manage-replicas.ts    create / delete with slow start and expectations
 *   deletion-order.ts     which pods go first
 *   status.ts             the status it reports
 */
import type { Logger } from 'pino';
import type { EventHandlers } from '../../api/informer/informer.js';
import { byControllerUid } from '../../api/informer/indexers.js';
import type { Indexer, IndexFunc } from '../../api/informer/store.js';
import type { KubeObject } from '../../api/meta/object-meta.js';
import { runController } from '../../api/reconcile/controller.js';
import { pods as podsDef, replicaSets as replicaSetsDef } from '../../api/registry.js';
import type { Pod } from '../../api/types/pod.js';
import type { ReplicaSet } from '../../api/types/workloads.js';
import { RateLimitingQueue } from '../../api/workqueue/rate-limiting-queue.js';
import type { Controller, ControllerDeps, ControllerFactory } from '../controller.js';
import { ControllerExpectations } from './expectations.js';
import * as handlers from './informer-handlers.js';
import { defaultBurstReplicas } from './manage-replicas.js';
import { PodControl } from './pod-control.js';
import { syncReplicaSet, type SyncDeps } from './sync.js';

export const controllerUidIndex = 'controllerUid';

/** Adds an index unless another controller sharing the informer already did. */
function ensureIndex<T extends KubeObject>(store: Indexer<T>, name: string, fn: IndexFunc<T>): void {
  try {
    store.addIndexers({ [name]: fn });
  } catch (err) {
    if (!(err instanceof Error && err.message.includes('already exists'))) throw err;
  }
}

export interface ReplicaSetControllerOptions {
  burstReplicas?: number;
}

export class ReplicaSetController implements Controller {
  readonly name = 'replicaset';
  readonly expectations = new ControllerExpectations();
  private readonly log: Logger;

  constructor(
    private readonly deps: ControllerDeps,
    private readonly opts: ReplicaSetControllerOptions = {},
  ) {
    this.log = deps.logger.child({ controller: this.name });
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    const { client, informers } = this.deps;
    const rsInformer = informers.informerFor(replicaSetsDef);
    const podInformer = informers.informerFor(podsDef);
    ensureIndex(rsInformer.store, controllerUidIndex, byControllerUid);
    ensureIndex(podInformer.store, controllerUidIndex, byControllerUid);

    const queue = new RateLimitingQueue<string>();
    const ctx: handlers.HandlerContext = {
      replicaSets: rsInformer.store,
      expectations: this.expectations,
      enqueue: (key) => queue.add(key),
      enqueueAfter: (key, ms) => queue.addAfter(key, ms),
      logger: this.log,
    };
    const rsHandlers: EventHandlers<ReplicaSet> = {
      onAdd: (rs) => handlers.onReplicaSetAdd(ctx, rs),
      onUpdate: (o, n) => handlers.onReplicaSetUpdate(ctx, o, n),
      onDelete: (rs) => handlers.onReplicaSetDelete(ctx, rs),
    };
    const podHandlers: EventHandlers<Pod> = {
      onAdd: (p) => handlers.onPodAdd(ctx, p),
      onUpdate: (o, n) => handlers.onPodUpdate(ctx, o, n),
      onDelete: (p) => handlers.onPodDelete(ctx, p),
    };
    const removeRs = rsInformer.addEventHandler(rsHandlers);
    const removePods = podInformer.addEventHandler(podHandlers);

    const recorder = this.deps.recorder('replicaset-controller');
    const syncDeps: SyncDeps = {
      replicaSets: rsInformer.store,
      pods: podInformer.store,
      expectations: this.expectations,
      writer: new PodControl(client, recorder),
      api: (ns) => client.resource(replicaSetsDef, ns),
      relatedPods: (rs) => relatedPods(rs, rsInformer.store, podInformer.store),
      burstReplicas: this.opts.burstReplicas ?? defaultBurstReplicas,
      logger: this.log,
      signal,
    };
    try {
      if (!(await informers.waitForCacheSync(signal))) return;
      const running = runController({
        name: this.name,
        queue,
        workers,
        signal,
        logger: this.deps.logger,
        reconcile: (key) => syncReplicaSet(key, syncDeps),
      });
      await running.done;
    } finally {
      removeRs();
      removePods();
      queue.shutDown();
    }
  }
}

/**
 * The pods of every ReplicaSet that has the same controller (Deployment) as `rs`, or of
 * `rs` alone if it has none: the pods its deletion ranking counts per node.
 */
export function relatedPods(rs: ReplicaSet, replicaSets: Indexer<ReplicaSet>, pods: Indexer<Pod>): Pod[] {
  const owner = rs.metadata.ownerReferences?.find((r) => r.controller);
  const siblings = owner ? replicaSets.byIndex(controllerUidIndex, owner.uid) : [rs];
  if (!siblings.some((s) => s.metadata.uid === rs.metadata.uid)) siblings.push(rs);
  return siblings.flatMap((s) => pods.byIndex(controllerUidIndex, s.metadata.uid ?? ''));
}

export const replicaSetControllerFactory: ControllerFactory = (deps) => new ReplicaSetController(deps);
