/**
 * A typed client for the Kubernetes REST API. `client.resource(def, namespace)` gives
 * the verbs of one resource; paths follow the Kubernetes layout:
 *   /api/v1/namespaces/{ns}/pods/{name}/status
 *   /apis/apps/v1/namespaces/{ns}/deployments/{name}/scale
 */
import type { Status } from '../meta/errors.js';
import type { KubeList, KubeObject, ObjectMeta } from '../meta/object-meta.js';
import type { ResourceDef } from '../resource.js';
import { loadKubeconfig } from './kubeconfig.js';
import { Transport, type ClientCertificate, type RequestOptions, type TransportOptions } from './transport.js';
import {
  patchContentTypes,
  type DeleteOptions,
  type ListOptions,
  type PatchOptions,
  type PatchType,
  type ResourceRef,
  type Scale,
  type WatchOptions,
  type WriteOptions,
} from './types.js';
import { decodeWatchStream, type TypedWatchEvent } from './watch-decoder.js';

export type KubeClientOptions = TransportOptions;

const podsRef: ResourceRef = { group: '', version: 'v1', plural: 'pods', namespaced: true, kind: 'Pod' };
const eventsRef: ResourceRef = { group: '', version: 'v1', plural: 'events', namespaced: true, kind: 'Event' };

