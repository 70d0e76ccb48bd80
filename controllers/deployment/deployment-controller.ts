/**
 * The Deployment controller: watches Deployments, their ReplicaSets (and, for Recreate,
 * their pods), maps every change to the key of the Deployment concerned, and reconciles
 * one key at a time: claim the ReplicaSets (claim.ts), then decide (reconcile.ts).
 * This file is only the wiring: informers, handlers, the work queue, and the
 * DeploymentEnv that turns the decisions into API calls and events.
 */
import type { Logger } from 'pino';
import type { EventRecorder } from '../../api/events/recorder.js';
import { deletedObject } from '../../api/informer/informer.js';
import type { SharedInformer } from '../../api/informer/informer.js';
import { namespaceIndex } from '../../api/informer/store.js';
import { objectKey, splitKey, type OwnerReference } from '../../api/meta/object-meta.js';
import { runController, type ReconcileResult } from '../../api/reconcile/controller.js';
import { deployments as deploymentsDef, pods as podsDef, replicaSets as replicaSetsDef } from '../../api/registry.js';
import { labelSelectorMatches } from '../../api/selectors/labels.js';
import type { Pod } from '../../api/types/pod.js';
import type { Deployment, ReplicaSet } from '../../api/types/workloads.js';
import { RateLimitingQueue } from '../../api/workqueue/rate-limiting-queue.js';
import type { Controller, ControllerDeps, ControllerFactory } from '../controller.js';
import { claimReplicaSets, ignoreNotFound } from './claim.js';
import { writeStatus, type DeploymentEnv } from './env.js';
import type { PodsByReplicaSet } from './recreate.js';
import { reconcileDeployment } from './reconcile.js';
import { canonicalJson } from './util/hash.js';

function isEmptySelector(d: Deployment): boolean {
  const s = d.spec.selector;
  return Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;
}

export class DeploymentController implements Controller {
  readonly name = 'deployment';
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  private readonly queue = new RateLimitingQueue<string>();
  private readonly deployments: SharedInformer<Deployment>;
  private readonly replicaSets: SharedInformer<ReplicaSet>;
  private readonly pods: SharedInformer<Pod>;

  constructor(private readonly deps: ControllerDeps) {
    this.log = deps.logger.child({ controller: this.name });
    this.recorder = deps.recorder('deployment-controller');
    this.deployments = deps.informers.informerFor(deploymentsDef);
    this.replicaSets = deps.informers.informerFor(replicaSetsDef);
    this.pods = deps.informers.informerFor(podsDef);
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    const enqueue = (d: Deployment) => this.queue.add(objectKey(d));
    const removers = [
      this.deployments.addEventHandler({
        onAdd: enqueue,
        onUpdate: (_old, cur) => enqueue(cur),
        onDelete: (obj) => enqueue(deletedObject(obj)),
      }),
      this.replicaSets.addEventHandler({
        onAdd: (rs) => this.onReplicaSetAdd(rs),
        onUpdate: (old, cur) => this.onReplicaSetUpdate(old, cur),
        onDelete: (obj) => this.enqueueOwner(deletedObject(obj)),
      }),
      this.pods.addEventHandler({ onDelete: (obj) => this.onPodDelete(deletedObject(obj)) }),
    ];
    this.deps.informers.start();
    if (!(await this.deps.informers.waitForCacheSync(signal))) return;
    const running = runController({
      name: this.name,
      queue: this.queue,
      workers,
      reconcile: (key) => this.syncDeployment(key),
      logger: this.deps.logger,
      signal,
    });
    await running.done;
    for (const remove of removers) remove();
  }

  // --- event handlers: map every change to the Deployment key(s) it concerns ---

  /** The Deployment a controller reference points at, if it still is that one. */
  private resolveControllerRef(namespace: string | undefined, ref: OwnerReference | undefined): Deployment | undefined {
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = this.deployments.store.getByName(namespace, ref.name);
    return d?.metadata.uid === ref.uid ? d : undefined;
  }

  private controllerRef(obj: { metadata: { ownerReferences?: OwnerReference[] | null } }): OwnerReference | undefined {
    return obj.metadata.ownerReferences?.find((r) => r.controller) ?? undefined;
  }

  private enqueueOwner(rs: ReplicaSet): void {
    const d = this.resolveControllerRef(rs.metadata.namespace, this.controllerRef(rs));
    if (d) this.queue.add(objectKey(d));
  }

  /** Deployments whose selector matches an orphan ReplicaSet: one of them may adopt it. */
  private enqueueSelecting(rs: ReplicaSet): void {
    const candidates = this.deployments.store.byIndex(namespaceIndex, rs.metadata.namespace ?? '');
    const matching = candidates.filter((d) => !isEmptySelector(d) && labelSelectorMatches(d.spec.selector, rs.metadata.labels));
    if (matching.length > 1) this.log.warn({ rs: objectKey(rs) }, 'more than one deployment selects this replica set');
    for (const d of matching) this.queue.add(objectKey(d));
  }

