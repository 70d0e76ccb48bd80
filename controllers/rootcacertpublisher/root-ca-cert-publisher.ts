/**
 * The root-ca-cert-publisher controller: every active namespace gets the ConfigMap
 * `kube-root-ca.crt` holding the cluster CA under `ca.crt` (from --root-ca-file), which
 * the kube-api-access volume of every pod projects. Edited or deleted copies are put back.
 */
import type { Logger } from 'pino';
import type { SharedInformer } from '../../api/informer/informer.js';
import { DeletedFinalStateUnknown } from '../../api/informer/store.js';
import { isApiError } from '../../api/meta/errors.js';
import { runController } from '../../api/reconcile/controller.js';
import { configMaps, namespaces } from '../../api/registry.js';
import type { ConfigMap } from '../../api/types/config.js';
import type { Namespace } from '../../api/types/namespace.js';
import { RateLimitingQueue } from '../../api/workqueue/rate-limiting-queue.js';
import type { Controller, ControllerDeps, ControllerFactory } from '../controller.js';
import { isActiveNamespace } from '../serviceaccount/serviceaccount-controller.js';

export const NAME = 'root-ca-cert-publisher';
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
export const ROOT_CA_KEY = 'ca.crt';
const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. ' +
  'No other usage is guaranteed across distributions of Kubernetes clusters.';

export class RootCaCertPublisher implements Controller {
  readonly name = NAME;
  private readonly queue = new RateLimitingQueue<string>();
  private readonly log: Logger;
  private readonly nsInformer: SharedInformer<Namespace>;
  private readonly cmInformer: SharedInformer<ConfigMap>;

  constructor(
    private readonly deps: ControllerDeps,
    private readonly rootCaPem: string,
  ) {
    this.log = deps.logger.child({ controller: NAME });
    this.nsInformer = deps.informers.informerFor(namespaces);
    this.cmInformer = deps.informers.informerFor(configMaps, { fieldSelector: `metadata.name=${ROOT_CA_CONFIGMAP}` });
    const enqueueNs = (ns: Namespace) => {
      if (isActiveNamespace(ns)) this.queue.add(ns.metadata.name!);
    };
    const enqueueCm = (cm: ConfigMap) => {
      if (cm.metadata.namespace) this.queue.add(cm.metadata.namespace);
    };
    this.nsInformer.addEventHandler({ onAdd: enqueueNs, onUpdate: (_old, ns) => enqueueNs(ns) });
    this.cmInformer.addEventHandler({
      onAdd: enqueueCm,
      onUpdate: (_old, cm) => enqueueCm(cm),
      onDelete: (obj) => enqueueCm(obj instanceof DeletedFinalStateUnknown ? obj.obj : obj),
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
    const api = this.deps.client.resource(configMaps, namespace);
    const current = this.cmInformer.store.getByName(namespace, ROOT_CA_CONFIGMAP);
    try {
      if (!current) {
        await api.create({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: ROOT_CA_CONFIGMAP, namespace, annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } },
          data: { [ROOT_CA_KEY]: this.rootCaPem },
        });
        this.log.info({ namespace }, 'published the root CA');
        return;
      }
      const data = current.data ?? {};
      const sameData = Object.keys(data).length === 1 && data[ROOT_CA_KEY] === this.rootCaPem && !current.binaryData;
      if (sameData && current.metadata.annotations?.[DESCRIPTION_ANNOTATION] === DESCRIPTION) return;
      // Update with the cached resourceVersion: a conflict means our cache lags; the retry sees more.
      await api.update({
        ...current,
        metadata: { ...current.metadata, annotations: { ...current.metadata.annotations, [DESCRIPTION_ANNOTATION]: DESCRIPTION } },
        data: { [ROOT_CA_KEY]: this.rootCaPem },
        binaryData: undefined,
      });
      this.log.info({ namespace }, 'restored the root CA');
    } catch (err) {
      if (isApiError(err, 'AlreadyExists') || isApiError(err, 'NotFound')) return;
      if (isApiError(err, 'Forbidden') && /being terminated/.test(err.message)) return;
      throw err;
    }
  }
}

/** The controller for a given CA bundle (PEM); only registered when --root-ca-file is given. */
export function rootCaCertPublisherFactory(rootCaPem: string): ControllerFactory {
  if (!rootCaPem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('the root CA file holds no PEM certificate');
  return (deps) => new RootCaCertPublisher(deps, rootCaPem);
}
