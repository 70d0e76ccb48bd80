/**
 * A PolicySource over in-memory caches, for the authorizer and admission unit tests:
 * each resource gets a cache with the WatchCache calls the authorizers use (ready, list,
 * watch, get), and `put`/`remove` deliver events to its watchers as the real cache does.
 */
import type { KubeObject } from '../../../api/meta/object-meta.js';
import type { ResourceDef } from '../../../api/resource.js';
import type { ResourceStore } from '../../registry/resource-store.js';
import { storageKey } from '../../registry/object-meta.js';
import type { CacheEvent, CacheWatcher, WatchCache } from '../../storage/watch-cache.js';
import type { PolicySource } from './rbac-authorizer.js';

class MemoryCache {
  readonly ready = Promise.resolve();
  readonly objects = new Map<string, KubeObject>();
  private readonly watchers = new Set<CacheWatcher>();
  private rev = 1;

  constructor(readonly prefix: string) {}

  list(): { items: KubeObject[]; revision: number } {
    return { items: [...this.objects.values()], revision: this.rev };
  }
  get(key: string): KubeObject | undefined {
    return this.objects.get(key);
  }
  watch(_from: number, _prefix: string, w: CacheWatcher): () => void {
    this.watchers.add(w);
    return () => this.watchers.delete(w);
  }
  emit(ev: Omit<CacheEvent, 'revision'>): void {
    this.rev++;
    for (const w of this.watchers) w.onEvent({ ...ev, revision: this.rev });
  }
}

export class FakePolicySource implements PolicySource {
  private readonly caches = new Map<ResourceDef, MemoryCache>();

  private cacheOf(def: ResourceDef): MemoryCache {
    let c = this.caches.get(def);
    if (!c) this.caches.set(def, (c = new MemoryCache(`/registry/${def.plural}/`)));
    return c;
  }

  storeFor(def: ResourceDef): ResourceStore {
    // Only `.cache` is used by the authorizers and NodeRestriction.
    return { cache: this.cacheOf(def) as unknown as WatchCache } as unknown as ResourceStore;
  }

  put(def: ResourceDef, obj: KubeObject): void {
    const c = this.cacheOf(def);
    const key = storageKey(def, obj.metadata.namespace, obj.metadata.name ?? '');
    const prev = c.objects.get(key);
    c.objects.set(key, obj);
    c.emit(prev ? { type: 'MODIFIED', key, object: obj, prev } : { type: 'ADDED', key, object: obj });
  }

  remove(def: ResourceDef, obj: KubeObject): void {
    const c = this.cacheOf(def);
    const key = storageKey(def, obj.metadata.namespace, obj.metadata.name ?? '');
    const prev = c.objects.get(key);
    if (!prev) return;
    c.objects.delete(key);
    c.emit({ type: 'DELETED', key, object: prev, prev });
  }
}
