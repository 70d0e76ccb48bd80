import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/object-meta.js';
import { startTestEtcd, type TestEtcd } from '../../test/helpers/etcd.js';
import { EtcdStore } from './etcd-store.js';
import { WatchCache, type CacheEvent } from './watch-cache.js';

const logger = pino({ level: 'silent' });
let etcd: TestEtcd;
let store: EtcdStore;

const cm = (name: string, v: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default' },
  data: { v },
});

beforeAll(async () => {
  etcd = await startTestEtcd();
  store = new EtcdStore({ endpoints: [etcd.endpoint], logger });
});
afterAll(async () => {
  await store?.close();
  await etcd?.destroy();
});

describe('EtcdStore', () => {
  it('creates once, updates with revision compare, deletes with revision compare', async () => {
    const created = await store.create('/registry/configmaps/default/a', cm('a', '1'));
    expect(created?.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(await store.create('/registry/configmaps/default/a', cm('a', '2'))).toBeUndefined();
    const rv = Number(created!.metadata.resourceVersion);
    const upd = await store.update('/registry/configmaps/default/a', cm('a', '2'), rv);
    expect(upd.ok).toBe(true);
    const stale = await store.update('/registry/configmaps/default/a', cm('a', '3'), rv);
    expect(stale.ok).toBe(false);
    if (!stale.ok) expect(stale.current?.data).toEqual({ v: '2' });
    const got = await store.get('/registry/configmaps/default/a');
    expect(got?.data).toEqual({ v: '2' });
    const del = await store.delete('/registry/configmaps/default/a', Number(got!.metadata.resourceVersion));
    expect(del.ok).toBe(true);
    expect(await store.get('/registry/configmaps/default/a')).toBeUndefined();
  });

  it('pages through large lists at one revision', async () => {
    for (let i = 0; i < 1200; i++) await store.create(`/registry/secrets/ns/s${String(i).padStart(4, '0')}`, cm(`s${i}`, 'x'.repeat(10)));
    const all = await store.list('/registry/secrets/');
    expect(all.items).toHaveLength(1200);
    const page = await store.list('/registry/secrets/', { limit: 700 });
    expect(page.items).toHaveLength(700);
    expect(page.remaining).toBe(500);
    const rest = await store.list('/registry/secrets/', { startKey: page.nextKey, revision: page.revision });
    expect(rest.items).toHaveLength(500);
  });
});

describe('WatchCache', () => {
  it('serves state, replays history after a restart, and follows live events', async () => {
    const before = await store.create('/registry/pods/default/p1', cm('p1', '1'));
    const rv0 = Number(before!.metadata.resourceVersion);
    await store.update('/registry/pods/default/p1', cm('p1', '2'), rv0);
    const cache = new WatchCache({ store, prefix: '/registry/pods/', logger });
    await cache.start();
    expect(cache.list().items.map((o) => o.metadata.name)).toEqual(['p1']);
    // History since rv0 is replayable even though the cache started later.
    await cache.waitForHistory();
    const seen: CacheEvent[] = [];
    const stop = cache.watch(rv0, '/registry/pods/', { onEvent: (e) => seen.push(e), onClose: () => {} });
    expect(seen.map((e) => e.type)).toEqual(['MODIFIED']);
    await store.create('/registry/pods/default/p2', cm('p2', '1'));
    const cur = cache.get('/registry/pods/default/p1')!;
    await store.delete('/registry/pods/default/p1', Number(cur.metadata.resourceVersion));
    await expect.poll(() => seen.map((e) => e.type)).toEqual(['MODIFIED', 'ADDED', 'DELETED']);
    expect(seen[2]!.object.metadata.name).toBe('p1');
    expect(Number(seen[2]!.object.metadata.resourceVersion)).toBe(seen[2]!.revision);
    stop();
    await store.compact(await store.currentRevision());
    const cache2 = new WatchCache({ store, prefix: '/registry/pods/', logger });
    await cache2.start();
    await cache2.waitForHistory();
    expect(() => cache2.watch(rv0, '/registry/pods/', { onEvent: () => {}, onClose: () => {} })).toThrow(/too old/);
    await cache.stop();
    await cache2.stop();
  });
});
