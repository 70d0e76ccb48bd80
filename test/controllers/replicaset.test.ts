/**
 * The ReplicaSet controller against a real apiserver and etcd, with a test helper in the
 * kubelet's place. Each test works in its own namespace of one shared control plane.
 */
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../../api/client/kube-client.js';
import { EventRecorder } from '../../api/events/recorder.js';
import { SharedInformerFactory } from '../../api/informer/factory.js';
import { SharedInformer } from '../../api/informer/informer.js';
import { events as eventsDef, namespaces, pods as podsDef, replicaSets as rsDef } from '../../api/registry.js';
import type { Pod } from '../../api/types/pod.js';
import type { ReplicaSet } from '../../api/types/workloads.js';
import { ReplicaSetController } from '../../controllers/replicaset/replicaset-controller.js';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';
import { FakeKubelet } from '../helpers/fake-kubelet.js';
import { waitFor } from '../helpers/wait.js';

let cp: TestControlPlane;
let nsCounter = 0;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  cp = await startControlPlane();
});

// Each test's controllers, kubelets and watchers stop with the test: two controllers
// running at once without leader election would both act on the same ReplicaSets.
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

afterAll(async () => {
  await cp?.stop();
});

async function newNamespace(): Promise<string> {
  const name = `tkube-rs-${++nsCounter}`;
  await cp.client.resource(namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } } as never);
  return name;
}

function startController(client: KubeClient, opts: { burstReplicas?: number } = {}) {
  const logger = pino({ level: process.env.TKUBE_TEST_LOG ?? 'silent' });
  const informers = new SharedInformerFactory(client, { logger });
  const recorders: EventRecorder[] = [];
  const controller = new ReplicaSetController({
    client,
    informers,
    logger,
    recorder: (component) => {
      const r = new EventRecorder({ client, component, logger });
      recorders.push(r);
      return r;
    },
  }, opts);
  const abort = new AbortController();
  informers.start();
  const done = controller.run(abort.signal, 5);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    abort.abort();
    await done;
    await informers.shutdown();
    for (const r of recorders) await r.close();
  };
  cleanups.push(stop);
  return { controller, stop };
}

async function startKubelet(namespace: string, opts: Partial<ConstructorParameters<typeof FakeKubelet>[0]> = {}) {
  const kubelet = new FakeKubelet({ client: cp.client, namespace, ...opts });
  await kubelet.start();
  cleanups.push(() => kubelet.stop());
  return kubelet;
}

function replicaSet(namespace: string, name: string, replicas: number, extra: Partial<ReplicaSet['spec']> = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'registry.local/pause:1' }] } },
      ...extra,
    },
  } as unknown as ReplicaSet;
}

async function listPods(namespace: string): Promise<Pod[]> {
  return (await cp.client.resource(podsDef, namespace).list()).items;
}

const live = (pods: Pod[]) => pods.filter((p) => !p.metadata.deletionTimestamp);


async function waitForStatus(namespace: string, name: string, want: Partial<NonNullable<ReplicaSet['status']>>): Promise<ReplicaSet> {
  return waitFor(`status of ${name} to be ${JSON.stringify(want)}`, async () => {
    const rs = await cp.client.resource(rsDef, namespace).get(name);
    const st = rs.status ?? { replicas: 0 };
    return Object.entries(want).every(([k, v]) => (st as Record<string, unknown>)[k] === v) && rs;
  });
}

/** Records, at every pod event, the most pods not being deleted that existed at once. */
async function watchPeak(namespace: string) {
  const inf = new SharedInformer<Pod>(cp.client.resource(podsDef, namespace));
  let peak = 0;
  const created = new Set<string>();
  const check = () => {
    const n = inf.store.list().filter((p) => !p.metadata.deletionTimestamp).length;
    peak = Math.max(peak, n);
  };
  inf.addEventHandler({ onAdd: (p) => (created.add(p.metadata.uid ?? ''), check()), onUpdate: check, onDelete: check });
  inf.run();
  await inf.waitForSync();
  cleanups.push(() => inf.stop());
  return { peak: () => peak, created: () => created.size, stop: () => inf.stop() };
}

