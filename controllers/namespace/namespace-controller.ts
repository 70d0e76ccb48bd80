/**
 * The namespace controller: a namespace being deleted (deletionTimestamp set, phase
 * Terminating, the "kubernetes" finalizer still in spec.finalizers) is emptied — every
 * object of every namespaced resource in it is deleted, pods with their graceful
 * deletion — and once nothing is left the finalizer is removed through
 * PUT /api/v1/namespaces/{name}/finalize, after which the apiserver removes it.
 * Until then the reconcile requeues itself and reports progress as status conditions.
 */
import type { Logger } from 'pino';
import type { KubeClient } from '../../api/client/kube-client.js';
import type { SharedInformer } from '../../api/informer/informer.js';
import { isApiError } from '../../api/meta/errors.js';
import type { KubeObject } from '../../api/meta/object-meta.js';
import { runController, type ReconcileResult } from '../../api/reconcile/controller.js';
import { namespaces, resources } from '../../api/registry.js';
import type { ResourceDef } from '../../api/resource.js';
import type { Namespace } from '../../api/types/namespace.js';
import { RateLimitingQueue } from '../../api/workqueue/rate-limiting-queue.js';
import type { Controller, ControllerDeps, ControllerFactory } from '../controller.js';
import { deletionConditions, mergeConditions, remainingCount, sameConditions, type DeletionPass } from './namespace-conditions.js';

export const NAME = 'namespace';
export const KUBERNETES_FINALIZER = 'kubernetes';

export interface NamespaceControllerOptions {
  /** How soon to look again while content remains (Kubernetes estimates it from grace periods). */
  recheckMs: number;
}

const defaults: NamespaceControllerOptions = { recheckMs: 1_000 };

/** The namespaced resources a namespace can be emptied of. */
export function deletableNamespacedResources(defs: ResourceDef[] = resources): ResourceDef[] {
  return defs.filter((d) => d.namespaced && d.verbs.includes('list') && d.verbs.includes('delete'));
}

function resourceName(def: ResourceDef): string {
  return def.group ? `${def.plural}.${def.group}` : def.plural;
}

export class NamespaceController implements Controller {
  readonly name = NAME;
  private readonly queue = new RateLimitingQueue<string>();
  private readonly client: KubeClient;
  private readonly log: Logger;
  private readonly informer: SharedInformer<Namespace>;

  constructor(
    private readonly deps: ControllerDeps,
    private readonly opts: NamespaceControllerOptions = defaults,
  ) {
    this.client = deps.client;
    this.log = deps.logger.child({ controller: NAME });
    this.informer = deps.informers.informerFor(namespaces);
    const enqueue = (ns: Namespace) => {
      if (ns.metadata.deletionTimestamp) this.queue.add(ns.metadata.name!);
    };
    this.informer.addEventHandler({ onAdd: enqueue, onUpdate: (_old, ns) => enqueue(ns) });
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    this.deps.informers.start();
    if (!(await this.deps.informers.waitForCacheSync(signal))) return;
    await runController({ name: NAME, queue: this.queue, workers, logger: this.deps.logger, signal, reconcile: (key) => this.reconcile(key) }).done;
  }

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const ns = this.informer.store.getByName(undefined, name);
    if (!ns?.metadata.deletionTimestamp) return;
    if (!(ns.spec?.finalizers ?? []).includes(KUBERNETES_FINALIZER)) return;

    const pass = await this.deleteContent(name);
    const latest = await this.reportConditions(ns, pass);
    const left = remainingCount(pass);
    if (left > 0 || pass.failures.size > 0) {
      this.log.debug({ namespace: name, remaining: left, failures: pass.failures.size }, 'namespace not empty yet');
      return { requeueAfter: this.opts.recheckMs };
    }
    await this.finalize(latest);
    this.log.info({ namespace: name }, 'namespace emptied and finalized');
  }

  /** Deletes what is in the namespace and lists what is still there. */
  private async deleteContent(namespace: string): Promise<DeletionPass> {
    const pass: DeletionPass = { remaining: new Map(), failures: new Map() };
    for (const def of deletableNamespacedResources()) {
      const api = this.client.resource(def, namespace);
      try {
        const { items } = await api.listAll();
        for (const obj of items) {
          if (obj.metadata.deletionTimestamp) continue; // already on its way out
          await api.delete(obj.metadata.name!, { propagationPolicy: 'Background', preconditions: { uid: obj.metadata.uid } }).catch((err: unknown) => {
            if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) throw err;
          });
        }
        const left = items.length ? (await api.listAll()).items : [];
        pass.remaining.set(resourceName(def), left);
      } catch (err) {
        pass.failures.set(resourceName(def), err instanceof Error ? err.message : String(err));
      }
    }
    return pass;
  }

  /** Writes the deletion conditions when they say something new; returns the namespace as stored. */
  private async reportConditions(ns: Namespace, pass: DeletionPass): Promise<Namespace> {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const conditions = mergeConditions(ns.status?.conditions, deletionConditions(pass), now);
    if (sameConditions(ns.status?.conditions, conditions)) return ns;
    return this.client
      .resource(namespaces)
      .patchStatus(ns.metadata.name!, 'merge', { metadata: { uid: ns.metadata.uid }, status: { conditions } });
  }

  /** Removes our finalizer from spec.finalizers; the apiserver deletes the namespace once none remain. */
  private async finalize(ns: Namespace): Promise<void> {
    const body: KubeObject = {
      ...ns,
      spec: { ...ns.spec, finalizers: (ns.spec?.finalizers ?? []).filter((f) => f !== KUBERNETES_FINALIZER) },
    };
    try {
      await this.client.request({ method: 'PUT', path: `/api/v1/namespaces/${encodeURIComponent(ns.metadata.name!)}/finalize`, body });
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
    }
  }
}

export function namespaceControllerFactory(opts: Partial<NamespaceControllerOptions> = {}): ControllerFactory {
  return (deps) => new NamespaceController(deps, { ...defaults, ...opts });
}

export const namespaceController: ControllerFactory = namespaceControllerFactory();
