/**
 * An in-memory HTTP server with the Kubernetes REST semantics the machinery's tests
 * need (a test helper, not a product): create/get/list/update/patch(merge)/delete with
 * resourceVersion conflicts, paged lists, label selectors, watches resumed from a
 * resourceVersion with 410 Expired once compacted, bookmarks, and fault injection.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, alreadyExists, conflict, expired, notFound, type Status } from '../meta/errors.js';
import type { KubeObject } from '../meta/object-meta.js';

interface Route {
  collection: string; // "group/version/plural"
  namespace?: string;
  name?: string;
  sub?: string;
}

interface HistoryEntry {
  rev: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  collection: string;
  object: KubeObject;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body?: unknown;
  contentType?: string;
  headers: http.IncomingHttpHeaders;
}

type Fault = (req: RecordedRequest) => { code: number; body?: unknown; headers?: Record<string, string> } | 'reset' | undefined;

function parseRoute(pathname: string): Route | undefined {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api') [group, version, rest] = ['', parts[1] ?? '', parts.slice(2)];
  else if (parts[0] === 'apis') [group, version, rest] = [parts[1] ?? '', parts[2] ?? '', parts.slice(3)];
  else return undefined;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, sub] = rest;
  if (!plural) return undefined;
  return { collection: `${group}/${version}/${plural}`, namespace, name, sub };
}

function matchesLabels(obj: KubeObject, selector: string | null): boolean {
  if (!selector) return true;
  const labels = obj.metadata.labels ?? {};
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    return k !== undefined && labels[k] === v;
  });
}

function matchesFields(obj: KubeObject, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    if (k === 'metadata.name') return obj.metadata.name === v;
    if (k === 'metadata.namespace') return obj.metadata.namespace === v;
    return false;
  });
}

const clone = <T>(x: T): T => structuredClone(x);

function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export class FakeApiServer {
  readonly requests: RecordedRequest[] = [];
  private readonly objects = new Map<string, KubeObject>(); // collection|ns|name
  private readonly history: HistoryEntry[] = [];
  private rev = 1;
  private compacted = 0;
  private uidSeq = 0;
  private readonly watchers = new Set<{ collection: string; ns?: string; res: http.ServerResponse; send(e: HistoryEntry): void }>();
  private readonly server: http.Server;
  private faults: Fault[] = [];
  url = '';

  constructor() {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        res.writeHead(500).end(String(err));
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.closeWatches();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Adds a fault injector consulted before every request (first match wins). */
  inject(fault: Fault): void {
    this.faults.push(fault);
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Drops history up to now: watches from older resourceVersions get 410 Expired. */
  compact(): void {
    this.compacted = this.rev;
    this.history.length = 0;
  }

  /** Ends every open watch stream, as an apiserver does on its watch timeout. */
  closeWatches(): void {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
  }

  watchCount(): number {
    return this.watchers.size;
  }

  currentRevision(): number {
    return this.rev;
  }

  // Direct store access for test setup.
  put(collection: string, obj: KubeObject): KubeObject {
    const key = this.key(collection, obj.metadata.namespace, obj.metadata.name ?? '');
    const existed = this.objects.has(key);
    const stored = clone(obj);
    stored.metadata.uid ??= `uid-${++this.uidSeq}`;
    stored.metadata.resourceVersion = String(++this.rev);
    this.objects.set(key, stored);
    this.record(existed ? 'MODIFIED' : 'ADDED', collection, stored);
    return clone(stored);
  }

  remove(collection: string, namespace: string | undefined, name: string): void {
    const key = this.key(collection, namespace, name);
    const obj = this.objects.get(key);
    if (!obj) return;
    this.objects.delete(key);
    obj.metadata.resourceVersion = String(++this.rev);
    this.record('DELETED', collection, obj);
  }

  getStored(collection: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const o = this.objects.get(this.key(collection, namespace, name));
    return o && clone(o);
  }

  private key(collection: string, ns: string | undefined, name: string): string {
    return `${collection}|${ns ?? ''}|${name}`;
  }

  private record(type: HistoryEntry['type'], collection: string, object: KubeObject): void {
    const entry = { rev: this.rev, type, collection, object: clone(object) };
    this.history.push(entry);
    for (const w of this.watchers) if (w.collection === collection && (!w.ns || w.ns === object.metadata.namespace)) w.send(entry);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      body: text ? (JSON.parse(text) as unknown) : undefined,
      contentType: req.headers['content-type'],
      headers: req.headers,
    };
    this.requests.push(recorded);
    for (const f of this.faults) {
      const out = f(recorded);
      if (out === 'reset') {
        req.socket.destroy();
        return;
      }
      if (out) {
        res.writeHead(out.code, { 'Content-Type': 'application/json', ...out.headers }).end(JSON.stringify(out.body ?? {}));
        return;
      }
    }
    const route = parseRoute(url.pathname);
    try {
      if (!route) throw notFound({ group: '', resource: 'path' }, url.pathname);
      const result = this.serve(route, recorded, res);
      if (result !== undefined) res.writeHead(result.code, { 'Content-Type': 'application/json' }).end(JSON.stringify(result.body));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      res.writeHead(err.code, { 'Content-Type': 'application/json' }).end(JSON.stringify(err.toStatus()));
    }
  }

  private serve(route: Route, req: RecordedRequest, res: http.ServerResponse): { code: number; body: unknown } | undefined {
    const gr = { group: route.collection.split('/')[0] ?? '', resource: route.collection.split('/')[2] ?? '' };
    const key = route.name ? this.key(route.collection, route.namespace, route.name) : '';
    const body = req.body as KubeObject | undefined;
    switch (req.method) {
      case 'GET': {
        if (route.name) {
          const obj = this.objects.get(key);
          if (!obj) throw notFound(gr, route.name);
          return { code: 200, body: obj };
        }
        if (req.query.get('watch') === 'true') {
          this.watch(route, req.query, res);
          return undefined;
        }
        return { code: 200, body: this.list(route, req.query) };
      }
      case 'POST': {
        if (!body) throw new ApiError(400, 'BadRequest', 'no body');
        if (route.sub === 'binding' && route.name) return { code: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } };
        const name = body.metadata.name ?? `${body.metadata.generateName ?? 'x-'}${++this.uidSeq}`;
        const k = this.key(route.collection, route.namespace, name);
        if (this.objects.has(k)) throw alreadyExists(gr, name);
        return { code: 201, body: this.put(route.collection, { ...body, metadata: { ...body.metadata, name, namespace: route.namespace } }) };
      }
      case 'PUT': {
        if (!body || !route.name) throw new ApiError(400, 'BadRequest', 'no body');
        const cur = this.objects.get(key);
        if (!cur) throw notFound(gr, route.name);
        if (body.metadata.resourceVersion && body.metadata.resourceVersion !== cur.metadata.resourceVersion) {
          throw conflict(gr, route.name, 'the object has been modified; please apply your changes to the latest version and try again');
        }
        return { code: 200, body: this.put(route.collection, { ...body, metadata: { ...body.metadata, uid: cur.metadata.uid } }) };
      }
      case 'PATCH': {
        if (!route.name) throw new ApiError(405, 'MethodNotAllowed', 'no name');
        const cur = this.objects.get(key);
        if (!cur) throw notFound(gr, route.name);
        const merged = mergePatch(clone(cur), req.body) as KubeObject;
        return { code: 200, body: this.put(route.collection, merged) };
      }
      case 'DELETE': {
        if (!route.name) {
          const deleted = this.list(route, req.query).items;
          for (const o of deleted) this.remove(route.collection, o.metadata.namespace, o.metadata.name ?? '');
          return { code: 200, body: { kind: 'List', apiVersion: 'v1', metadata: {}, items: deleted } };
        }
        const cur = this.objects.get(key);
        if (!cur) throw notFound(gr, route.name);
        const pre = (req.body as { preconditions?: { resourceVersion?: string; uid?: string } } | undefined)?.preconditions;
        if (pre?.resourceVersion && pre.resourceVersion !== cur.metadata.resourceVersion) throw conflict(gr, route.name, 'precondition failed');
        if (pre?.uid && pre.uid !== cur.metadata.uid) throw conflict(gr, route.name, 'precondition failed');
        this.remove(route.collection, route.namespace, route.name);
        const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200, details: { name: route.name } };
        return { code: 200, body: status };
      }
      default:
        throw new ApiError(405, 'MethodNotAllowed', 'method not allowed');
    }
  }

  private list(route: Route, q: URLSearchParams) {
    const all = [...this.objects.entries()]
      .filter(([k, o]) => k.startsWith(`${route.collection}|`) && (!route.namespace || o.metadata.namespace === route.namespace))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, o]) => o)
      .filter((o) => matchesLabels(o, q.get('labelSelector')) && matchesFields(o, q.get('fieldSelector')));
    const start = Number(q.get('continue') ?? 0);
    const limit = Number(q.get('limit') ?? 0);
    const items = limit > 0 ? all.slice(start, start + limit) : all.slice(start);
    const next = limit > 0 && start + limit < all.length ? String(start + limit) : undefined;
    return {
      kind: 'List',
      apiVersion: 'v1',
      metadata: { resourceVersion: String(this.rev), ...(next ? { continue: next } : {}) },
      items,
    };
  }

  private watch(route: Route, q: URLSearchParams, res: http.ServerResponse): void {
    const from = Number(q.get('resourceVersion') || this.rev);
    if (from < this.compacted) throw expired(`too old resource version: ${from} (${this.compacted})`);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    const ls = q.get('labelSelector');
    const fs = q.get('fieldSelector');
    const w = {
      collection: route.collection,
      ns: route.namespace,
      res,
      send: (e: HistoryEntry) => {
        if (e.rev <= from) return;
        if (!matchesLabels(e.object, ls) || !matchesFields(e.object, fs)) return;
        res.write(JSON.stringify({ type: e.type, object: e.object }) + '\n');
      },
    };
    for (const e of this.history) if (e.collection === route.collection && (!route.namespace || e.object.metadata.namespace === route.namespace)) w.send(e);
    if (q.get('allowWatchBookmarks') === 'true') {
      res.write(JSON.stringify({ type: 'BOOKMARK', object: { kind: 'Bookmark', apiVersion: 'v1', metadata: { resourceVersion: String(this.rev) } } }) + '\n');
    }
    this.watchers.add(w);
    res.on('close', () => this.watchers.delete(w));
  }

  /** Sends an ERROR event (e.g. 410 Expired) on every open watch and ends them. */
  expireWatches(): void {
    for (const w of this.watchers) {
      w.res.end(JSON.stringify({ type: 'ERROR', object: expired('too old resource version').toStatus() }) + '\n');
    }
    this.watchers.clear();
  }
}
