/**
 * The serviceaccount controller: every active namespace has a `default` ServiceAccount.
 * A namespace appearing, or its `default` account being deleted, enqueues the namespace;
 * the reconcile creates what is missing. Namespaces being deleted are left alone.
 */
import type { Logger } from 'pino';
import { DeletedFinalStateUnknown } from '../../api/informer/store.js';
import type { SharedInformer } from '../../api/informer/informer.js';
import { isApiError } from '../../api/meta/errors.js';
import { runController } from '../../api/reconcile/controller.js';
import { namespaces, serviceAccounts } from '../../api/registry.js';
import type { ServiceAccount } from '../../api/types/config.js';
import type { Namespace } from '../../api/types/namespace.js';
import { RateLimitingQueue } from '../../api/workqueue/rate-limiting-queue.js';
import type { Controller, ControllerDeps, ControllerFactory } from '../controller.js';

export const NAME = 'serviceaccount';

export interface ServiceAccountControllerOptions {
  /** The accounts every namespace gets (kube-controller-manager: just "default"). */
  serviceAccounts: string[];
}

const defaults: ServiceAccountControllerOptions = { serviceAccounts: ['default'] };

/** Active: not being deleted (a namespace without a phase yet counts as active). */
export function isActiveNamespace(ns: Namespace): boolean {
  return !ns.metadata.deletionTimestamp && (ns.status?.phase ?? 'Active') === 'Active';
}

export class ServiceAccountsController implements Controller {
  readonly name = NAME;
  private readonly queue = new RateLimitingQueue<string>();
  private readonly log: Logger;
  private readonly nsInformer: SharedInformer<Namespace>;
  private readonly saInformer: SharedInformer<ServiceAccount>;

  constructor(
    private readonly deps: ControllerDeps,
    private readonly opts: ServiceAccountControllerOptions = defaults,
  ) {
    this.log = deps.logger.child({ controller: NAME });
    this.nsInformer = deps.informers.informerFor(namespaces);
    this.saInformer = deps.informers.informerFor(serviceAccounts);
    const enqueueNs = (ns: Namespace) => {
      if (isActiveNamespace(ns)) this.queue.add(ns.metadata.name!);
    };
    this.nsInformer.addEventHandler({ onAdd: enqueueNs, onUpdate: (_old, ns) => enqueueNs(ns) });
    this.saInformer.addEventHandler({
      onDelete: (obj) => {
        const sa = obj instanceof DeletedFinalStateUnknown ? obj.obj : obj;
        if (this.opts.serviceAccounts.includes(sa.metadata.name ?? '') && sa.metadata.namespace) this.queue.add(sa.metadata.namespace);
      },
    });
  }

  async run(signal: AbortSignal, workers: number): Promise<void> {
    this.deps.informers.start();
    if (!(await this.deps.informers.waitForCacheSync(signal))) return;
    await runController({ name: NAME, queue: this.queue, workers, logger: this.deps.logger, signal, reconcile: (key) => this.reconcile(key) }).done;
  }

  async reconcile(namespace: string): Promise<void> {
    const ns = this.nsInformer.store.getByName(undefined, namespace);
    if (!ns || !isActiveNamespace(ns)) return;
    for (const name of this.opts.serviceAccounts) {
      if (this.saInformer.store.getByName(namespace, name)) continue;
      try {
        await this.deps.client.resource(serviceAccounts, namespace).create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
        this.log.info({ namespace, serviceAccount: name }, 'created service account');
      } catch (err) {
        // Already there (our cache lags), or the namespace is going or gone: nothing to do.
        if (isApiError(err, 'AlreadyExists') || isApiError(err, 'NotFound')) continue;
        if (isApiError(err, 'Forbidden') && /being terminated/.test(err.message)) continue;
        throw err;
      }
    }
  }
}

export function serviceAccountsControllerFactory(opts: Partial<ServiceAccountControllerOptions> = {}): ControllerFactory {
  return (deps) => new ServiceAccountsController(deps, { ...defaults, ...opts });
}

export const serviceAccountsController: ControllerFactory = serviceAccountsControllerFactory();
