/**
 * The watch cache of one resource type: a single etcd watch on the type's key prefix
 * keeps an in-memory copy of every object and a ring of recent events. Client watches
 * and resourceVersion=0 lists are served from here, so the number of etcd watches does
 * not grow with the number of clients.
 *
 * At start the ring is filled from etcd's own history (a watch from the oldest revision
 * etcd still has), so after an apiserver restart a client can resume from any revision
 * that etcd has not compacted away.
 */
import type { IWatchResponse, IKeyValue } from 'etcd3';
import type { Logger } from 'pino';
import { expired, timeout, type ApiError } from '../../api/meta/errors.js';
import type { KubeObject } from '../../api/meta/object-meta.js';
import { decodeKv, decodeValue, prefixEnd, type EtcdStore } from './etcd-store.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface CacheEvent {
  type: EventType;
  key: string;
  /** The object after the change; for DELETED the last state, with the deletion's resourceVersion. */
  object: KubeObject;
  /** The object before the change (MODIFIED, DELETED). */
  prev?: KubeObject;
  revision: number;
}

export interface CacheWatcher {
  /** Called for every event at or after the watch's start, in revision order. */
  onEvent(ev: CacheEvent): void;
  /** Periodic progress: the cache has seen everything up to `revision`. */
  onProgress?(revision: number): void;
  /** The cache was torn down (apiserver shutting down, or a relist after a compaction race). */
  onClose(err?: ApiError): void;
}

interface WatcherEntry {
  w: CacheWatcher;
  prefix: string;
}

export interface WatchCacheOptions {
  store: EtcdStore;
  /** Key prefix of the type, ending in '/': '/registry/pods/'. */
  prefix: string;
  /** Events kept for resuming watches. */
  capacity?: number;
  logger: Logger;
}

export class WatchCache {
  readonly prefix: string;
  private readonly store: EtcdStore;
  private readonly capacity: number;
  private readonly log: Logger;

  private readonly objects = new Map<string, KubeObject>();
  private ring: CacheEvent[] = [];
  private ringHead = 0; // index of the oldest event when the ring is full
  /** Every event with a revision greater than this is in the ring. */
  private oldestResumable = 0;
  /** Everything up to this revision has been applied. */
  private rev = 0;
  private readonly watchers = new Set<WatcherEntry>();
  private readonly freshnessWaiters: { rev: number; resolve: () => void }[] = [];
  private stream?: Awaited<ReturnType<EtcdStore['client']['watchClient']['watch']>>;
  private stopped = false;
  private readyResolve!: () => void;
  readonly ready: Promise<void>;
  private isReady = false;
  private bookmarkTimer?: NodeJS.Timeout;

  constructor(opts: WatchCacheOptions) {
    this.store = opts.store;
    this.prefix = opts.prefix;
    this.capacity = opts.capacity ?? 20_000;
    this.log = opts.logger.child({ cache: opts.prefix });
    this.ready = new Promise((r) => (this.readyResolve = r));
    // A watch may resume from the compaction revision itself (etcd still has it), not from before it.
    this.store.onCompacted((revision) => (this.oldestResumable = Math.max(this.oldestResumable, revision - 1)));
  }

  get revision(): number {
    return this.rev;
  }

  get synced(): boolean {
    return this.isReady;
  }

  get size(): number {
    return this.objects.size;
  }

