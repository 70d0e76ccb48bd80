import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { ResourceDef } from '../resource.js';
import { ApiError } from '../meta/errors.js';
import type { KubeObject } from '../meta/object-meta.js';
import { FakeApiServer } from './fake-apiserver.js';
import { KubeClient, ResourceClient, collectionPath, objectPath } from './kube-client.js';
import type { ResourceRef } from './types.js';
import type { TypedWatchEvent } from './watch-decoder.js';

const configMaps: ResourceRef = { group: '', version: 'v1', plural: 'configmaps', namespaced: true };
const deployments: ResourceRef = { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true };
const nodes: ResourceRef = { group: '', version: 'v1', plural: 'nodes', namespaced: false };

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}
const cm = (name: string, data: Record<string, string> = {}, labels?: Record<string, string>): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'ns1', ...(labels ? { labels } : {}) },
  data,
});

let server: FakeApiServer;
let client: KubeClient;

beforeAll(async () => {
  server = await new FakeApiServer().start();
  client = new KubeClient({ server: server.url, userAgent: 'tkube-test', token: 'secret' });
});
afterAll(async () => {
  client.close();
  await server.stop();
});

describe('typing', () => {
  it('infers the object type from a ResourceDef', () => {
    const def = { ...configMaps, kind: 'ConfigMap' } as unknown as ResourceDef<ConfigMap>;
    expectTypeOf(client.resource(def, 'x')).toEqualTypeOf<ResourceClient<ConfigMap>>();
    expectTypeOf(client.resource(configMaps)).toEqualTypeOf<ResourceClient<KubeObject>>();
  });
});

describe('paths', () => {
  it('follows the Kubernetes URL layout', () => {
    expect(collectionPath(configMaps, 'a')).toBe('/api/v1/namespaces/a/configmaps');
    expect(collectionPath(configMaps)).toBe('/api/v1/configmaps');
    expect(objectPath(deployments, 'a', 'web', 'scale')).toBe('/apis/apps/v1/namespaces/a/deployments/web/scale');
    expect(objectPath(nodes, 'ignored', 'n1', 'status')).toBe('/api/v1/nodes/n1/status');
  });
});

describe('KubeClient against a fake apiserver', () => {
  it('creates, gets, updates with optimistic concurrency, patches and deletes', async () => {
    const rc = client.resource<ConfigMap>(configMaps, 'ns1');
    const created = await rc.create(cm('a', { x: '1' }));
    expect(created.metadata.resourceVersion).toBeDefined();
    await expect(rc.create(cm('a'))).rejects.toMatchObject({ reason: 'AlreadyExists', code: 409 });

    const got = await rc.get('a');
    expect(got.data).toEqual({ x: '1' });
    const updated = await rc.update({ ...got, data: { x: '2' } });
    // The stale resourceVersion now loses: 409 Conflict, as an ApiError.
    const stale = rc.update({ ...got, data: { x: '3' } });
    await expect(stale).rejects.toBeInstanceOf(ApiError);
    await expect(stale).rejects.toMatchObject({ reason: 'Conflict' });

    const patched = await rc.patch('a', 'merge', { data: { y: 'z' } });
    expect(patched.data).toEqual({ x: '2', y: 'z' });
    expect(Number(patched.metadata.resourceVersion)).toBeGreaterThan(Number(updated.metadata.resourceVersion));
    const patchReq = server.requests.at(-1)!;
    expect(patchReq.contentType).toBe('application/merge-patch+json');

    await expect(rc.delete('a', { preconditions: { resourceVersion: '1' } })).rejects.toMatchObject({ reason: 'Conflict' });
    await rc.delete('a', { propagationPolicy: 'Foreground', gracePeriodSeconds: 0 });
    expect(server.requests.at(-1)!.body).toMatchObject({ kind: 'DeleteOptions', propagationPolicy: 'Foreground', gracePeriodSeconds: 0 });
    await expect(rc.get('a')).rejects.toMatchObject({ reason: 'NotFound', code: 404, message: 'configmaps "a" not found' });
  });

  it('lists with selectors and follows continue tokens', async () => {
    const rc = client.resource<ConfigMap>(configMaps, 'ns1');
    for (let i = 0; i < 5; i++) await rc.create(cm(`l${i}`, {}, { app: i % 2 ? 'odd' : 'even' }));
    const page = await rc.list({ labelSelector: 'app=even', limit: 2 });
    expect(page.items.map((o) => o.metadata.name)).toEqual(['l0', 'l2']);
    expect(page.metadata.continue).toBeTruthy();
    const req = server.requests.at(-1)!;
    expect(req.query.get('labelSelector')).toBe('app=even');
    expect(req.query.get('limit')).toBe('2');
    const all = await rc.listAll({ labelSelector: 'app=even', limit: 2 });
    expect(all.items.map((o) => o.metadata.name)).toEqual(['l0', 'l2', 'l4']);
    expect(all.metadata.resourceVersion).toBe(page.metadata.resourceVersion);
    await rc.deleteCollection({ labelSelector: 'app=odd' });
    expect((await rc.list()).items.map((o) => o.metadata.name)).toEqual(['l0', 'l2', 'l4']);
  });

  it('watches from a resourceVersion, with bookmarks, and stops on abort', async () => {
    const rc = client.resource<ConfigMap>(configMaps, 'ns1');
    const { metadata } = await rc.list();
    const ac = new AbortController();
    const seen: TypedWatchEvent<ConfigMap>[] = [];
    const done = (async () => {
      for await (const e of rc.watch({ resourceVersion: metadata.resourceVersion, allowWatchBookmarks: true, signal: ac.signal })) {
        seen.push(e);
        if (seen.length === 4) ac.abort();
      }
    })();
    await until(() => server.watchCount() === 1);
    await rc.create(cm('w1'));
    await rc.patch('w1', 'merge', { data: { k: 'v' } });
    await rc.delete('w1');
    await done;
    expect(seen.map((e) => e.type)).toEqual(['BOOKMARK', 'ADDED', 'MODIFIED', 'DELETED']);
    await until(() => server.watchCount() === 0);
  });

  it('reports a 410 on a compacted resourceVersion as an Expired ApiError', async () => {
    const rc = client.resource<ConfigMap>(configMaps, 'ns1');
    await rc.create(cm('c1'));
    const old = String(server.currentRevision() - 1);
    server.compact();
    const it = rc.watch({ resourceVersion: old })[Symbol.asyncIterator]();
    await expect(it.next()).rejects.toMatchObject({ code: 410, reason: 'Expired' });
  });

  it('ends a watch when the consumer breaks out, closing the connection', async () => {
    const rc = client.resource<ConfigMap>(configMaps, 'ns1');
    const rv = (await rc.list()).metadata.resourceVersion;
    const consume = (async () => {
      for await (const e of rc.watch({ resourceVersion: rv })) {
        if (e.type === 'ADDED') break;
      }
    })();
    await until(() => server.watchCount() === 1);
    await rc.create(cm('b1'));
    await consume;
    await until(() => server.watchCount() === 0);
  });

  it('sends the bearer token and user agent, and binds pods and records events', async () => {
    await client.bind('ns1', 'p1', 'node-1');
    const req = server.requests.at(-1)!;
    expect(req.headers.authorization).toBe('Bearer secret');
    expect(req.headers['user-agent']).toBe('tkube-test');
    expect(req.path).toBe('/api/v1/namespaces/ns1/pods/p1/binding');
    expect(req.body).toEqual({
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'p1', namespace: 'ns1' },
      target: { apiVersion: 'v1', kind: 'Node', name: 'node-1' },
    });
    const ev = await client.createEvent<KubeObject>({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'e1', namespace: 'ns1' }, reason: 'X' });
    expect(ev.metadata.resourceVersion).toBeDefined();
    expect(server.requests.at(-1)!.path).toBe('/api/v1/namespaces/ns1/events');
  });

  it('uses the status and scale subresources', async () => {
    const rc = client.resource(deployments, 'ns1');
    await rc.create({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } });
    await rc.patchStatus('web', 'merge', { status: { replicas: 2 } });
    expect(server.requests.at(-1)!.path).toBe('/apis/apps/v1/namespaces/ns1/deployments/web/status');
    const st = await rc.getStatus('web');
    expect(st.status).toEqual({ replicas: 2 });
    await rc.updateStatus(st);
    expect(server.requests.at(-1)!).toMatchObject({ method: 'PUT', path: '/apis/apps/v1/namespaces/ns1/deployments/web/status' });
    const scale = await rc.getScale('web');
    expect(server.requests.at(-1)!).toMatchObject({ method: 'GET', path: '/apis/apps/v1/namespaces/ns1/deployments/web/scale' });
    await rc.updateScale('web', { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web', namespace: 'ns1', resourceVersion: scale.metadata.resourceVersion }, spec: { replicas: 3 } });
    expect(server.requests.at(-1)!).toMatchObject({ method: 'PUT', path: '/apis/apps/v1/namespaces/ns1/deployments/web/scale', body: { kind: 'Scale', spec: { replicas: 3 } } });
  });
});

