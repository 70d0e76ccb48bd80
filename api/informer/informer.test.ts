import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeApiServer } from '../client/fake-apiserver.js';
import { KubeClient } from '../client/kube-client.js';
import type { ResourceRef } from '../client/types.js';
import type { KubeObject } from '../meta/object-meta.js';
import { SharedInformerFactory } from './factory.js';
import { byNodeName } from './indexers.js';
import { SharedInformer, deletedObject } from './informer.js';
import { DeletedFinalStateUnknown } from './store.js';

const pods: ResourceRef = { group: '', version: 'v1', plural: 'pods', namespaced: true };
const coll = '/v1/pods';
const pod = (name: string, node = '', ns = 'ns1'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns },
  spec: { nodeName: node },
});

let server: FakeApiServer;
let client: KubeClient;
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  server = await new FakeApiServer().start();
  client = new KubeClient({ server: server.url });
});
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
  server.clearFaults();
  for (const o of (await client.resource(pods).list()).items) server.remove(coll, o.metadata.namespace, o.metadata.name ?? '');
});
afterAll(async () => {
  client.close();
  await server.stop();
});

type Call = [string, string, string?];

function recorder(inf: SharedInformer) {
  const calls: Call[] = [];
  inf.addEventHandler({
    onAdd: (o) => calls.push(['add', o.metadata.name ?? '']),
    onUpdate: (a, b) => calls.push(['update', b.metadata.name ?? '', a === b ? 'resync' : `${a.metadata.resourceVersion}->${b.metadata.resourceVersion}`]),
    onDelete: (o) => calls.push([o instanceof DeletedFinalStateUnknown ? 'tombstone' : 'delete', deletedObject(o).metadata.name ?? '']),
  });
  return calls;
}

function start(inf: SharedInformer): SharedInformer {
  inf.run();
  stops.push(() => inf.stop());
  return inf;
}

