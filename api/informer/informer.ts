/**
 * A shared informer, as client-go's: list (paged), then watch from the list's
 * resourceVersion, keeping an indexed cache and telling handlers what changed.
 * - The watch ends normally (server timeout): watch again from the last resourceVersion.
 * - 410 Expired (HTTP answer or ERROR event): that resourceVersion is compacted; relist,
 *   and diff the fresh list against the cache (adds, updates, tombstoned deletes).
 * - Any other error: wait (capped exponential backoff with jitter), then carry on.
 * - Every resync period, handlers get onUpdate(obj, obj) for every cached object, so
 *   level-triggered controllers recheck everything now and then.
 */
import type { Logger } from 'pino';
import { pino } from 'pino';
import { Backoff, sleep, type BackoffOptions } from '../client/backoff.js';
import type { ResourceClient } from '../client/kube-client.js';
import { ApiError, isApiError } from '../meta/errors.js';
import { objectKey, type KubeObject } from '../meta/object-meta.js';
import { DeletedFinalStateUnknown, Indexer, diffForReplace, type IndexFunc } from './store.js';

export interface EventHandlers<T extends KubeObject> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T | DeletedFinalStateUnknown<T>): void;
}

export interface InformerOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** 0 disables periodic resync. */
  resyncPeriodMs?: number;
  /** Page size of lists (default 500). */
  pageSize?: number;
  backoff?: BackoffOptions;
  logger?: Logger;
}

/** The object a delete handler got, whether it saw the deletion or inferred it. */
export function deletedObject<T extends KubeObject>(obj: T | DeletedFinalStateUnknown<T>): T {
  return obj instanceof DeletedFinalStateUnknown ? obj.obj : obj;
}

export class SharedInformer<T extends KubeObject = KubeObject> {
  readonly store: Indexer<T>;
  private readonly handlers = new Set<EventHandlers<T>>();
  private readonly log: Logger;
  private readonly backoff: Backoff;
  private abort: AbortController | undefined;
  private running: Promise<void> | undefined;
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private resyncTimer: NodeJS.Timeout | undefined;
  private resourceVersion = '';

