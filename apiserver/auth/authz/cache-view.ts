/**
 * A live view of one watch cache for the authorizers: on first use it waits for the cache
 * to be synced, hands the current objects to `reset`, then every later change to `apply`.
 * No etcd reads: the apiserver's own watch cache is the source.
 */
import type { KubeObject } from '../../../api/meta/object-meta.js';
import type { CacheEvent, WatchCache } from '../../storage/watch-cache.js';

export interface CacheViewHandlers {
  reset(items: KubeObject[]): void;
  apply(ev: CacheEvent): void;
}

export class CacheView {
  private subscribed = false;
  private starting?: Promise<void>;

  constructor(
    private readonly cache: WatchCache,
    private readonly handlers: CacheViewHandlers,
  ) {}

  /** Resolves once the view is subscribed; cheap after the first call. */
  ready(): Promise<void> | undefined {
    if (this.subscribed) return undefined;
    this.starting ??= this.subscribe();
    return this.starting;
  }

  private async subscribe(): Promise<void> {
    await this.cache.ready;
    // list() and watch() run in the same tick: no event can fall between them.
    const { items, revision } = this.cache.list();
    this.handlers.reset(items);
    this.cache.watch(revision, this.cache.prefix, {
      onEvent: (ev) => this.handlers.apply(ev),
      onClose: () => {
        // The cache was torn down: subscribe again (and relist) on next use.
        this.subscribed = false;
        this.starting = undefined;
      },
    });
    this.subscribed = true;
  }
}
