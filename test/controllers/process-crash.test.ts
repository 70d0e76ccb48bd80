/**
 * The `tkube controller-manager` process killed with SIGKILL in the middle of a
 * 50-replica rolling update, then started again: the rollout completes, the pod count
 * never exceeds replicas + maxSurge (nor availability drops below replicas −
 * maxUnavailable), and there is exactly one ReplicaSet per template. Then, with the
 * restarted process, `kubectl delete namespace` removes everything in it.
 * Short leases here (3 s) so that the restarted process need not wait 15 s for the
 * dead one's lease; the default timings are tested in process-leader.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SharedInformer } from '../../api/informer/informer.js';
import { deployments as deploymentsDef, namespaces, pods as podsDef, replicaSets as rsDef } from '../../api/registry.js';
import type { Namespace } from '../../api/types/namespace.js';
import type { Pod } from '../../api/types/pod.js';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';
import { FakeKubelet } from '../helpers/fake-kubelet.js';
import { keepFakeNodeAlive, ProcessGroup, type ControllerManagerProcess } from '../helpers/processes.js';
import { waitFor as waitUntil } from '../helpers/wait.js';
import { isReady } from './deployment-helpers.js';

const NODE = 'tkube-proc-crash-node';
const SHORT_LEASE = ['--leader-elect-lease-duration=3s', '--leader-elect-renew-deadline=2s', '--leader-elect-retry-period=500ms'];

let cp: TestControlPlane;
let group: ProcessGroup;
let cm: ControllerManagerProcess;
let kubelet: FakeKubelet | undefined;
let stopNode: () => void = () => {};
const informers: SharedInformer<never>[] = [];

beforeAll(async () => {
  group = new ProcessGroup();
  cp = await startControlPlane();
  stopNode = await keepFakeNodeAlive(cp.client, NODE);
  kubelet = new FakeKubelet({ client: cp.client, nodeName: NODE, readyDelayMs: 50, terminateDelayMs: 50 });
  await kubelet.start();
  cm = await group.startControllerManager(cp, { args: SHORT_LEASE });
  await waitFor('the controller-manager to lead', () => cm.isLeader());
});

afterAll(async () => {
  stopNode();
  for (const i of informers) await i.stop().catch(() => {});
  await kubelet?.stop();
  await group?.stopAll();
  await cp?.stop();
});

/** The shared waitFor, with the controller-manager's last log lines in the timeout's message. */
async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  return waitUntil(what, fn, timeoutMs).catch((err: Error) => {
    throw new Error(`${err.message}\ncontroller-manager log:\n${cm?.process.logTail(10)}`);
  });
}


async function createNamespace(name: string): Promise<void> {
  await cp.client.resource(namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } } as never);
}

function deployment(name: string, replicas: number, image: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: ${name}}
  strategy:
    rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: ${name}
        image: ${image}