/** /api/v1 or /apis/<group>/<version>, then the namespace segment when there is one. */
export function collectionPath(ref: ResourceRef, namespace?: string): string {
  const root = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  const ns = ref.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${root}${ns}/${ref.plural}`;
}

export function objectPath(ref: ResourceRef, namespace: string | undefined, name: string, subresource?: string): string {
  if (!name) throw new Error(`a ${ref.plural} name is required`);
  const sub = subresource ? `/${subresource}` : '';
  return `${collectionPath(ref, namespace)}/${encodeURIComponent(name)}${sub}`;
}

function writeQuery(o: WriteOptions | undefined) {
  return { dryRun: o?.dryRun, fieldManager: o?.fieldManager, fieldValidation: o?.fieldValidation };
}

function deleteBody(o: DeleteOptions | undefined) {
  const body: Record<string, unknown> = { apiVersion: 'v1', kind: 'DeleteOptions' };
  if (o?.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = o.gracePeriodSeconds;
  if (o?.propagationPolicy) body.propagationPolicy = o.propagationPolicy;
  if (o?.preconditions) body.preconditions = o.preconditions;
  if (o?.dryRun) body.dryRun = [o.dryRun];
  return body;
}

export class ResourceClient<T extends KubeObject = KubeObject> {
  constructor(
    private readonly transport: Transport,
    readonly ref: ResourceRef,
    readonly namespace?: string,
  ) {}

  private ns(obj?: { metadata?: ObjectMeta }): string | undefined {
    if (!this.ref.namespaced) return undefined;
    const ns = this.namespace ?? obj?.metadata?.namespace;
    if (!ns) throw new Error(`${this.ref.plural} is namespaced: a namespace is required`);
    return ns;
  }

  private path(name: string, sub?: string, obj?: { metadata?: ObjectMeta }): string {
    return objectPath(this.ref, this.ns(obj), name, sub);
  }

  private call<R>(req: RequestOptions): Promise<R> {
    return this.transport.json<R>(req);
  }

  get(name: string, opts: { resourceVersion?: string; signal?: AbortSignal } = {}): Promise<T> {
    return this.call({
      method: 'GET',
      path: this.path(name),
      query: { resourceVersion: opts.resourceVersion },
      idempotent: true,
      signal: opts.signal,
    });
  }

  /** One page; across all namespaces when the client has none. */
  list(opts: ListOptions = {}): Promise<KubeList<T>> {
    const { signal, ...query } = opts;
    return this.call({ method: 'GET', path: collectionPath(this.ref, this.namespace), query, idempotent: true, signal });
  }

  /** Every page, following `continue` tokens. */
  async listAll(opts: Omit<ListOptions, 'continue'> = {}): Promise<KubeList<T>> {
    const first = await this.list(opts);
    let page = first;
    while (page.metadata.continue) {
      page = await this.list({ ...opts, continue: page.metadata.continue, resourceVersion: undefined, resourceVersionMatch: undefined });
      first.items.push(...page.items);
    }
    // The consistent snapshot is the first page's resourceVersion.
    first.metadata = { resourceVersion: first.metadata.resourceVersion };
    return first;
  }

  /**
   * Watch events as an async iterator. The request is sent on the first next(); the
   * iterator ends when the server closes the stream or the signal aborts, and closes
   * the connection if the consumer stops early.
   */
  async *watch(opts: WatchOptions = {}): AsyncGenerator<TypedWatchEvent<T>> {
    const { signal, name, ...rest } = opts;
    const fieldSelector = name
      ? [`metadata.name=${name}`, rest.fieldSelector].filter(Boolean).join(',')
      : rest.fieldSelector;
    const query = { ...rest, fieldSelector, watch: true };
    let stream;
    try {
      stream = await this.transport.stream({
        method: 'GET',
        path: collectionPath(this.ref, this.namespace),
        query,
        idempotent: true,
        signal,
      });
    } catch (err) {
      if (signal?.aborted) return;
      throw err;
    }
    try {
      yield* decodeWatchStream<T>(stream);
    } catch (err) {
      if (signal?.aborted) return;
      throw err;
    } finally {
      stream.destroy();
    }
  }

  create(obj: T, opts?: WriteOptions): Promise<T> {
    return this.call({
      method: 'POST',
      path: collectionPath(this.ref, this.ns(obj)),
      query: writeQuery(opts),
      body: obj,
      signal: opts?.signal,
    });
  }

  /** PUT; with metadata.resourceVersion set it is an optimistic-concurrency write (409 on mismatch). */
  update(obj: T, opts?: WriteOptions): Promise<T> {
    return this.put(obj, undefined, opts);
  }

  patch(name: string, type: PatchType, patch: unknown, opts?: PatchOptions): Promise<T> {
    return this.patchSub(name, undefined, type, patch, opts);
  }

  delete(name: string, opts?: DeleteOptions): Promise<T | Status> {
    return this.call({
      method: 'DELETE',
      path: this.path(name),
      query: { dryRun: opts?.dryRun },
      body: deleteBody(opts),
      // Deleting twice is harmless when guarded (the second sees NotFound or a precondition failure).
      idempotent: opts?.preconditions?.uid !== undefined || opts?.preconditions?.resourceVersion !== undefined,
      signal: opts?.signal,
    });
  }

  deleteCollection(opts: Omit<ListOptions, 'signal'> & DeleteOptions = {}): Promise<KubeList<T> | Status> {
    const { labelSelector, fieldSelector, limit, continue: cont, resourceVersion, resourceVersionMatch, timeoutSeconds, signal, ...del } = opts;
    return this.call({
      method: 'DELETE',
      path: collectionPath(this.ref, this.ns()),
      query: { labelSelector, fieldSelector, limit, continue: cont, resourceVersion, resourceVersionMatch, timeoutSeconds, dryRun: del.dryRun },
      body: deleteBody(del),
      signal,
    });
  }

  getStatus(name: string, opts: { signal?: AbortSignal } = {}): Promise<T> {
    return this.call({ method: 'GET', path: this.path(name, 'status'), idempotent: true, signal: opts.signal });
  }

  updateStatus(obj: T, opts?: WriteOptions): Promise<T> {
    return this.put(obj, 'status', opts);
  }

  patchStatus(name: string, type: PatchType, patch: unknown, opts?: PatchOptions): Promise<T> {
    return this.patchSub(name, 'status', type, patch, opts);
  }

  getScale(name: string, opts: { signal?: AbortSignal } = {}): Promise<Scale> {
    return this.call({ method: 'GET', path: this.path(name, 'scale'), idempotent: true, signal: opts.signal });
  }

  updateScale(name: string, scale: Scale, opts?: WriteOptions): Promise<Scale> {
    return this.call({
      method: 'PUT',
      path: this.path(name, 'scale', scale),
      query: writeQuery(opts),
      body: scale,
      idempotent: !!scale.metadata.resourceVersion,
      signal: opts?.signal,
    });
  }

  private put(obj: T, sub: string | undefined, opts?: WriteOptions): Promise<T> {
    const name = obj.metadata.name;
    if (!name) throw new Error('update needs metadata.name');
    return this.call({
      method: 'PUT',
      path: this.path(name, sub, obj),
      query: writeQuery(opts),
      body: obj,
      idempotent: !!obj.metadata.resourceVersion,
      signal: opts?.signal,
    });
  }

  private patchSub(name: string, sub: string | undefined, type: PatchType, patch: unknown, opts?: PatchOptions): Promise<T> {
    return this.call({
      method: 'PATCH',
      path: this.path(name, sub),
      query: { ...writeQuery(opts), force: type === 'apply' && opts?.force ? true : undefined },
      body: patch,
      contentType: patchContentTypes[type],
      signal: opts?.signal,
    });
  }
}

export class KubeClient {
  readonly transport: Transport;
  /** The kubeconfig context's namespace when built from a kubeconfig, else "default". */
  readonly defaultNamespace: string;

  constructor(opts: KubeClientOptions & { namespace?: string }) {
    this.transport = new Transport(opts);
    this.defaultNamespace = opts.namespace ?? 'default';
  }

  static fromKubeconfig(path: string, context?: string, extra: Omit<KubeClientOptions, 'server'> = {}): KubeClient {
    const conn = loadKubeconfig(path, context);
    return new KubeClient({ ...extra, ...conn });
  }

  /** The verbs of one resource; T is inferred from a ResourceDef<T>. */
  resource<T extends KubeObject = KubeObject>(ref: ResourceDef<T> | ResourceRef, namespace?: string): ResourceClient<T> {
    return new ResourceClient<T>(this.transport, ref, namespace);
  }

  /** POST pods/{name}/binding: assigns a pod to a node (what the scheduler does). */
  bind(namespace: string, name: string, nodeName: string, opts?: WriteOptions): Promise<Status> {
    return this.transport.json({
      method: 'POST',
      path: objectPath(podsRef, namespace, name, 'binding'),
      query: writeQuery(opts),
      body: {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name, namespace },
        target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
      },
      signal: opts?.signal,
    });
  }

  /** POST a core/v1 Event into its namespace. */
  createEvent<E extends KubeObject>(event: E, opts?: WriteOptions): Promise<E> {
    return this.resource<E>(eventsRef, event.metadata.namespace || 'default').create(event, opts);
  }

  /** Any other request (discovery, raw paths). */
  request<R>(req: RequestOptions): Promise<R> {
    return this.transport.json<R>(req);
  }

  /** New connections present this client certificate; open ones (watches) finish on the old one. */
  setClientCertificate(client: ClientCertificate): void {
    this.transport.setClientCertificate(client);
  }

  close(): void {
    this.transport.close();
  }
}