  constructor(
    private readonly client: ResourceClient<T>,
    private readonly opts: InformerOptions = {},
  ) {
    this.store = new Indexer<T>();
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ informer: client.ref.plural, namespace: client.namespace });
    this.backoff = new Backoff(opts.backoff ?? { initialMs: 800, maxMs: 30_000, factor: 2, jitter: 1 });
  }

  /**
   * Registers handlers. Handlers added after the cache filled get onAdd for every object
   * already cached, so every handler sees a consistent history. Returns a remover.
   */
  addEventHandler(h: EventHandlers<T>): () => void {
    this.handlers.add(h);
    for (const obj of this.store.list()) this.call(h, 'onAdd', () => h.onAdd?.(obj));
    return () => this.handlers.delete(h);
  }

  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    this.store.addIndexers(indexers);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once the first list is in the cache, false if stopped (or aborted) first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onAbort = () => resolve(false);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve(this.synced);
      });
    });
  }

  /** The resourceVersion the cache is at (last list or event). */
  lastSyncResourceVersion(): string {
    return this.resourceVersion;
  }

  isRunning(): boolean {
    return this.running !== undefined;
  }

  run(): void {
    if (this.running) return;
    this.abort = new AbortController();
    const signal = this.abort.signal;
    this.running = this.loop(signal).catch((err: unknown) => {
      if (!signal.aborted) this.log.error({ err }, 'informer loop ended unexpectedly');
    });
    const period = this.opts.resyncPeriodMs ?? 0;
    if (period > 0) {
      this.resyncTimer = setInterval(() => this.resync(), period);
      this.resyncTimer.unref();
    }
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.resyncTimer = undefined;
    await this.running;
    this.running = undefined;
    this.releaseSyncWaiters();
  }

  private async loop(signal: AbortSignal): Promise<void> {
    let needList = true;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.listAndReplace(signal);
          needList = false;
        }
        const started = performance.now();
        const events = await this.watch(signal);
        // A normal end (server-side timeout): rewatch from where we are, but not in a
        // tight loop against a server that closes watches right away.
        if (events === 0 && performance.now() - started < 1000 && !signal.aborted) {
          await sleep(this.backoff.next(), signal).catch(() => undefined);
        }
      } catch (err) {
        if (signal.aborted) return;
        if (isApiError(err, 'Expired') || isApiError(err, 'Gone')) {
          this.log.info({ resourceVersion: this.resourceVersion }, 'resourceVersion expired; relisting');
          needList = true;
          continue;
        }
        const delay = this.backoff.next();
        this.log.warn({ err: err instanceof Error ? err.message : String(err), delay: Math.round(delay) }, 'list/watch failed; backing off');
        try {
          await sleep(delay, signal);
        } catch {
          return;
        }
      }
    }
  }

  private async listAndReplace(signal: AbortSignal): Promise<void> {
    const list = await this.client.listAll({
      labelSelector: this.opts.labelSelector,
      fieldSelector: this.opts.fieldSelector,
      limit: this.opts.pageSize ?? 500,
      signal,
    });
    if (signal.aborted) return;
    const diff = diffForReplace(this.store, list.items);
    this.store.clear();
    for (const obj of list.items) this.store.upsert(obj);
    this.resourceVersion = list.metadata.resourceVersion ?? '';
    this.log.debug({ items: list.items.length, resourceVersion: this.resourceVersion }, 'listed');
    for (const obj of diff.added) this.dispatch('onAdd', (h) => h.onAdd?.(obj));
    for (const u of diff.updated) this.dispatch('onUpdate', (h) => h.onUpdate?.(u.old, u.new));
    for (const t of diff.deleted) this.dispatch('onDelete', (h) => h.onDelete?.(t));
    if (!this.synced) {
      this.synced = true;
      this.releaseSyncWaiters();
    }
  }

  /** Watches until the stream ends; returns the number of events seen. */
  private async watch(signal: AbortSignal): Promise<number> {
    // A random server-side timeout spreads reconnects of many informers (client-go: 5-10 min).
    const timeoutSeconds = Math.floor(300 + Math.random() * 300);
    const events = this.client.watch({
      resourceVersion: this.resourceVersion,
      labelSelector: this.opts.labelSelector,
      fieldSelector: this.opts.fieldSelector,
      allowWatchBookmarks: true,
      timeoutSeconds,
      signal,
    });
    let seen = 0;
    for await (const e of events) {
      if (e.type === 'ERROR') throw ApiError.fromStatus(e.object, e.object.code ?? 500);
      seen++;
      this.backoff.reset();
      const rv = e.object.metadata?.resourceVersion;
      if (e.type === 'BOOKMARK') {
        if (rv) this.resourceVersion = rv;
        continue;
      }
      const obj = e.object;
      const key = objectKey(obj);
      if (e.type === 'DELETED') {
        const old = this.store.delete(key);
        this.dispatch('onDelete', (h) => h.onDelete?.(obj));
        if (!old) this.log.debug({ key }, 'deleted object was not cached');
      } else {
        const old = this.store.upsert(obj);
        if (old) this.dispatch('onUpdate', (h) => h.onUpdate?.(old, obj));
        else this.dispatch('onAdd', (h) => h.onAdd?.(obj));
      }
      if (rv) this.resourceVersion = rv;
    }
    return seen;
  }

  private resync(): void {
    if (!this.synced) return;
    for (const obj of this.store.list()) this.dispatch('onUpdate', (h) => h.onUpdate?.(obj, obj));
  }

  private dispatch(what: string, fn: (h: EventHandlers<T>) => void): void {
    for (const h of this.handlers) this.call(h, what, () => fn(h));
  }

  /** A throwing handler is logged; it must not break the informer or other handlers. */
  private call(_h: EventHandlers<T>, what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err, handler: what }, 'event handler threw');
    }
  }

  private releaseSyncWaiters(): void {
    const waiters = this.syncWaiters;
    this.syncWaiters = [];
    for (const w of waiters) w();
  }
}