async function until(cond: () => boolean, timeoutMs = 4000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const fastBackoff = { initialMs: 10, maxMs: 50 };

describe('SharedInformer', () => {
  it('lists in pages, syncs, then follows the watch', async () => {
    for (let i = 0; i < 5; i++) server.put(coll, pod(`p${i}`, i % 2 ? 'n1' : ''));
    const before = server.requests.length;
    const inf = new SharedInformer(client.resource(pods), { pageSize: 2, backoff: fastBackoff });
    inf.addIndexers({ node: byNodeName });
    const calls = recorder(inf);
    start(inf);
    expect(await inf.waitForSync()).toBe(true);
    expect(inf.hasSynced()).toBe(true);
    const lists = server.requests.slice(before).filter((r) => r.query.get('watch') !== 'true');
    expect(lists.map((r) => r.query.get('limit'))).toEqual(['2', '2', '2']);
    expect(calls.filter((c) => c[0] === 'add')).toHaveLength(5);
    expect(inf.store.byIndex('node', 'n1').map((o) => o.metadata.name).sort()).toEqual(['p1', 'p3']);

    await until(() => server.watchCount() === 1);
    const watchReq = server.requests.filter((r) => r.query.get('watch') === 'true').at(-1)!;
    expect(watchReq.query.get('resourceVersion')).toBe(inf.lastSyncResourceVersion());
    expect(watchReq.query.get('allowWatchBookmarks')).toBe('true');

    calls.length = 0;
    const p0 = server.getStored(coll, 'ns1', 'p0')!;
    server.put(coll, { ...p0, spec: { nodeName: 'n1' } });
    server.put(coll, pod('p9'));
    server.remove(coll, 'ns1', 'p4');
    await until(() => calls.length === 3);
    expect(calls.map((c) => c.slice(0, 2))).toEqual([['update', 'p0'], ['add', 'p9'], ['delete', 'p4']]);
    expect(inf.store.byIndex('node', 'n1').map((o) => o.metadata.name).sort()).toEqual(['p0', 'p1', 'p3']);
    expect(inf.store.get('ns1/p4')).toBeUndefined();
  });

  it('relists on 410 and turns the gap into adds, updates and tombstones', async () => {
    server.put(coll, pod('keep'));
    server.put(coll, pod('change'));
    server.put(coll, pod('vanish'));
    const inf = start(new SharedInformer(client.resource(pods), { backoff: fastBackoff }));
    const calls = recorder(inf);
    await inf.waitForSync();
    await until(() => server.watchCount() === 1);
    calls.length = 0;

    // Cut the watch off and keep it off while things change, then compact the history.
    server.inject((r) => (r.query.get('watch') === 'true' ? { code: 503, body: {} } : undefined));
    server.closeWatches();
    const c = server.getStored(coll, 'ns1', 'change')!;
    server.put(coll, { ...c, spec: { nodeName: 'n9' } });
    server.remove(coll, 'ns1', 'vanish');
    server.put(coll, pod('appear'));
    server.compact();
    const relistsBefore = server.requests.filter((r) => r.query.get('watch') !== 'true').length;
    server.clearFaults();

    await until(() => calls.length === 3);
    expect(calls.map((x) => x.slice(0, 2)).sort()).toEqual([['add', 'appear'], ['tombstone', 'vanish'], ['update', 'change']]);
    expect(server.requests.filter((r) => r.query.get('watch') !== 'true').length).toBe(relistsBefore + 1);
    expect(inf.store.listKeys().sort()).toEqual(['ns1/appear', 'ns1/change', 'ns1/keep']);
  });

  it('relists after an ERROR 410 event on the watch stream', async () => {
    server.put(coll, pod('a'));
    const inf = start(new SharedInformer(client.resource(pods), { backoff: fastBackoff }));
    const calls = recorder(inf);
    await inf.waitForSync();
    await until(() => server.watchCount() === 1);
    const lists = () => server.requests.filter((r) => r.query.get('watch') !== 'true').length;
    const before = lists();
    server.expireWatches();
    await until(() => lists() === before + 1 && server.watchCount() === 1);
    server.put(coll, pod('b'));
    await until(() => calls.some((c) => c[0] === 'add' && c[1] === 'b'));
    expect(calls.filter((c) => c[1] === 'a')).toEqual([['add', 'a']]); // unchanged: no spurious events
  });

  it('backs off and retries when the list fails, and resyncs periodically', async () => {
    server.put(coll, pod('a'));
    let failures = 0;
    server.inject((r) => (r.query.get('watch') !== 'true' && failures++ < 3 ? { code: 500, body: {} } : undefined));
    const inf = start(new SharedInformer(client.resource(pods), { backoff: fastBackoff, resyncPeriodMs: 50 }));
    const calls = recorder(inf);
    expect(await inf.waitForSync()).toBe(true);
    expect(failures).toBeGreaterThanOrEqual(4);
    await until(() => calls.filter((c) => c[2] === 'resync').length >= 2);
  });

  it('keeps going when a handler throws, and hands late handlers the cache', async () => {
    server.put(coll, pod('a'));
    const inf = start(new SharedInformer(client.resource(pods), { backoff: fastBackoff }));
    inf.addEventHandler({ onAdd: () => { throw new Error('bad handler'); } });
    await inf.waitForSync();
    const calls = recorder(inf); // added after sync: sees the cached object as an add
    expect(calls).toEqual([['add', 'a']]);
    await until(() => server.watchCount() === 1);
    server.put(coll, pod('b'));
    await until(() => calls.length === 2);
  });
});

describe('SharedInformerFactory', () => {
  it('shares one informer per resource and scope', async () => {
    const f = new SharedInformerFactory(client, { backoff: fastBackoff });
    stops.push(() => f.shutdown());
    const a = f.informerFor(pods);
    expect(f.informerFor(pods)).toBe(a);
    const scoped = f.informerFor(pods, { namespace: 'ns2' });
    expect(scoped).not.toBe(a);
    server.put(coll, pod('x', '', 'ns1'));
    server.put(coll, pod('y', '', 'ns2'));
    f.start();
    expect(await f.waitForCacheSync()).toBe(true);
    expect(a.store.size).toBe(2);
    expect(scoped.store.listKeys()).toEqual(['ns2/y']);
    const late = f.informerFor(pods, { fieldSelector: 'metadata.name=x' });
    expect(await late.waitForSync()).toBe(true);
    expect(late.store.listKeys()).toEqual(['ns1/x']);
  });
});
