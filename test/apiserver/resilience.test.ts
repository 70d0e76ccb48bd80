/**
 * Failure and recovery: etcd down (fail fast with 503/504, not ready), etcd back (the
 * apiserver recovers by itself, watches lose nothing), apiserver restart (re-watching
 * from the last resourceVersion gets every event since), compaction (410).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';
import { configMap, openWatch, request, sleep, type WatchEvent } from './rest.js';

const NS = 'tkube-resilience';
const CM = `/api/v1/namespaces/${NS}/configmaps`;
let cp: TestControlPlane;

async function create(name: string): Promise<string> {
  const res = await request(cp.url, 'POST', CM, { body: configMap(name) });
  expect(res.status, res.text).toBe(201);
  return (res.json as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
}
const namesOf = (events: WatchEvent[]) => events.filter((e) => e.type !== 'BOOKMARK').map((e) => `${e.type}:${e.object.metadata.name}`);

beforeAll(async () => {
  // No service-account controllers: their kube-root-ca.crt would show in the ConfigMap watch.
  cp = await startControlPlane({ serviceAccountControllers: false });
  expect((await request(cp.url, 'POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } })).status).toBe(201);
});
afterAll(async () => {
  await cp?.stop();
});

describe('resilience', () => {
  it('etcd down: requests fail fast with 503/504, /readyz fails; etcd back: recovery and no lost watch events', async () => {
    const rv0 = await create('before-outage');
    const watch = await openWatch(cp.url, `${CM}?watch=true&resourceVersion=${rv0}`);
    await create('just-before-outage');
    await watch.waitFor((ev) => namesOf(ev).includes('ADDED:just-before-outage'));

    await cp.etcd.stop();
    for (const [method, path, body] of [
      ['GET', `${CM}/before-outage`, undefined],
      ['GET', CM, undefined],
      ['POST', CM, configMap('during-outage')],
      ['DELETE', `${CM}/before-outage`, undefined],
    ] as const) {
      const started = Date.now();
      const res = await request(cp.url, method, path, { body });
      expect(Date.now() - started, `${method} ${path} took too long`).toBeLessThan(6000);
      expect([503, 504], `${method} ${path}: ${res.text}`).toContain(res.status);
      expect(res.json).toMatchObject({ kind: 'Status', status: 'Failure', code: res.status });
      expect(['ServiceUnavailable', 'Timeout']).toContain(res.json!.reason);
    }
    const ready = await request(cp.url, 'GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.text).toContain('etcd');
    expect((await request(cp.url, 'GET', '/livez')).status).toBe(200);

    await cp.etcd.restart();
    const deadline = Date.now() + 30_000;
    while ((await request(cp.url, 'GET', '/readyz')).status !== 200) {
      if (Date.now() > deadline) throw new Error('apiserver did not become ready after etcd came back');
      await sleep(200);
    }
    // Writes work again, and the watch (still open, or re-opened from its last resourceVersion) sees them all.
    for (let i = 0; i < 5; i++) await create(`after-outage-${i}`);
    let events = watch.events;
    const expected = ['ADDED:just-before-outage', ...Array.from({ length: 5 }, (_, i) => `ADDED:after-outage-${i}`)];
    try {
      await watch.waitFor((ev) => namesOf(ev).includes('ADDED:after-outage-4'), 10_000);
    } catch {
      // The stream ended with the outage: resume from the last resourceVersion seen, as clients do.
      const last = [...watch.events].reverse().find((e) => e.type !== 'ERROR')!.object.metadata.resourceVersion!;
      const again = await openWatch(cp.url, `${CM}?watch=true&resourceVersion=${last}`);
      await again.waitFor((ev) => namesOf(ev).includes('ADDED:after-outage-4'));
      events = [...watch.events, ...again.events];
      again.close();
    }
    watch.close();
    expect(namesOf(events)).toEqual(expected);
    expect(events.some((e) => e.type === 'ERROR')).toBe(false);
  }, 90_000);

  it('an apiserver restart loses nothing: re-watching from the last resourceVersion gets every event since', async () => {
    const rv = await create('r0');
    await create('r1');
    await request(cp.url, 'DELETE', `${CM}/r0`);
    await cp.restartApiserver();
    await create('r2');
    const patched = await request(cp.url, 'PATCH', `${CM}/r1`, { body: { data: { x: 'y' } }, contentType: 'application/merge-patch+json' });
    expect(patched.status).toBe(200);
    const watch = await openWatch(cp.url, `${CM}?watch=true&resourceVersion=${rv}`);
    await watch.waitFor((ev) => ev.length >= 4);
    await sleep(200);
    watch.close();
    expect(namesOf(watch.events)).toEqual(['ADDED:r1', 'DELETED:r0', 'ADDED:r2', 'MODIFIED:r1']);
    const rvs = watch.events.map((e) => Number(e.object.metadata.resourceVersion));
    expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
    expect(rvs[0]).toBeGreaterThan(Number(rv));
  }, 60_000);

  it('after compaction an old resourceVersion gets 410: ERROR event on watch, 410 on list with continue', async () => {
    await create('c0');
    await create('c1');
    const page = await request(cp.url, 'GET', `${CM}?limit=1`);
    expect(page.status).toBe(200);
    const meta = (page.json as { metadata: { continue?: string; resourceVersion: string } }).metadata;
    expect(meta.continue).toBeTruthy();
    const oldRv = meta.resourceVersion;
    await create('after-page');
    await create('after-page-2'); // compaction keeps its own revision: two writes put oldRv+1 out of reach
    await cp.apiserver.etcd.compact(await cp.apiserver.etcd.currentRevision());

    const w = await request(cp.url, 'GET', `${CM}?watch=true&resourceVersion=${oldRv}&timeoutSeconds=5`);
    expect(w.status).toBe(200);
    const lines = w.text.trim().split('\n').map((l) => JSON.parse(l) as WatchEvent);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', status: 'Failure', code: 410, reason: 'Expired' } });

    const cont = await request(cp.url, 'GET', `${CM}?limit=1&continue=${encodeURIComponent(meta.continue!)}`);
    expect(cont.status, cont.text).toBe(410);
    expect(cont.json).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
    const exact = await request(cp.url, 'GET', `${CM}?resourceVersion=${oldRv}&resourceVersionMatch=Exact`);
    expect(exact.status).toBe(410);
    // A fresh list and watch from now work.
    const fresh = await request(cp.url, 'GET', CM);
    expect(fresh.status).toBe(200);
  }, 30_000);
});
