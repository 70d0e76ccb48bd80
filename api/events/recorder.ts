/**
 * An event recorder as client-go's (record.EventRecorder): controllers call
 * `recorder.event(obj, 'Normal', 'SuccessfulCreate', 'Created pod: web-abc')` and a
 * core/v1 Event appears for `kubectl describe` to show. The same (object, type, reason,
 * message) seen again within 10 minutes bumps count and lastTimestamp of the existing
 * Event instead of creating another. As client-go's spam filter, each object may record
 * a burst of 25 events, then one per 5 minutes; more are dropped. Recording never blocks
 * and never throws: events go through a bounded queue and write errors are only logged.
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { KubeClient, ResourceClient } from '../client/kube-client.js';
import type { ResourceRef } from '../client/types.js';
import { isApiError } from '../meta/errors.js';
import type { KubeObject } from '../meta/object-meta.js';
import { TokenBucket } from '../workqueue/token-bucket.js';

export type EventType = 'Normal' | 'Warning';

export interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

export interface CoreEvent extends KubeObject {
  involvedObject: ObjectReference;
  reason: string;
  message: string;
  source: { component: string; host?: string };
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
  type: EventType;
  eventTime: null;
  reportingComponent: string;
  reportingInstance: string;
}

export const eventsRef: ResourceRef = { group: '', version: 'v1', plural: 'events', namespaced: true, kind: 'Event' };

export interface RecorderOptions {
  client: KubeClient;
  /** source.component and reportingComponent, e.g. "deployment-controller". */
  component: string;
  host?: string;
  logger?: Logger;
  /** Repeats within this window are aggregated (default 10 minutes). */
  aggregationWindowMs?: number;
  /** Events waiting to be written beyond this are dropped (default 1000). */
  maxQueue?: number;
  /** Per-object spam filter: burst, then one event per refill interval (default 25 and 5 minutes). */
  spamBurst?: number;
  spamRefillMs?: number;
  now?: () => Date;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
  lastSeenMs: number;
}

/** meta/v1 Time: RFC 3339 to the second. */
function metaTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const maxCacheEntries = 4096;

export class EventRecorder {
  private readonly log: Logger;
  private readonly window: number;
  private readonly maxQueue: number;
  private readonly now: () => Date;
  private readonly host: string;
  private readonly seen = new Map<string, Seen>(); // insertion order = LRU order
  private readonly spam = new Map<string, TokenBucket>(); // per involved object, LRU too
  private readonly pending: (() => Promise<void>)[] = [];
  private draining: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly opts: RecorderOptions) {
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'event-recorder', source: opts.component });
    this.window = opts.aggregationWindowMs ?? 10 * 60_000;
    this.maxQueue = opts.maxQueue ?? 1000;
    this.now = opts.now ?? (() => new Date());
    this.host = opts.host ?? hostname();
  }

  /** Records an event about obj. Returns at once; the write happens in the background. */
  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    if (this.closed) return;
    try {
      const write = this.prepare(obj, type, reason, message);
      if (write) this.enqueue(write);
    } catch (err) {
      this.log.error({ err, reason }, 'could not record event');
    }
  }

  /** Resolves once every queued event has been written (or failed). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Stops accepting events and writes what is queued. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private allowedBySpamFilter(objectKey: string): boolean {
    let bucket = this.spam.get(objectKey);
    if (!bucket) {
      const refill = this.opts.spamRefillMs ?? 5 * 60_000;
      bucket = new TokenBucket(1000 / refill, this.opts.spamBurst ?? 25, () => this.now().getTime());
    }
    this.spam.delete(objectKey);
    this.spam.set(objectKey, bucket);
    if (this.spam.size > maxCacheEntries) this.spam.delete(this.spam.keys().next().value as string);
    return bucket.tryTake();
  }

  private prepare(obj: KubeObject, type: EventType, reason: string, message: string): (() => Promise<void>) | undefined {
    const now = this.now();
    const ts = metaTime(now);
    const involved: ObjectReference = {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
    };
    const namespace = obj.metadata.namespace || 'default';
    if (!this.allowedBySpamFilter(JSON.stringify([involved.apiVersion, involved.kind, namespace, involved.name, involved.uid]))) {
      this.log.debug({ reason, object: involved.name }, 'event dropped by spam filter');
      return undefined;
    }
    const key = JSON.stringify([this.opts.component, involved.apiVersion, involved.kind, namespace, involved.name, involved.uid, type, reason, message]);
    const prev = this.seen.get(key);
    const nowMs = now.getTime();
    if (prev && nowMs - prev.lastSeenMs <= this.window) {
      prev.count++;
      prev.lastSeenMs = nowMs;
      this.touch(key, prev);
      const { name, count } = prev;
      return () => this.bump(key, prev.namespace, name, count, ts, involved, type, reason, message);
    }
    const name = `${obj.metadata.name ?? 'unknown'}.${(BigInt(nowMs) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000))).toString(16)}`;
    const entry: Seen = { name, namespace, count: 1, firstTimestamp: ts, lastSeenMs: nowMs };
    this.touch(key, entry);
    const event = this.build(name, namespace, involved, type, reason, message, ts, ts, 1);
    return () => this.create(event);
  }

  private build(
    name: string, namespace: string, involved: ObjectReference, type: EventType,
    reason: string, message: string, first: string, last: string, count: number,
  ): CoreEvent {
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: involved,
      reason,
      message,
      source: { component: this.opts.component, host: this.host },
      firstTimestamp: first,
      lastTimestamp: last,
      count,
      type,
      eventTime: null,
      reportingComponent: this.opts.component,
      reportingInstance: this.host,
    };
  }

  private events(namespace: string): ResourceClient<CoreEvent> {
    return this.opts.client.resource<CoreEvent>(eventsRef, namespace);
  }

  private async create(event: CoreEvent): Promise<void> {
    await this.events(event.metadata.namespace ?? 'default').create(event);
  }

  private async bump(
    key: string, namespace: string, name: string, count: number, ts: string,
    involved: ObjectReference, type: EventType, reason: string, message: string,
  ): Promise<void> {
    try {
      await this.events(namespace).patch(name, 'merge', { count, lastTimestamp: ts, message });
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
      // The event was deleted (events have a TTL): start over with a new one.
      const first = this.seen.get(key)?.firstTimestamp ?? ts;
      await this.create(this.build(name, namespace, involved, type, reason, message, first, ts, count));
    }
  }

  private touch(key: string, entry: Seen): void {
    this.seen.delete(key);
    this.seen.set(key, entry);
    if (this.seen.size > maxCacheEntries) this.seen.delete(this.seen.keys().next().value as string);
  }

  private enqueue(write: () => Promise<void>): void {
    if (this.pending.length >= this.maxQueue) {
      this.log.warn('event queue full; dropping event');
      return;
    }
    this.pending.push(write);
    if (!this.draining) this.draining = this.drain().finally(() => (this.draining = undefined));
  }

  private async drain(): Promise<void> {
    for (let write = this.pending.shift(); write; write = this.pending.shift()) {
      try {
        await write();
      } catch (err) {
        this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'writing event failed');
      }
    }
  }
}