`;
}

async function rolloutStatus(ns: string, name: string): Promise<string> {
  const { stdout } = await cp.kubectl(['-n', ns, 'rollout', 'status', `deployment/${name}`, '--timeout=90s'], { timeoutMs: 100_000 });
  return stdout;
}

describe('controller-manager process crash', () => {
  it('kill -9 in the middle of a 50-replica rolling update: the restarted process completes it within bounds', async () => {
    const ns = 'tkube-proc-crash';
    await createNamespace(ns);
    await cp.kubectl(['-n', ns, 'apply', '-f', '-'], { input: deployment('fifty', 50, 'nginx:1') });
    expect(await rolloutStatus(ns, 'fifty')).toContain('successfully rolled out');

    // 50 replicas, 25 %/25 %: maxSurge ceil(12.5) = 13, maxUnavailable floor(12.5) = 12.
    const informer = new SharedInformer<Pod>(cp.client.resource(podsDef, ns), { labelSelector: 'app=fifty' });
    informers.push(informer as unknown as SharedInformer<never>);
    const violations: string[] = [];
    let maxLive = 0;
    const check = () => {
      const live = informer.store.list().filter((p) => !p.metadata.deletionTimestamp);
      maxLive = Math.max(maxLive, live.length);
      if (live.length > 63) violations.push(`${live.length} pods > 63`);
      const ready = live.filter(isReady).length;
      if (ready < 38) violations.push(`${ready} available < 38`);
    };
    informer.addEventHandler({ onAdd: check, onUpdate: check, onDelete: check });
    informer.run();
    await informer.waitForSync();

    await cp.kubectl(['-n', ns, 'set', 'image', 'deployment/fifty', 'fifty=nginx:2']);
    await waitFor(
      'the rollout under way',
      async () => informer.store.list().filter((p) => p.spec.containers[0]!.image === 'nginx:2').length >= 10,
      30_000,
    );
    await cm.process.kill9();
    // Really in the middle: the old ReplicaSet still has pods to give up.
    const rssAtCrash = (await cp.client.resource(rsDef, ns).list()).items;
    const oldAtCrash = rssAtCrash.find((rs) => rs.spec.template.spec.containers[0]!.image === 'nginx:1');
    expect(oldAtCrash?.spec.replicas ?? 0).toBeGreaterThan(0);

    await cm.process.start();
    expect(await rolloutStatus(ns, 'fifty')).toContain('successfully rolled out');
    await waitFor('50 ready nginx:2 pods and nothing else', async () => {
      const live = informer.store.list().filter((p) => !p.metadata.deletionTimestamp);
      return live.length === 50 && live.every((p) => isReady(p) && p.spec.containers[0]!.image === 'nginx:2');
    });
    expect(violations).toEqual([]);
    expect(maxLive).toBeGreaterThan(50);

    // Exactly one ReplicaSet per template, the old one scaled to 0.
    const rss = (await cp.client.resource(rsDef, ns).list()).items;
    expect(rss).toHaveLength(2);
    const hashes = new Set(rss.map((rs) => rs.metadata.labels?.['pod-template-hash']));
    expect(hashes.size).toBe(2);
    const images = rss.map((rs) => rs.spec.template.spec.containers[0]!.image).sort();
    expect(images).toEqual(['nginx:1', 'nginx:2']);
    expect(rss.find((rs) => rs.spec.template.spec.containers[0]!.image === 'nginx:1')!.spec.replicas).toBe(0);
    const d = await cp.client.resource(deploymentsDef, ns).get('fifty');
    expect(d.status).toMatchObject({ replicas: 50, updatedReplicas: 50, readyReplicas: 50, availableReplicas: 50 });
  });

  it('kubectl delete namespace: everything in it goes, Terminating meanwhile, then the namespace', async () => {
    const ns = 'tkube-proc-ns-delete';
    await createNamespace(ns);
    await cp.kubectl(['-n', ns, 'apply', '-f', '-'], { input: deployment('doomed', 4, 'nginx:1') });
    expect(await rolloutStatus(ns, 'doomed')).toContain('successfully rolled out');
    await cp.kubectl(['-n', ns, 'run', 'lonely', '--image=nginx:1', '--restart=Never']);
    await waitFor('5 pods in the namespace', async () => (await cp.client.resource(podsDef, ns).list()).items.length === 5);

    const phases: string[] = [];
    const nsWatch = new SharedInformer<Namespace>(cp.client.resource(namespaces), { fieldSelector: `metadata.name=${ns}` });
    informers.push(nsWatch as unknown as SharedInformer<never>);
    nsWatch.addEventHandler({ onUpdate: (_o, n) => phases.push(String(n.status?.phase)) });
    nsWatch.run();
    await nsWatch.waitForSync();

    // kubectl waits until the namespace is gone.
    await cp.kubectl(['delete', 'namespace', ns, '--timeout=60s'], { timeoutMs: 70_000 });
    expect(phases).toContain('Terminating');
    await expect(cp.client.resource(namespaces).get(ns)).rejects.toThrow();
    expect((await cp.client.resource(podsDef, ns).list()).items).toHaveLength(0);
    expect((await cp.client.resource(rsDef, ns).list()).items).toHaveLength(0);
    expect((await cp.client.resource(deploymentsDef, ns).list()).items).toHaveLength(0);
  });
});