  /** Starts (and keeps restarting on failure) the list + watch loop. Resolves once the first list is in. */
  start(): Promise<void> {
    void this.run();
    this.bookmarkTimer = setInterval(() => this.progressAll(), 1000);
    this.bookmarkTimer.unref();
    return this.ready;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.bookmarkTimer);
    const stream = this.stream;
    this.stream = undefined;
    stream?.end();
    for (const entry of this.watchers) entry.w.onClose();
    this.watchers.clear();
  }

  private async run(): Promise<void> {
    let backoff = 100;
    while (!this.stopped) {
      try {
        await this.listAndWatch();
        backoff = 100;
      } catch (err) {
        if (this.stopped) return;
        this.log.warn({ err: (err as Error).message }, 'watch cache lost its etcd watch; relisting');
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 2000);
      }
    }
  }

  /** One life of the etcd watch: list, replay history into the ring, then follow live events until the stream fails. */
  private async listAndWatch(): Promise<void> {
    const listed = await this.store.list(this.prefix);
    const listRev = listed.revision;
    this.replaceState(listed.items, listRev);

    // First start: replay etcd's history into the ring. A relist: just follow from the list.
    const historyStart = this.isReady ? listRev + 1 : Math.max(1, listRev - this.capacity);
    await new Promise<void>((resolve, reject) => {
      void this.openStream(historyStart, listRev, resolve, reject);
    });
  }

  private async openStream(startRev: number, listRev: number, done: () => void, fail: (e: Error) => void): Promise<void> {
    let stream: NonNullable<typeof this.stream>;
    try {
      stream = await this.store.client.watchClient.watch();
    } catch (err) {
      fail(err as Error);
      return;
    }
    this.stream = stream;
    const key = Buffer.from(this.prefix);
    const create = (start: number) =>
      stream.write({
        create_request: { key, range_end: prefixEnd(key), start_revision: start, prev_kv: true, progress_notify: true },
      });
    let historyOnly = startRev <= listRev;
    let historyStart = startRev;
    stream.on('data', (res: IWatchResponse) => {
      if (res.canceled) {
        const compacted = Number(res.compact_revision || 0);
        if (compacted > 0 && historyOnly && compacted > historyStart) {
          // etcd no longer has the history we asked for: begin where it does.
          historyStart = compacted;
          this.oldestResumable = Math.max(this.oldestResumable, compacted - 1);
          create(compacted);
          return;
        }
        stream.end();
        fail(new Error(`etcd watch canceled: ${res.cancel_reason || 'compacted'}`));
        return;
      }
      if (res.created) {
        if (!this.isReady) {
          // Ring starts just before the first revision etcd can replay.
          this.oldestResumable = historyStart - 1;
          this.markReady();
          // etcd 3.4 cannot tell us when an unsynced watch has caught up, so the history
          // replay counts as complete once an event at or past the list arrives, or the
          // stream has been quiet for a moment.
          this.historyQuietTimer = setTimeout(() => this.historyComplete(), 300);
          this.historyQuietTimer.unref();
        }
        return;
      }
      const headerRev = Number(res.header.revision);
      for (const e of res.events) {
        const revision = Number(e.kv.mod_revision);
        if (revision <= listRev) {
          this.recordHistory(e.type, e.kv, e.prev_kv, revision);
        } else {
          historyOnly = false;
          this.apply(e.type, e.kv, e.prev_kv, revision);
        }
      }
      if (res.events.length === 0) {
        // Progress notification: nothing of ours changed up to headerRev.
        if (headerRev > this.rev && headerRev >= listRev) this.advanceTo(headerRev);
      } else if (Number(res.events[res.events.length - 1]!.kv.mod_revision) >= listRev) {
        this.historyComplete();
      } else {
        this.historyQuietTimer?.refresh();
      }
    });
    stream.on('error', (err: Error) => fail(err));
    stream.on('end', () => (this.stopped ? done() : fail(new Error('etcd watch stream ended'))));
    create(historyStart);
    // History (if any) arrives before live events; the cache is ready to serve once the
    // list is applied. Ask etcd for a progress notification so readiness does not wait for traffic.
  }

  private historyQuietTimer?: NodeJS.Timeout;
  private historyResolve!: () => void;
  private readonly historyLoaded = new Promise<void>((r) => (this.historyResolve = r));
  private historyComplete(): void {
    clearTimeout(this.historyQuietTimer);
    this.historyResolve();
  }

  /** Resolves once the replay of etcd's history into the ring is complete (needed to resume old watches). */
  waitForHistory(): Promise<void> {
    return this.historyLoaded;
  }

  private markReady(): void {
    if (this.isReady) return;
    this.isReady = true;
    this.readyResolve();
    this.log.debug({ revision: this.rev, objects: this.objects.size, ring: this.ring.length }, 'watch cache ready');
  }

  /** Asks etcd to report its current revision on the watch stream (used to prove freshness). */
  requestProgress(): void {
    try {
      this.stream?.write({ progress_request: {} });
    } catch {
      /* the stream is being replaced */
    }
  }

  private replaceState(items: KubeObject[], revision: number): void {
    if (!this.isReady) {
      for (const obj of items) this.objects.set(keyOf(this.prefix, obj), obj);
      this.rev = revision;
      return;
    }
    // A relist after losing the watch: turn the difference into events so watchers stay consistent.
    const seen = new Set<string>();
    for (const obj of items) {
      const key = keyOf(this.prefix, obj);
      seen.add(key);
      const old = this.objects.get(key);
      if (!old) this.emit({ type: 'ADDED', key, object: obj, revision });
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion)
        this.emit({ type: 'MODIFIED', key, object: obj, prev: old, revision });
    }
    for (const [key, old] of this.objects) {
      if (!seen.has(key)) {
        const gone = { ...old, metadata: { ...old.metadata, resourceVersion: String(revision) } };
        this.emit({ type: 'DELETED', key, object: gone, prev: old, revision });
      }
    }
    this.advanceTo(revision);
  }

  private recordHistory(type: 'Put' | 'Delete', kv: IKeyValue, prevKv: IKeyValue | undefined, revision: number): void {
    const ev = toEvent(type, kv, prevKv, revision);
    if (ev) this.push(ev);
  }

  private apply(type: 'Put' | 'Delete', kv: IKeyValue, prevKv: IKeyValue | undefined, revision: number): void {
    const key = kv.key.toString();
    // The cached object is usually exactly prev_kv: reuse it rather than decoding the same bytes again.
    const cached = this.objects.get(key);
    const prev = prevKv && cached?.metadata.resourceVersion !== String(prevKv.mod_revision) ? decodeKv(prevKv) : cached;
    const ev = toEvent(type, kv, prevKv, revision, prev);
    if (!ev) return;
    this.emit(ev);
    this.advanceTo(revision);
  }

  private emit(ev: CacheEvent): void {
    if (ev.type === 'DELETED') this.objects.delete(ev.key);
    else this.objects.set(ev.key, ev.object);
    this.push(ev);
    for (const entry of this.watchers) {
      if (!ev.key.startsWith(entry.prefix)) continue;
      try {
        entry.w.onEvent(ev);
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'watcher failed; dropping it');
        this.watchers.delete(entry);
        entry.w.onClose();
      }
    }
  }

  private push(ev: CacheEvent): void {
    if (this.ring.length < this.capacity) {
      this.ring.push(ev);
      return;
    }
    const evicted = this.ring[this.ringHead]!;
    this.oldestResumable = evicted.revision;
    this.ring[this.ringHead] = ev;
    this.ringHead = (this.ringHead + 1) % this.capacity;
  }

  private advanceTo(revision: number): void {
    if (revision <= this.rev) return;
    this.rev = revision;
    if (this.freshnessWaiters.length) {
      for (let i = this.freshnessWaiters.length - 1; i >= 0; i--) {
        const w = this.freshnessWaiters[i]!;
        if (w.rev <= revision) {
          this.freshnessWaiters.splice(i, 1);
          w.resolve();
        }
      }
    }
  }

  /**
   * Every tick, not only when the revision moved: each watcher decides from its own
   * bookmark interval, and a quiet type must still get its periodic bookmarks.
   */
  private progressAll(): void {
    if (!this.isReady) return;
    for (const entry of this.watchers) entry.w.onProgress?.(this.rev);
  }

  /** Waits until the cache has applied everything up to `revision` (or throws 504 after timeoutMs). */
  async waitUntilFresh(revision: number, timeoutMs = 3000): Promise<void> {
    await this.ready;
    if (this.rev >= revision) return;
    this.requestProgress();
    await new Promise<void>((resolve, reject) => {
      const waiter = { rev: revision, resolve };
      this.freshnessWaiters.push(waiter);
      const t = setTimeout(() => {
        const i = this.freshnessWaiters.indexOf(waiter);
        if (i >= 0) this.freshnessWaiters.splice(i, 1);
        reject(timeout(`Too large resource version: ${revision}, current: ${this.rev}`));
      }, timeoutMs);
      t.unref();
      const origResolve = waiter.resolve;
      waiter.resolve = () => {
        clearTimeout(t);
        origResolve();
      };
    });
  }

  /** The current objects under `prefix` (a namespace's, or all), in key order. */
  list(prefix = this.prefix): { items: KubeObject[]; revision: number } {
    const items: KubeObject[] = [];
    const keys: string[] = [];
    for (const key of this.objects.keys()) if (key.startsWith(prefix)) keys.push(key);
    keys.sort();
    for (const key of keys) items.push(this.objects.get(key)!);
    return { items, revision: this.rev };
  }

  get(key: string): KubeObject | undefined {
    return this.objects.get(key);
  }

  /**
   * Registers a watcher for events after `fromRevision` on keys under `prefix`.
   * Events still in the ring are replayed synchronously first. fromRevision older than
   * the ring → 410 Expired, as Kubernetes answers "too old resource version".
   */
  watch(fromRevision: number, prefix: string, w: CacheWatcher): () => void {
    if (fromRevision < this.oldestResumable) {
      throw expired(`too old resource version: ${fromRevision} (${this.oldestResumable + 1})`);
    }
    const entry: WatcherEntry = { w, prefix };
    const n = this.ring.length;
    for (let i = 0; i < n; i++) {
      const ev = this.ring[(this.ringHead + i) % n]!;
      if (ev.revision > fromRevision && ev.key.startsWith(prefix) && ev.revision <= this.rev) w.onEvent(ev);
    }
    this.watchers.add(entry);
    return () => {
      this.watchers.delete(entry);
    };
  }

  get watcherCount(): number {
    return this.watchers.size;
  }
}

function toEvent(
  type: 'Put' | 'Delete',
  kv: IKeyValue,
  prevKv: IKeyValue | undefined,
  revision: number,
  knownPrev?: KubeObject,
): CacheEvent | undefined {
  const key = kv.key.toString();
  const prev = knownPrev ?? (prevKv ? decodeKv(prevKv) : undefined);
  if (type === 'Delete') {
    if (!prev) return undefined; // deleted before our history begins: nothing to tell
    const last = prevKv ? decodeValue(prevKv.value, revision) : { ...prev, metadata: { ...prev.metadata, resourceVersion: String(revision) } };
    return { type: 'DELETED', key, object: last, prev, revision };
  }
  const object = decodeKv(kv);
  return Number(kv.create_revision) === revision
    ? { type: 'ADDED', key, object, revision }
    : { type: 'MODIFIED', key, object, prev, revision };
}

function keyOf(prefix: string, obj: KubeObject): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${prefix}${namespace}/${name}` : `${prefix}${name}`;
}