describe('ReplicaSet controller', () => {
  it('creates exactly 5 pods owned by a ReplicaSet of 5 and reports their status', async () => {
    const ns = await newNamespace();
    startController(cp.client);
    await startKubelet(ns);
    const rs = await cp.client.resource(rsDef, ns).create(replicaSet(ns, 'web', 5));
    const done = await waitForStatus(ns, 'web', { replicas: 5, readyReplicas: 5, availableReplicas: 5, fullyLabeledReplicas: 5, observedGeneration: 1 });
    expect(done.status?.conditions).toBeUndefined();
    const pods = await listPods(ns);
    expect(pods).toHaveLength(5);
    for (const p of pods) {
      expect(p.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(p.metadata.labels).toEqual({ app: 'web' });
      expect(p.metadata.ownerReferences).toEqual([
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true },
      ]);
    }
    const evs = await waitFor('5 SuccessfulCreate events', async () => {
      const items = (await cp.client.resource(eventsDef, ns).list()).items as unknown as { reason: string; message: string; involvedObject: { name: string } }[];
      const created = items.filter((e) => e.reason === 'SuccessfulCreate');
      return created.length === 5 && created;
    });
    expect(evs.map((e) => e.message).sort()).toEqual(pods.map((p) => `Created pod: ${p.metadata.name}`).sort());
    expect(evs.every((e) => e.involvedObject.name === 'web')).toBe(true);
    // Stable: nothing more gets created.
    await new Promise((r) => setTimeout(r, 500));
    expect(await listPods(ns)).toHaveLength(5);
  });

  it('scales up and down, deleting not-ready pods first', async () => {
    const ns = await newNamespace();
    startController(cp.client);
    const kubelet = await startKubelet(ns);
    const peak = await watchPeak(ns);
    const api = cp.client.resource(rsDef, ns);
    await api.create(replicaSet(ns, 'app', 3));
    await waitForStatus(ns, 'app', { replicas: 3, readyReplicas: 3 });
    await api.patch('app', 'merge', { spec: { replicas: 6 } });
    await waitForStatus(ns, 'app', { replicas: 6, readyReplicas: 6, observedGeneration: 2 });
    expect(live(await listPods(ns))).toHaveLength(6);

    const [victim] = await listPods(ns);
    await kubelet.setNotReady(ns, victim!.metadata.name!);
    await waitForStatus(ns, 'app', { readyReplicas: 5 });
    await api.patch('app', 'merge', { spec: { replicas: 2 } });
    await waitForStatus(ns, 'app', { replicas: 2, readyReplicas: 2 });
    const remaining = await waitFor('pods to be gone', async () => {
      const pods = await listPods(ns);
      return pods.length === 2 && pods;
    });
    expect(remaining.map((p) => p.metadata.uid)).not.toContain(victim!.metadata.uid);
    expect(peak.peak()).toBe(6);
    expect(peak.created()).toBe(6);
  });

  it('adopts matching orphans and releases pods that stop matching', async () => {
    const ns = await newNamespace();
    startController(cp.client);
    await startKubelet(ns);
    const podsApi = cp.client.resource(podsDef, ns);
    const orphan = await podsApi.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'orphan', namespace: ns, labels: { app: 'adopter' } },
      spec: { containers: [{ name: 'c', image: 'registry.local/pause:1' }] },
    } as unknown as Pod);
    const rs = await cp.client.resource(rsDef, ns).create(replicaSet(ns, 'adopter', 2));
    await waitForStatus(ns, 'adopter', { replicas: 2, readyReplicas: 2 });
    const adopted = await podsApi.get('orphan');
    expect(adopted.metadata.uid).toBe(orphan.metadata.uid);
    expect(adopted.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', name: 'adopter', uid: rs.metadata.uid, controller: true });
    expect(await listPods(ns)).toHaveLength(2);

    // Relabel it: the ReplicaSet lets it go and makes a replacement.
    await podsApi.patch('orphan', 'merge', { metadata: { labels: { app: 'elsewhere' } } });
    const released = await waitFor('release', async () => {
      const p = await podsApi.get('orphan');
      return (p.metadata.ownerReferences ?? []).length === 0 && p;
    });
    expect(released.metadata.labels).toEqual({ app: 'elsewhere' });
    await waitForStatus(ns, 'adopter', { replicas: 2, readyReplicas: 2 });
    expect(await listPods(ns)).toHaveLength(3);
  });

  it('does not count pods being deleted and replaces them at once', async () => {
    const ns = await newNamespace();
    startController(cp.client);
    // A kubelet that takes its time to finish terminating.
    await startKubelet(ns, { terminateDelayMs: 60_000 });
    await cp.client.resource(rsDef, ns).create(replicaSet(ns, 'term', 3));
    await waitForStatus(ns, 'term', { replicas: 3, readyReplicas: 3 });
    const [doomed] = await listPods(ns);
    await cp.client.resource(podsDef, ns).delete(doomed!.metadata.name!, { gracePeriodSeconds: 30 });
    const pods = await waitFor('a replacement', async () => {
      const all = await listPods(ns);
      return live(all).length === 3 && all;
    });
    expect(pods).toHaveLength(4);
    expect(pods.find((p) => p.metadata.uid === doomed!.metadata.uid)?.metadata.deletionTimestamp).toBeTruthy();
    await waitForStatus(ns, 'term', { replicas: 3, readyReplicas: 3 });
  });

  it('never creates beyond replicas when the controller is killed mid-scale and restarted', async () => {
    const ns = await newNamespace();
    const peak = await watchPeak(ns);
    await startKubelet(ns);
    // Bursts of 10 make the scale-up take several syncs, so the stop lands in the middle of it.
    const first = startController(cp.client, { burstReplicas: 10 });
    await cp.client.resource(rsDef, ns).create(replicaSet(ns, 'big', 40));
    await waitFor('some pods', async () => (await listPods(ns)).length >= 10, 20_000);
    await first.stop();
    const atStop = (await listPods(ns)).length;
    expect(atStop).toBeGreaterThan(0);
    expect(atStop).toBeLessThan(40);
    const second = startController(cp.client, { burstReplicas: 10 });
    await waitForStatus(ns, 'big', { replicas: 40, readyReplicas: 40 });
    await new Promise((r) => setTimeout(r, 500));
    expect(await listPods(ns)).toHaveLength(40);
    expect(peak.peak()).toBe(40);
    expect(peak.created()).toBe(40);
    await second.stop();
  });

  it('stops creating the moment it is told to stop (leader lease lost), not after the burst', async () => {
    // The hollow-node runs that stalled at exactly 500 pods: the controller-manager lost its
    // lease during the first burst, and the ReplicaSet controller still finished all 500.
    const ns = await newNamespace();
    const first = startController(cp.client, { burstReplicas: 200 });
    let stopping: Promise<void> | undefined;
    const inf = new SharedInformer<Pod>(cp.client.resource(podsDef, ns));
    inf.addEventHandler({ onAdd: () => void (inf.store.size >= 3 && (stopping ??= first.stop())) });
    inf.run();
    cleanups.push(() => inf.stop());
    await inf.waitForSync();
    await cp.client.resource(rsDef, ns).create(replicaSet(ns, 'burst', 200));
    await waitFor('the controller to stop', async () => stopping !== undefined);
    await stopping;
    const atStop = (await listPods(ns)).length;
    // Slow start had reached its batch of 4, 8 or 16 at most; without the signal all 200 follow.
    expect(atStop).toBeGreaterThanOrEqual(3);
    expect(atStop).toBeLessThan(64);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await listPods(ns)).toHaveLength(atStop);
  });

  it('reports minReadySeconds availability once pods have been ready long enough', async () => {
    const ns = await newNamespace();
    startController(cp.client);
    await startKubelet(ns);
    await cp.client.resource(rsDef, ns).create(replicaSet(ns, 'slow', 2, { minReadySeconds: 2 }));
    const ready = await waitForStatus(ns, 'slow', { replicas: 2, readyReplicas: 2 });
    expect(ready.status?.availableReplicas ?? 0).toBe(0);
    await waitFor('availability', async () => (await cp.client.resource(rsDef, ns).get('slow')).status?.availableReplicas === 2, 10_000);
  });
});
