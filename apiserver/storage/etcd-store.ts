/**
 * Objects in etcd, the Kubernetes way: one key per object under /registry, the
 * object's resourceVersion is the key's mod revision, and every write is a
 * transaction that compares revisions, so concurrent writers get 409 Conflict
 * instead of overwriting each other.
 */
import { noop } from 'cockatiel';
import { Etcd3, type IKeyValue } from 'etcd3';
import type { Logger } from 'pino';
import { ApiError, expired, serviceUnavailable, timeout } from '../../api/meta/errors.js';
import type { KubeObject } from '../../api/meta/object-meta.js';
import { rememberEncoding } from '../http/encoded-objects.js';
import { EtcdKvClient, supportsEndpoints, type RangeRequest, type RangeResponse, type TxnRequest, type TxnResponse } from './etcd-kv-client.js';

/** Keys fetched per etcd range request when listing: keeps every response far below gRPC's 4 MiB limit. */
const LIST_PAGE = 500;

export interface ListResult {
  items: KubeObject[];
  /** The revision the list was read at. */
  revision: number;
  /** Key to continue from (exclusive start is handled by the caller's token), if more remain. */
  nextKey?: string;
  remaining?: number;
}

export interface EtcdStoreOptions {
  endpoints: string[];
  /** Per-call deadline; etcd being down must fail requests fast, not hang them. */
  callTimeoutMs?: number;
  logger: Logger;
  /** Observes every etcd call's latency (for /metrics). */
  onCall?: (op: string, seconds: number) => void;
}

export class EtcdStore {
  readonly client: Etcd3;
  private readonly callTimeoutMs: number;
  private readonly log: Logger;
  private readonly onCall?: (op: string, seconds: number) => void;