  private onReplicaSetAdd(rs: ReplicaSet): void {
    if (rs.metadata.deletionTimestamp || this.controllerRef(rs)) this.enqueueOwner(rs);
    else this.enqueueSelecting(rs);
  }

  private onReplicaSetUpdate(old: ReplicaSet, cur: ReplicaSet): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return; // a resync
    const oldRef = this.controllerRef(old);
    const curRef = this.controllerRef(cur);
    const refChanged = oldRef?.uid !== curRef?.uid;
    if (refChanged && oldRef) this.enqueueOwner(old);
    if (curRef) {
      this.enqueueOwner(cur);
      return;
    }
    if (refChanged || canonicalJson(old.metadata.labels ?? {}) !== canonicalJson(cur.metadata.labels ?? {})) this.enqueueSelecting(cur);
  }

  /** Recreate waits for the old pods to be gone: a pod deletion may let it go on. */
  private onPodDelete(pod: Pod): void {
    const rsRef = this.controllerRef(pod);
    if (!rsRef || rsRef.kind !== 'ReplicaSet') return;
    const rs = this.replicaSets.store.getByName(pod.metadata.namespace, rsRef.name);
    if (!rs || rs.metadata.uid !== rsRef.uid) return;
    const d = this.resolveControllerRef(rs.metadata.namespace, this.controllerRef(rs));
    if (d?.spec.strategy?.type === 'Recreate') this.queue.add(objectKey(d));
  }

  // --- the reconcile ---

  async syncDeployment(key: string): Promise<ReconcileResult> {
    const cached = this.deployments.store.get(key);
    if (!cached) return {}; // deleted: the garbage collector removes its ReplicaSets
    const d = structuredClone(cached);
    d.status ??= {};
    const env = this.envFor(cached);

    if (isEmptySelector(d)) {
      env.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        d.status.observedGeneration = d.metadata.generation;
        await writeStatus(env, d);
      }
      return {};
    }

    const rsList = await this.replicaSetsOf(d);
    return reconcileDeployment(env, d, rsList, () => this.podsByReplicaSet(d, rsList));
  }

  private replicaSetsOf(d: Deployment): Promise<ReplicaSet[]> {
    const ns = d.metadata.namespace ?? '';
    const api = this.deps.client.resource(replicaSetsDef, ns);
    const candidates = this.replicaSets.store.byIndex(namespaceIndex, ns).map((rs) => structuredClone(rs));
    return claimReplicaSets(d, candidates, {
      patch: (rs, patch) => ignoreNotFound(api.patch(rs.metadata.name ?? '', 'strategic', patch)),
      getFreshDeployment: () => ignoreNotFound(this.deps.client.resource(deploymentsDef, ns).get(d.metadata.name ?? '')),
    });
  }

  /** Pods selected by the deployment, grouped under the ReplicaSet that controls them. */
  private podsByReplicaSet(d: Deployment, rsList: ReplicaSet[]): PodsByReplicaSet {
    const map: PodsByReplicaSet = new Map(rsList.map((rs) => [rs.metadata.uid ?? '', []]));
    for (const pod of this.pods.store.byIndex(namespaceIndex, d.metadata.namespace ?? '')) {
      if (!labelSelectorMatches(d.spec.selector, pod.metadata.labels)) continue;
      const ref = this.controllerRef(pod);
      if (ref) map.get(ref.uid)?.push(pod);
    }
    return map;
  }

  private envFor(cached: Deployment): DeploymentEnv {
    const ns = cached.metadata.namespace ?? '';
    const rsApi = this.deps.client.resource(replicaSetsDef, ns);
    const dApi = this.deps.client.resource(deploymentsDef, ns);
    const log = this.log.child({ deployment: objectKey(cached) });
    let writtenAnnotations = canonicalJson(cached.metadata.annotations ?? {});
    return {
      createReplicaSet: (rs) => rsApi.create(rs),
      updateReplicaSet: (rs) => rsApi.update(rs),
      deleteReplicaSet: async (rs) => {
        await ignoreNotFound(rsApi.delete(rs.metadata.name ?? '', { preconditions: { uid: rs.metadata.uid } }));
      },
      getReplicaSet: (_ns, name) => ignoreNotFound(rsApi.get(name)),
      updateDeployment: async (d) => {
        const updated = await dApi.update(d);
        writtenAnnotations = canonicalJson(updated.metadata.annotations ?? {});
        return updated;
      },
      updateDeploymentStatus: async (d) => {
        // Kubernetes' status update also stores the Deployment's annotations (its
        // revision); tkube's status subresource keeps metadata as it was, so an
        // annotation change goes through the main resource first.
        const annotations = canonicalJson(d.metadata.annotations ?? {});
        if (annotations !== writtenAnnotations) {
          const updated = await dApi.update(d);
          writtenAnnotations = annotations;
          d.metadata.resourceVersion = updated.metadata.resourceVersion;
        }
        return dApi.updateStatus(d);
      },
      event: (d, type, reason, message) => this.recorder.event(d, type, reason, message),
      now: () => new Date(),
      logger: log,
    };
  }
}

export const deploymentControllerFactory: ControllerFactory = (deps) => new DeploymentController(deps);
