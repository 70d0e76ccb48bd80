/**
 * The informer's cache: objects by key ("namespace/name") plus secondary indexes, as
 * client-go's Indexer. An index function maps an object to the values it is filed
 * under (a pod under its node name, under its controller's uid, ...); byIndex answers
 * "all objects filed under this value" without scanning the store.
 */
import { objectKey, type KubeObject } from '../meta/object-meta.js';

export type IndexFunc<T> = (obj: T) => string[];

export const namespaceIndex = 'namespace';

export class Indexer<T extends KubeObject = KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  // index name → indexed value → keys
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Record<string, IndexFunc<T>> = {}) {
    this.addIndexers({ [namespaceIndex]: (o) => (o.metadata.namespace ? [o.metadata.namespace] : []), ...indexers });
  }

  /** Adds index functions; existing items are indexed right away. */
  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.indexers.has(name)) throw new Error(`indexer "${name}" already exists`);
      this.indexers.set(name, fn);
      const index = new Map<string, Set<string>>();
      this.indices.set(name, index);
      for (const [key, obj] of this.items) this.fileUnder(index, fn(obj), key);
    }
  }

  /** Adds or replaces an object; returns the previous one. */
  upsert(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.items.get(key);
    if (old) this.unindex(old, key);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexers) this.fileUnder(this.indices.get(name)!, fn(obj), key);
    return old;
  }

  /** Removes an object by key; returns it if it was there. */
  delete(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(old, key);
    this.items.delete(key);
    return old;
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  getByName(namespace: string | undefined, name: string): T | undefined {
    return this.items.get(namespace ? `${namespace}/${name}` : name);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  listKeys(): string[] {
    return [...this.items.keys()];
  }

  get size(): number {
    return this.items.size;
  }

  /** Objects filed under `value` in index `name`. */
  byIndex(name: string, value: string): T[] {
    const index = this.indices.get(name);
    if (!index) throw new Error(`index "${name}" does not exist`);
    const keys = index.get(value);
    return keys ? [...keys].map((k) => this.items.get(k)!) : [];
  }

  indexKeys(name: string, value: string): string[] {
    const index = this.indices.get(name);
    if (!index) throw new Error(`index "${name}" does not exist`);
    return [...(index.get(value) ?? [])];
  }

  /** The values present in index `name`. */
  indexValues(name: string): string[] {
    const index = this.indices.get(name);
    if (!index) throw new Error(`index "${name}" does not exist`);
    return [...index.keys()];
  }

  clear(): void {
    this.items.clear();
    for (const index of this.indices.values()) index.clear();
  }

  private fileUnder(index: Map<string, Set<string>>, values: string[], key: string): void {
    for (const v of values) {
      let keys = index.get(v);
      if (!keys) index.set(v, (keys = new Set()));
      keys.add(key);
    }
  }

  private unindex(obj: T, key: string): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name)!;
      for (const v of fn(obj)) {
        const keys = index.get(v);
        if (!keys) continue;
        keys.delete(key);
        if (keys.size === 0) index.delete(v);
      }
    }
  }
}

/** A handler's view of an object deleted while the informer was not watching. */
export class DeletedFinalStateUnknown<T extends KubeObject = KubeObject> {
  constructor(
    readonly key: string,
    /** The last state the informer had seen. */
    readonly obj: T,
  ) {}
}

export interface ReplaceDiff<T extends KubeObject> {
  added: T[];
  updated: { old: T; new: T }[];
  deleted: DeletedFinalStateUnknown<T>[];
}

/**
 * What changed between the cache and a fresh list: objects new to the cache, objects
 * whose resourceVersion moved, and objects gone (as tombstones: their deletion was
 * never seen, only inferred).
 */
export function diffForReplace<T extends KubeObject>(store: Indexer<T>, items: T[]): ReplaceDiff<T> {
  const diff: ReplaceDiff<T> = { added: [], updated: [], deleted: [] };
  const seen = new Set<string>();
  for (const obj of items) {
    const key = objectKey(obj);
    seen.add(key);
    const old = store.get(key);
    if (!old) diff.added.push(obj);
    else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion || old.metadata.uid !== obj.metadata.uid) {
      diff.updated.push({ old, new: obj });
    }
  }
  for (const key of store.listKeys()) {
    if (!seen.has(key)) diff.deleted.push(new DeletedFinalStateUnknown(key, store.get(key)!));
  }
  return diff;
}
