import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/object-meta.js';
import { startTestEtcd, type TestEtcd } from '../../test/helpers/etcd.js';
import { apiEncoding, EtcdStore, encodeForStorage } from './etcd-store.js';
import { encodedObject } from '../http/encoded-objects.js';

const pod = (name: string, label = 'a'): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { l: label } } }) as KubeObject;

describe('EtcdStore transactions (thin grpc KV client)', () => {
  let etcd: TestEtcd;
  let store: EtcdStore;
  beforeAll(async () => {
    etcd = await startTestEtcd();
    store = new EtcdStore({ endpoints: [etcd.endpoint], logger: pino({ level: 'silent' }) });
  }, 30_000);
  afterAll(async () => {
    await store?.close();
    await etcd?.destroy();
  });

  it('creates once, then reports the key exists', async () => {
    const created = await store.create('/registry/tkube-test/pods/default/p1', pod('p1'));
    expect(created?.metadata.resourceVersion).toMatch(/^\d+$/);
    const read = await store.get('/registry/tkube-test/pods/default/p1');
    expect(read).toEqual(created);
    expect(await store.create('/registry/tkube-test/pods/default/p1', pod('p1', 'b'))).toBeUndefined();
  });

  it('updates only at the expected revision and returns the current object otherwise', async () => {
    const key = '/registry/tkube-test/pods/default/p2';
    const created = (await store.create(key, pod('p2')))!;
    const rev = Number(created.metadata.resourceVersion);
    const updated = await store.update(key, pod('p2', 'b'), rev);
    expect(updated.ok).toBe(true);
    const newRev = updated.ok ? Number(updated.object.metadata.resourceVersion) : 0;
    expect(newRev).toBeGreaterThan(rev);
    const stale = await store.update(key, pod('p2', 'c'), rev);
    expect(stale).toEqual({ ok: false, current: { ...pod('p2', 'b'), metadata: { ...pod('p2', 'b').metadata, resourceVersion: String(newRev) } } });
  });

  it('deletes only at the expected revision', async () => {
    const key = '/registry/tkube-test/pods/default/p3';
    const rev = Number((await store.create(key, pod('p3')))!.metadata.resourceVersion);
    const stale = await store.delete(key, rev - 1);
    expect(stale.ok).toBe(false);
    const done = await store.delete(key, rev);
    expect(done.ok).toBe(true);
    expect(await store.get(key)).toBeUndefined();
    expect(await store.delete(key, rev)).toEqual({ ok: false, current: undefined });
  });

  it('lists a prefix in pages at one revision and continues after a limit', async () => {
    for (let i = 0; i < 5; i++) await store.create(`/registry/tkube-list/pods/ns/p${i}`, pod(`p${i}`));
    const all = await store.list('/registry/tkube-list/');
    expect(all.items.map((o) => o.metadata.name)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    expect(all.revision).toBe(await store.currentRevision());
    const page = await store.list('/registry/tkube-list/', { limit: 2 });
    expect(page.items.map((o) => o.metadata.name)).toEqual(['p0', 'p1']);
    expect(page.remaining).toBe(3);
    const rest = await store.list('/registry/tkube-list/', { startKey: page.nextKey, revision: page.revision });
    expect(rest.items.map((o) => o.metadata.name)).toEqual(['p2', 'p3', 'p4']);
    expect(await store.get('/registry/tkube-list/pods/ns/p9')).toBeUndefined();
  });

  it('attaches a lease to created keys', async () => {
    const lease = await store.grantLease(60);
    const key = '/registry/tkube-test/events/default/e1';
    await store.create(key, pod('e1'), lease);
    const res = await store.client.kv.range({ key: Buffer.from(key) });
    expect(res.kvs[0]?.lease).toBe(lease);
  });
});

describe('storage and API encodings', () => {
  const objects: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ä-π', namespace: 'default', annotations: { note: 'naïve ✓ "quoted"' }, uid: undefined }, spec: { containers: [{ name: 'c', image: 'busybox' }] }, status: undefined } as unknown as KubeObject,
    { kind: 'ConfigMap', metadata: {}, apiVersion: 'v1', data: { 'k€y': 'v' } } as unknown as KubeObject,
    { metadata: { resourceVersion: '7', name: 'x', labels: { a: 'b' } }, apiVersion: 'v1', kind: 'Secret' } as unknown as KubeObject,
  ];

  it('stores the JSON of the object without its resourceVersion', () => {
    for (const obj of objects) {
      const { resourceVersion: _rv, ...meta } = obj.metadata;
      expect(encodeForStorage(obj).toString('utf8')).toBe(JSON.stringify({ ...obj, metadata: meta }));
    }
  });

  it('splices the API encoding at a revision from the storage bytes', () => {
    for (const obj of objects.slice(0, 2)) {
      const spliced = apiEncoding(obj, encodeForStorage(obj), 12345);
      expect(spliced?.toString('utf8')).toBe(JSON.stringify({ ...obj, metadata: { ...obj.metadata, resourceVersion: '12345' } }));
    }
    // The key already exists in metadata (its position would differ): no splice.
    expect(apiEncoding(objects[2]!, encodeForStorage(objects[2]!), 9)).toBeUndefined();
  });

  it('gives a created object the bytes of JSON.stringify', async () => {
    const etcd = await startTestEtcd();
    const store = new EtcdStore({ endpoints: [etcd.endpoint], logger: pino({ level: 'silent' }) });
    try {
      const created = (await store.create('/registry/tkube-test/pods/default/enc', objects[0]!))!;
      expect(encodedObject(created).toString('utf8')).toBe(JSON.stringify(created));
      expect(JSON.parse(encodedObject(created).toString('utf8'))).toEqual(await store.get('/registry/tkube-test/pods/default/enc'));
    } finally {
      await store.close();
      await etcd.destroy();
    }
  }, 30_000);
});