describe('retries', () => {
  it('retries a GET after 503 and connection resets', async () => {
    const rc = client.resource<ConfigMap>(configMaps, 'ns1');
    await rc.create(cm('r1'));
    let n = 0;
    server.inject((req) => (req.path.endsWith('/r1') && req.method === 'GET' && n++ < 2 ? (n === 1 ? 'reset' : { code: 503 }) : undefined));
    const got = await rc.get('r1');
    expect(got.metadata.name).toBe('r1');
    expect(n).toBe(3);
    server.clearFaults();
  });

  it('retries a 429 with Retry-After even for create, but never a create that hit a 500', async () => {
    const rc = client.resource<ConfigMap>(configMaps, 'ns1');
    let n = 0;
    server.inject((req) => (req.method === 'POST' && n++ === 0 ? { code: 429, headers: { 'Retry-After': '0' }, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'TooManyRequests', code: 429, message: 'slow down' } } : undefined));
    await rc.create(cm('r2'));
    expect(n).toBe(2);
    server.clearFaults();

    let posts = 0;
    server.inject((req) => (req.method === 'POST' ? (posts++, { code: 500, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'InternalError', code: 500, message: 'boom' } }) : undefined));
    await expect(rc.create(cm('r3'))).rejects.toMatchObject({ code: 500, reason: 'InternalError', message: 'boom' });
    expect(posts).toBe(1);
    server.clearFaults();
  });

  it('retries on connection refused, then gives up', async () => {
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const c = new KubeClient({ server: `http://127.0.0.1:${port}`, maxRetries: 2 });
    const start = performance.now();
    await expect(c.resource(configMaps, 'x').get('y')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(performance.now() - start).toBeGreaterThanOrEqual(200); // 100 ms + 200 ms of backoff, minus jitter slack
    c.close();
  });

  it('applies the client-side rate limit', async () => {
    const c = new KubeClient({ server: server.url, qps: 20, burst: 1 });
    const rc = c.resource<ConfigMap>(configMaps, 'ns1');
    const start = performance.now();
    for (let i = 0; i < 4; i++) await rc.list();
    expect(performance.now() - start).toBeGreaterThanOrEqual(140);
    c.close();
  });
});

async function until(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
