/**
 * The official JavaScript client's informer (@kubernetes/client-node ListWatch) against
 * tkube: it sees every change in order, keeps doing so across an apiserver restart
 * (re-watching from its last resourceVersion), and relists after a compaction (410).
 */
import { CoreV1Api, KubeConfig, ListWatch, Watch, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';
import { request, sleep } from './rest.js';

const NS = 'tkube-informer';
const PODS = `/api/v1/namespaces/${NS}/pods`;
const COUNTER = 'tkube.test/n';

let cp: TestControlPlane;
let informer: ListWatch<V1Pod>;
/** Every callback, in order: verb, name, counter annotation, resourceVersion. */
const seen: { verb: string; name: string; n?: string; rv: string }[] = [];
let paused = false;

function podBody(name: string, n = '0'): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, annotations: { [COUNTER]: n } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } };
}

/** Sets the counter with a merge patch, retrying while the apiserver is away. */
async function setCounter(name: string, n: number): Promise<void> {
  for (;;) {
    try {
      const res = await request(cp.url, 'PATCH', `${PODS}/${name}`, {
        body: { metadata: { annotations: { [COUNTER]: String(n) } } },
        contentType: 'application/merge-patch+json',
      });
      if (res.status === 200) return;
    } catch {
      /* connection refused during the restart */
    }
    await sleep(50);
  }
}

const names = () =>
  informer
    .list(NS)
    .map((p) => `${p.metadata!.name}=${p.metadata!.annotations?.[COUNTER]}`)
    .sort();
const countersOf = (name: string) => seen.filter((e) => e.name === name && e.verb !== 'delete').map((e) => Number(e.n));

beforeAll(async () => {
  cp = await startControlPlane();
  expect((await request(cp.url, 'POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } })).status).toBe(201);
  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfig);
  // The apiserver serves plain HTTP for now; client-node only allows http:// with skipTLSVerify.
  kc.loadFromOptions({ ...kc, clusters: kc.clusters.map((c) => ({ ...c, skipTLSVerify: true })) });
  const core = kc.makeApiClient(CoreV1Api);
  // What makeInformer builds, typed as the ListWatch so the test can read latestResourceVersion().
  informer = new ListWatch<V1Pod>(PODS, new Watch(kc), () => core.listNamespacedPod({ namespace: NS }), false);
  for (const verb of ['add', 'update', 'delete'] as const) {
    informer.on(verb, (p: V1Pod) => seen.push({ verb, name: p.metadata!.name!, n: p.metadata!.annotations?.[COUNTER], rv: p.metadata!.resourceVersion! }));
  }
  // As client-go's reflector does: after an error, start again (from the last resourceVersion).
  informer.on('error', () => {
    if (!paused) setTimeout(() => void informer.start().catch(() => {}), 200);
  });
  await informer.start();
});
afterAll(async () => {
  paused = true;
  await informer?.stop();
  await cp?.stop();
});

describe('client-node informer', () => {
  it('sees every change in order', async () => {
    await request(cp.url, 'POST', PODS, { body: podBody('a') });
    await request(cp.url, 'POST', PODS, { body: podBody('b') });
    for (let n = 1; n <= 10; n++) await setCounter('a', n);
    const b = await request(cp.url, 'DELETE', `${PODS}/b`);
    expect(b.status).toBe(200);
    await expect.poll(() => names(), { timeout: 10_000 }).toEqual(['a=10']);
    expect(countersOf('a')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(seen.filter((e) => e.name === 'b').map((e) => e.verb)).toEqual(['add', 'delete']);
    const rvs = seen.map((e) => Number(e.rv));
    expect([...rvs].sort((x, y) => x - y)).toEqual(rvs);
  });

  it('keeps every change in order across an apiserver restart', async () => {
    const writer = (async () => {
      for (let n = 11; n <= 40; n++) {
        await setCounter('a', n);
        await sleep(20);
      }
    })();
    await sleep(150);
    await cp.restartApiserver();
    await writer;
    await expect.poll(() => names(), { timeout: 15_000 }).toEqual(['a=40']);
    // No relist happened (it would skip values): every counter value exactly once, in order.
    expect(countersOf('a')).toEqual(Array.from({ length: 41 }, (_, i) => i));
  }, 60_000);

  it('relists after a compaction (410) and ends with the right state', async () => {
    paused = true;
    await informer.stop();
    // While the informer is away: change a, create c, delete a second pod it knew about.
    await request(cp.url, 'POST', PODS, { body: podBody('d', '1') });
    await expect.poll(() => names(), { timeout: 5000 }).toEqual(['a=40']); // it really is not watching
    await setCounter('a', 41);
    await setCounter('a', 42);
    await request(cp.url, 'POST', PODS, { body: podBody('c', '7') });
    await request(cp.url, 'DELETE', `${PODS}/d`);
    const rev = await cp.apiserver.etcd.currentRevision();
    await cp.apiserver.etcd.compact(rev);
    // An old resourceVersion is now refused.
    const rvBefore = informer.latestResourceVersion();
    const stale = await request(cp.url, 'GET', `${PODS}?watch=true&resourceVersion=${rvBefore}&timeoutSeconds=2`);
    expect(stale.status).toBe(200);
    expect(JSON.parse(stale.text.trim().split('\n')[0]!)).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });

    const seenBefore = seen.length;
    paused = false;
    await informer.start();
    await expect.poll(() => names(), { timeout: 10_000 }).toEqual(['a=42', 'c=7']);
    const after = seen.slice(seenBefore);
    // The relist jumps straight to the current state: a=42 (41 was never seen), c added, d never existed for it.
    expect(after.filter((e) => e.name === 'a').map((e) => e.n)).toEqual(['42']);
    expect(after.filter((e) => e.name === 'c').map((e) => e.verb)).toEqual(['add']);
    expect(after.filter((e) => e.name === 'd')).toEqual([]);
    expect(Number(informer.latestResourceVersion())).toBeGreaterThanOrEqual(rev);
    // And it keeps watching afterwards.
    await setCounter('c', 8);
    await expect.poll(() => names(), { timeout: 10_000 }).toEqual(['a=42', 'c=8']);
  }, 60_000);
});
