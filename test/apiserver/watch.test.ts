/**
 * Watch semantics: label-selected watches (objects that stop matching are DELETED),
 * bookmarks, timeoutSeconds, and the streaming list (sendInitialEvents) that ends its
 * initial events with an annotated bookmark.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';
import { configMap, openWatch, request, type WatchEvent } from './rest.js';

const NS = 'tkube-watch';
const CM = `/api/v1/namespaces/${NS}/configmaps`;
let cp: TestControlPlane;

const merge = (name: string, patch: object) => request(cp.url, 'PATCH', `${CM}/${name}`, { body: patch, contentType: 'application/merge-patch+json' });
const listRv = async () => ((await request(cp.url, 'GET', CM)).json as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
const summary = (events: WatchEvent[]) => events.filter((e) => e.type !== 'BOOKMARK').map((e) => `${e.type}:${e.object.metadata.name}`);

beforeAll(async () => {
  // No service-account controllers: their kube-root-ca.crt would show in the ConfigMap watches.
  cp = await startControlPlane({ bookmarkIntervalMs: 300, serviceAccountControllers: false });
  expect((await request(cp.url, 'POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } })).status).toBe(201);
});
afterAll(async () => {
  await cp?.stop();
});

describe('watch', () => {
  it('with a label selector: ADDED/MODIFIED, DELETED when an object stops matching, ADDED when it matches again', async () => {
    const w = await openWatch(cp.url, `${CM}?watch=true&labelSelector=app%3Dx&resourceVersion=${await listRv()}`);
    try {
      await request(cp.url, 'POST', CM, { body: configMap('a', {}, { labels: { app: 'x' } }) });
      await request(cp.url, 'POST', CM, { body: configMap('b', {}, { labels: { app: 'y' } }) }); // never matches
      await merge('a', { data: { k: '1' } });
      await merge('a', { metadata: { labels: { app: 'y' } } });
      await merge('a', { data: { k: '2' } }); // not matching: not sent
      await merge('a', { metadata: { labels: { app: 'x' } } });
      await merge('b', { data: { k: '3' } });
      await request(cp.url, 'DELETE', `${CM}/a`);
      await w.waitFor((ev) => summary(ev).length >= 5);
      await new Promise((r) => setTimeout(r, 300));
      expect(summary(w.events)).toEqual(['ADDED:a', 'MODIFIED:a', 'DELETED:a', 'ADDED:a', 'DELETED:a']);
      // The DELETED sent when a stopped matching carries the object as it is now (label app=y).
      expect(w.events.filter((e) => e.type !== 'BOOKMARK')[2]!.object.metadata.labels).toEqual({ app: 'y' });
      expect(w.events.filter((e) => e.type !== 'BOOKMARK')[3]!.object).toMatchObject({ data: { k: '2' } });
    } finally {
      w.close();
    }
  });

  it('a watch on one object by name', async () => {
    await request(cp.url, 'POST', CM, { body: configMap('solo') });
    const w = await openWatch(cp.url, `${CM}?watch=true&fieldSelector=metadata.name%3Dsolo&resourceVersion=${await listRv()}`);
    try {
      await merge('b', { data: { k: '4' } });
      await merge('solo', { data: { k: '1' } });
      await w.waitFor((ev) => summary(ev).length >= 1);
      expect(summary(w.events)).toEqual(['MODIFIED:solo']);
    } finally {
      w.close();
    }
  });

  it('sends BOOKMARKs when allowWatchBookmarks is set, with the current resourceVersion', async () => {
    const w = await openWatch(cp.url, `${CM}?watch=true&allowWatchBookmarks=true&resourceVersion=${await listRv()}`);
    const plain = await openWatch(cp.url, `${CM}?watch=true&resourceVersion=${await listRv()}`);
    try {
      const res = await merge('b', { data: { k: '5' } });
      const rv = Number((res.json as { metadata: { resourceVersion: string } }).metadata.resourceVersion);
      await w.waitFor((ev) => ev.some((e) => e.type === 'BOOKMARK' && Number(e.object.metadata.resourceVersion) >= rv), 8000);
      const bm = w.events.find((e) => e.type === 'BOOKMARK')!;
      expect(bm.object).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1' });
      await plain.waitFor((ev) => ev.length >= 1);
      expect(plain.events.some((e) => e.type === 'BOOKMARK')).toBe(false);
    } finally {
      w.close();
      plain.close();
    }
  });

  it('timeoutSeconds ends the stream', async () => {
    const started = Date.now();
    const w = await openWatch(cp.url, `${CM}?watch=true&timeoutSeconds=1`);
    await w.ended;
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(5000);
    // resourceVersion="" starts with the current objects as ADDED.
    expect(summary(w.events).sort()).toEqual(['ADDED:b', 'ADDED:solo']);
  });

  it('sendInitialEvents=true with resourceVersionMatch=NotOlderThan ends the initial events with an annotated bookmark', async () => {
    const w = await openWatch(cp.url, `${CM}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&resourceVersion=`);
    try {
      await w.waitFor((ev) => ev.some((e) => e.object.metadata.annotations?.['k8s.io/initial-events-end'] === 'true'));
      const endIdx = w.events.findIndex((e) => e.object.metadata.annotations?.['k8s.io/initial-events-end'] === 'true');
      expect(w.events[endIdx]!.type).toBe('BOOKMARK');
      expect(w.events.slice(0, endIdx).map((e) => `${e.type}:${e.object.metadata.name}`).sort()).toEqual(['ADDED:b', 'ADDED:solo']);
      const listed = Number(await listRv());
      expect(Number(w.events[endIdx]!.object.metadata.resourceVersion)).toBeLessThanOrEqual(listed);
      await request(cp.url, 'POST', CM, { body: configMap('later') });
      await w.waitFor((ev) => summary(ev).includes('ADDED:later'));
      expect(w.events.findIndex((e) => e.object.metadata.name === 'later')).toBeGreaterThan(endIdx);
    } finally {
      w.close();
    }
    // sendInitialEvents without NotOlderThan is refused, as Kubernetes' ValidateListOptions refuses it.
    const bad = await request(cp.url, 'GET', `${CM}?watch=true&sendInitialEvents=true`);
    expect(bad.status).toBe(422);
    expect(bad.json).toMatchObject({ kind: 'Status', reason: 'Invalid', details: { kind: 'ListOptions', group: 'meta.k8s.io' } });
  });
});