  constructor(opts: EtcdStoreOptions) {
    this.onCall = opts.onCall;
    this.callTimeoutMs = opts.callTimeoutMs ?? 5000;
    this.log = opts.logger;
    const grpcOptions = {
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      'grpc.max_send_message_length': 16 * 1024 * 1024,
      // channelz bookkeeping (per-call counters and traces) costs CPU on every etcd call; nothing reads it.
      'grpc.enable_channelz': 0,
    };
    this.client = new Etcd3({
      hosts: opts.endpoints,
      dialTimeout: 2000,
      grpcOptions,
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + this.callTimeoutMs }),
      // No per-host circuit breaker (etcd3's default opens after 3 consecutive failures,
      // deadline overruns included, and then fails every read and lease grant for 5 s):
      // on a loaded machine a few slow reads became whole seconds of failed requests for
      // every client, which is how 3,000 hollow pods stalled. Calls keep their deadline
      // and etcd3's retries; a down etcd still fails each call within its deadline.
      faultHandling: { host: () => noop },
    });
    // Write transactions are the hot path: they skip etcd3's per-call policies (reads, watch and lease stay on etcd3).
    this.kv = supportsEndpoints(opts.endpoints) ? new EtcdKvClient(opts.endpoints, this.callTimeoutMs, grpcOptions) : undefined;
  }

  private readonly kv?: EtcdKvClient;

  async close(): Promise<void> {
    this.kv?.close();
    this.client.close();
  }

  private txn(req: TxnRequest): Promise<TxnResponse> {
    if (this.kv) return this.kv.txn(req);
    return this.client.kv.txn(req) as Promise<TxnResponse>;
  }

  /** Reads stay on etcd3: the thin client measured no cheaper for them, and etcd3 dials with a timeout for readiness checks. */
  private range(req: RangeRequest): Promise<RangeResponse> {
    return this.client.kv.range(req) as Promise<RangeResponse>;
  }

  /** Creates the key only if it does not exist. Returns the stored object with its resourceVersion, or undefined if it exists. */
  /** `value`: the object's storage encoding when the caller already has it (encodeForStorage). */
  async create(key: string, obj: KubeObject, leaseId?: string, value: Buffer = encodeForStorage(obj)): Promise<KubeObject | undefined> {
    const k = Buffer.from(key);
    const res = await this.call('create', () =>
      this.txn({
        compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
        success: [{ request_put: { key: k, value, lease: leaseId } }],
        failure: [],
      }),
    );
    if (!res.succeeded) return undefined;
    const revision = Number(res.header.revision);
    const created = withVersion(obj, revision);
    const bytes = apiEncoding(obj, value, revision);
    if (bytes) rememberEncoding(created, bytes);
    return created;
  }

  async get(key: string, revision?: number): Promise<KubeObject | undefined> {
    const res = await this.call('get', () => this.range({ key: Buffer.from(key), revision }));
    const kv = res.kvs[0];
    return kv ? decodeKv(kv) : undefined;
  }

  /**
   * Replaces the object if its mod revision is still `expectedRevision`.
   * Returns { ok: true, object } or { ok: false, current } (current undefined: the key is gone).
   */
  async update(
    key: string,
    obj: KubeObject,
    expectedRevision: number,
    leaseId?: string,
    value: Buffer = encodeForStorage(obj),
  ): Promise<{ ok: true; object: KubeObject } | { ok: false; current?: KubeObject }> {
    const k = Buffer.from(key);
    const res = await this.call('update', () =>
      this.txn({
        compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedRevision }],
        success: [{ request_put: { key: k, value, lease: leaseId } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (res.succeeded) return { ok: true, object: withVersion(obj, Number(res.header.revision)) };
    const kv = res.responses[0]?.response_range?.kvs[0];
    return { ok: false, current: kv ? decodeKv(kv) : undefined };
  }

  /** Deletes the key if its mod revision is still `expectedRevision`. */
  async delete(
    key: string,
    expectedRevision: number,
  ): Promise<{ ok: true; revision: number } | { ok: false; current?: KubeObject }> {
    const k = Buffer.from(key);
    const res = await this.call('delete', () =>
      this.txn({
        compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedRevision }],
        success: [{ request_delete_range: { key: k } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (res.succeeded) return { ok: true, revision: Number(res.header.revision) };
    const kv = res.responses[0]?.response_range?.kvs[0];
    return { ok: false, current: kv ? decodeKv(kv) : undefined };
  }

  /**
   * Lists keys under `prefix` starting at `startKey` (inclusive) at one revision,
   * paging through etcd so no single response is large. `limit` 0 = everything.
   */
  async list(prefix: string, opts: { limit?: number; startKey?: string; revision?: number; filter?: (o: KubeObject) => boolean } = {}): Promise<ListResult> {
    const end = prefixEnd(Buffer.from(prefix));
    let from = Buffer.from(opts.startKey ?? prefix);
    let revision = opts.revision ?? 0;
    const items: KubeObject[] = [];
    const limit = opts.limit ?? 0;
    for (;;) {
      const res: RangeResponse = await this.call('list', () =>
        this.range({ key: from, range_end: end, limit: LIST_PAGE, revision }),
      );
      if (!revision) revision = Number(res.header.revision);
      for (let i = 0; i < res.kvs.length; i++) {
        const obj = decodeKv(res.kvs[i]!);
        if (opts.filter && !opts.filter(obj)) continue;
        items.push(obj);
        if (limit && items.length === limit) {
          const last = res.kvs[i]!.key;
          const moreInPage = i < res.kvs.length - 1;
          if (moreInPage || res.more) {
            const remaining = Number(res.count) - (i + 1);
            return { items, revision, nextKey: last.toString() + '\x00', remaining: opts.filter ? undefined : remaining };
          }
          return { items, revision };
        }
      }
      if (!res.more || res.kvs.length === 0) return { items, revision };
      from = Buffer.concat([res.kvs[res.kvs.length - 1]!.key, Buffer.from([0])]);
    }
  }

  /** The current etcd revision. */
  async currentRevision(): Promise<number> {
    const res = await this.call('revision', () =>
      this.range({ key: Buffer.from('/registry/'), range_end: Buffer.from('/registry/'), count_only: true }),
    );
    return Number(res.header.revision);
  }

  async compact(revision: number): Promise<void> {
    await this.call('compact', () => this.client.kv.compact({ revision, physical: false }));
    for (const listener of this.compactionListeners) listener(revision);
  }

  private readonly compactionListeners = new Set<(revision: number) => void>();
  /** Tells the watch caches of this apiserver that history before `revision` is gone, so old resourceVersions get 410. */
  onCompacted(listener: (revision: number) => void): () => void {
    this.compactionListeners.add(listener);
    return () => this.compactionListeners.delete(listener);
  }

  /** A lease for keys that expire (events). */
  async grantLease(ttlSeconds: number): Promise<string> {
    const res = await this.call('lease', () => this.client.leaseClient.leaseGrant({ TTL: ttlSeconds }));
    return res.ID;
  }

  async healthy(): Promise<boolean> {
    try {
      await this.currentRevision();
      return true;
    } catch {
      return false;
    }
  }

  /** Runs one etcd call, mapping transport failures to 503/504 and compaction to 410. */
  private async call<T>(op: string, fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await fn();
    } catch (err) {
      throw mapEtcdError(err, op, this.log);
    } finally {
      this.onCall?.(op, (performance.now() - started) / 1000);
    }
  }
}

export function mapEtcdError(err: unknown, op: string, log?: Logger): ApiError {
  if (err instanceof ApiError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/compacted/i.test(message)) {
    return expired(`The resourceVersion for the provided ${op} is too old.`);
  }
  if (/deadline|timed? ?out/i.test(message)) {
    log?.warn({ op, err: message }, 'etcd call timed out');
    return timeout(`etcd ${op} timed out: the storage backend is not responding`);
  }
  log?.warn({ op, err: message }, 'etcd call failed');
  return serviceUnavailable(`storage backend (etcd) unavailable during ${op}: ${message}`);
}

export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

/** Where the metadata object of a storage encoding ends (the byte offset of its closing brace). */
const metadataEnds = new WeakMap<Buffer, number>();

/** The bytes stored in etcd for an object. */
export function encodeForStorage(obj: KubeObject): Buffer {
  // resourceVersion is not stored: it is the key's mod revision.
  const { resourceVersion: _rv, ...meta } = obj.metadata;
  // The same bytes as JSON.stringify({ ...obj, metadata: meta }), built key by key to note
  // where metadata ends, so a create's response can be spliced from them (apiEncoding).
  const record = obj as unknown as Record<string, unknown>;
  let text = '{';
  let metaEnd = -1;
  for (const k of Object.keys(record)) {
    const json = JSON.stringify(k === 'metadata' ? meta : record[k]);
    if (json === undefined) continue;
    text += `${text.length > 1 ? ',' : ''}${JSON.stringify(k)}:${json}`;
    if (k === 'metadata') metaEnd = text.length - 1;
  }
  text += '}';
  const value = Buffer.from(text);
  if (metaEnd >= 0) metadataEnds.set(value, value.length === text.length ? metaEnd : Buffer.byteLength(text.slice(0, metaEnd)));
  return value;
}

/**
 * The API encoding of what `create` returns, from the storage bytes: the same bytes as
 * JSON.stringify(withVersion(obj, revision)), without serialising the object again.
 * Undefined when they would differ (obj's metadata already has a resourceVersion key).
 */
export function apiEncoding(obj: KubeObject, value: Buffer, revision: number): Buffer | undefined {
  const end = metadataEnds.get(value);
  if (end === undefined || Object.prototype.hasOwnProperty.call(obj.metadata, 'resourceVersion')) return undefined;
  const first = value[end - 1] === 0x7b; // metadata was {}
  return Buffer.concat([value.subarray(0, end), Buffer.from(`${first ? '' : ','}"resourceVersion":${JSON.stringify(String(revision))}`), value.subarray(end)]);
}

export function decodeKv(kv: Pick<IKeyValue, 'value' | 'mod_revision'>): KubeObject {
  return decodeValue(kv.value, Number(kv.mod_revision));
}

export function decodeValue(value: Buffer, revision: number): KubeObject {
  const obj = JSON.parse(value.toString('utf8')) as KubeObject;
  obj.metadata.resourceVersion = String(revision);
  return obj;
}

function withVersion(obj: KubeObject, revision: number): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } };
}
