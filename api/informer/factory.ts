/**
 * One informer per (resource, namespace, selectors) per process, as client-go's
 * SharedInformerFactory: every controller asking for pods shares one list+watch and
 * one cache.
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { KubeClient } from '../client/kube-client.js';
import type { ResourceRef } from '../client/types.js';
import type { KubeObject } from '../meta/object-meta.js';
import type { ResourceDef } from '../resource.js';
import { SharedInformer, type InformerOptions } from './informer.js';

export interface InformerScope {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface FactoryOptions {
  /** Default resync period for informers (0 = none). */
  resyncPeriodMs?: number;
  pageSize?: number;
  logger?: Logger;
  backoff?: InformerOptions['backoff'];
}

export class SharedInformerFactory {
  private readonly informers = new Map<string, SharedInformer<KubeObject>>();
  private started = false;

  constructor(
    private readonly client: KubeClient,
    private readonly opts: FactoryOptions = {},
  ) {}

  /** The shared informer of a resource in a scope; T is inferred from a ResourceDef<T>. */
  informerFor<T extends KubeObject = KubeObject>(ref: ResourceDef<T> | ResourceRef, scope: InformerScope = {}): SharedInformer<T> {
    const key = [ref.group, ref.version, ref.plural, scope.namespace ?? '', scope.labelSelector ?? '', scope.fieldSelector ?? ''].join('|');
    let inf = this.informers.get(key);
    if (!inf) {
      inf = new SharedInformer<KubeObject>(this.client.resource(ref, scope.namespace), {
        labelSelector: scope.labelSelector,
        fieldSelector: scope.fieldSelector,
        resyncPeriodMs: this.opts.resyncPeriodMs,
        pageSize: this.opts.pageSize,
        backoff: this.opts.backoff,
        logger: this.opts.logger,
      });
      this.informers.set(key, inf);
      // Informers requested after start() begin right away.
      if (this.started) inf.run();
    }
    return inf as unknown as SharedInformer<T>;
  }

  /** Starts every informer created so far (and any created later). */
  start(): void {
    this.started = true;
    for (const inf of this.informers.values()) inf.run();
  }

  /** Resolves true when every informer has synced; false if aborted first. */
  async waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    // One listener on the caller's signal, fanned out through our own (unlimited) signal,
    // so many informers don't trip Node's MaxListenersExceededWarning on the caller's.
    const local = new AbortController();
    setMaxListeners(0, local.signal);
    const onAbort = () => local.abort();
    if (signal?.aborted) local.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const results = await Promise.all([...this.informers.values()].map((i) => i.waitForSync(local.signal)));
      return results.every(Boolean);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async shutdown(): Promise<void> {
    this.started = false;
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}
