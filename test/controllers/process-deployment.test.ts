/**
 * Deployments driven by the real kubectl against the real `tkube controller-manager`
 * PROCESS (default flags, leader election on), a real apiserver and etcd; a test helper
 * plays the kubelet on a fake node that stays healthy. Each test works in its own namespace.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SharedInformer } from '../../api/informer/informer.js';
import { deployments as deploymentsDef, namespaces, pods as podsDef, replicaSets as rsDef } from '../../api/registry.js';
import type { Pod } from '../../api/types/pod.js';
import type { Deployment } from '../../api/types/workloads.js';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';
import { FakeKubelet } from '../helpers/fake-kubelet.js';
import { keepFakeNodeAlive, ProcessGroup, type ControllerManagerProcess } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';
import { imagesOf, isReady, livePods, rolloutStatus } from './deployment-helpers.js';

/** Pods with this image never become Ready (a rollout that cannot progress). */
const NEVER_READY = 'tkube-test/never-ready:1';
const NODE = 'tkube-proc-node';

let cp: TestControlPlane;
let group: ProcessGroup;
let cm: ControllerManagerProcess;
let stopNode: () => void = () => {};
let nsCounter = 0;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  group = new ProcessGroup();
  cp = await startControlPlane();
  stopNode = await keepFakeNodeAlive(cp.client, NODE);
  cm = await group.startControllerManager(cp);
  await waitFor('the controller-manager to lead', () => cm.isLeader(), 20_000);
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

afterAll(async () => {
  stopNode();
  await group?.stopAll();
  await cp?.stop();
});


/** A namespace with a fake kubelet working in it. */
async function setup(): Promise<string> {
  const ns = `tkube-proc-deploy-${++nsCounter}`;
  await cp.client.resource(namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } as never);
  const kubelet = new FakeKubelet({
    client: cp.client,
    namespace: ns,
    nodeName: NODE,
    readyDelayMs: 100,
    terminateDelayMs: 50,
    keepNotReady: (pod) => pod.spec.containers.some((c) => c.image === NEVER_READY),
  });
  await kubelet.start();
  cleanups.push(() => kubelet.stop());
  return ns;
}

function manifest(name: string, opts: { replicas?: number; image?: string; surge?: number | string; unavailable?: number | string } = {}): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${opts.replicas ?? 5}
  selector:
    matchLabels: {app: ${name}}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: ${JSON.stringify(opts.surge ?? 1)}, maxUnavailable: ${JSON.stringify(opts.unavailable ?? 1)}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: ${name}
        image: ${opts.image ?? 'nginx:1'}
`;
}


async function applyAndRollOut(ns: string, yaml: string, name: string): Promise<void> {
  await cp.kubectl(['-n', ns, 'apply', '-f', '-'], { input: yaml });
  expect(await rolloutStatus(cp, ns, name)).toContain(`deployment "${name}" successfully rolled out`);
}

/** Checks at every observed pod event: live pods ≤ maxPods and Ready pods ≥ minAvailable. */
async function watchInvariants(ns: string, app: string, maxPods: number, minAvailable: number) {
  const informer = new SharedInformer<Pod>(cp.client.resource(podsDef, ns), { labelSelector: `app=${app}` });
  const violations: string[] = [];
  let observed = 0;
  const check = () => {
    observed++;
    const live = informer.store.list().filter((p) => !p.metadata.deletionTimestamp);
    const ready = live.filter(isReady).length;
    if (live.length > maxPods) violations.push(`${live.length} pods > ${maxPods}`);
    if (ready < minAvailable) violations.push(`${ready} available < ${minAvailable}`);
  };
  informer.addEventHandler({ onAdd: check, onUpdate: check, onDelete: check });
  informer.run();
  await informer.waitForSync();
  cleanups.push(() => informer.stop());
  return { violations, observed: () => observed };
}

describe('kubectl against the controller-manager process', () => {
  it('apply 5 → rollout status; set image within bounds; history; undo', async () => {
    const ns = await setup();
    await applyAndRollOut(ns, manifest('web'), 'web');
    const pods = await livePods(cp, ns, 'web');
    expect(pods).toHaveLength(5);
    expect(pods.every(isReady)).toBe(true);
    expect(pods.every((p) => p.spec.nodeName === NODE)).toBe(true);
    expect(pods[0]!.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', controller: true, blockOwnerDeletion: true });

    // replicas 5, maxSurge 1, maxUnavailable 1.
    const watcher = await watchInvariants(ns, 'web', 6, 4);
    await cp.kubectl(['-n', ns, 'set', 'image', 'deployment/web', 'web=nginx:2']);
    expect(await rolloutStatus(cp, ns, 'web')).toContain('successfully rolled out');
    await waitFor('5 nginx:2 pods only', async () => {
      const live = await livePods(cp, ns, 'web');
      return live.length === 5 && imagesOf(live).join() === 'nginx:2';
    });
    expect(watcher.violations).toEqual([]);
    expect(watcher.observed()).toBeGreaterThan(10);

    const history = (await cp.kubectl(['-n', ns, 'rollout', 'history', 'deployment/web'])).stdout;
    expect(history).toMatch(/^1\s/m);
    expect(history).toMatch(/^2\s/m);
    expect((await cp.kubectl(['-n', ns, 'rollout', 'history', 'deployment/web', '--revision=1'])).stdout).toContain('nginx:1');

    await cp.kubectl(['-n', ns, 'rollout', 'undo', 'deployment/web']);
    expect(await rolloutStatus(cp, ns, 'web')).toContain('successfully rolled out');
    await waitFor('5 nginx:1 pods again', async () => {
      const live = await livePods(cp, ns, 'web');
      return live.length === 5 && imagesOf(live).join() === 'nginx:1';
    });
    const after = (await cp.kubectl(['-n', ns, 'rollout', 'history', 'deployment/web'])).stdout;
    expect(after).toMatch(/^2\s/m);
    expect(after).toMatch(/^3\s/m);
    expect(after).not.toMatch(/^1\s/m);
    // Undo reused the first ReplicaSet: still one per template.
    expect((await cp.client.resource(rsDef, ns).list()).items).toHaveLength(2);
    expect(watcher.violations).toEqual([]);
  });

  it('pause holds a change back, resume rolls it out, restart makes a new ReplicaSet', async () => {
    const ns = await setup();
    await applyAndRollOut(ns, manifest('api', { replicas: 3 }), 'api');
    await cp.kubectl(['-n', ns, 'rollout', 'pause', 'deployment/api']);
    await cp.kubectl(['-n', ns, 'set', 'image', 'deployment/api', 'api=nginx:2']);
    await waitFor('the DeploymentPaused condition', async () => {
      const d = await cp.client.resource(deploymentsDef, ns).get('api');
      return d.status?.conditions?.some((c) => c.type === 'Progressing' && c.reason === 'DeploymentPaused');
    });
    await new Promise((r) => setTimeout(r, 1000));
    expect((await cp.client.resource(rsDef, ns).list()).items).toHaveLength(1);
    expect(imagesOf(await livePods(cp, ns, 'api'))).toEqual(['nginx:1']);

    await cp.kubectl(['-n', ns, 'rollout', 'resume', 'deployment/api']);
    expect(await rolloutStatus(cp, ns, 'api')).toContain('successfully rolled out');
    await waitFor('3 nginx:2 pods', async () => {
      const live = await livePods(cp, ns, 'api');
      return live.length === 3 && imagesOf(live).join() === 'nginx:2';
    });

    await cp.kubectl(['-n', ns, 'rollout', 'restart', 'deployment/api']);
    expect(await rolloutStatus(cp, ns, 'api')).toContain('successfully rolled out');
    const rss = (await cp.client.resource(rsDef, ns).list()).items;
    expect(rss).toHaveLength(3);
    const newest = rss.find((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision'] === '3')!;
    expect(newest.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeTruthy();
    expect(newest.spec.replicas).toBe(3);
  });

  it('scale up and down in the middle of a rollout', async () => {
    const ns = await setup();
    await applyAndRollOut(ns, manifest('mid', { replicas: 5, surge: 1, unavailable: 1 }), 'mid');
    // A rollout that cannot finish: its new pods never become ready. 5 + 1 surge = 6 pods: old 4, new 2.
    await cp.kubectl(['-n', ns, 'set', 'image', 'deployment/mid', `mid=${NEVER_READY}`]);
    const sizes = async () => {
      const rss = (await cp.client.resource(rsDef, ns).list()).items;
      const of = (img: string) => rss.find((rs) => rs.spec.template.spec.containers[0]!.image === img)?.spec.replicas ?? -1;
      return { old: of('nginx:1'), cur: of(NEVER_READY) };
    };
    await waitFor('old 4 / new 2', async () => {
      const s = await sizes();
      return s.old === 4 && s.cur === 2;
    });
    // 10 + 1 surge = 11, shared proportionally: both ReplicaSets grow.
    await cp.kubectl(['-n', ns, 'scale', 'deployment/mid', '--replicas=10']);
    const up = await waitFor('11 replicas shared by both ReplicaSets', async () => {
      const s = await sizes();
      return s.old + s.cur === 11 && s.old > 4 && s.cur > 2 && s;
    });
    expect(up.old).toBeGreaterThan(up.cur);
    await waitFor('11 live pods', async () => (await livePods(cp, ns, 'mid')).length === 11);
    // Down to 3: at most 3 + 1 pods are asked for.
    await cp.kubectl(['-n', ns, 'scale', 'deployment/mid', '--replicas=3']);
    await waitFor('at most 4 replicas asked for', async () => {
      const s = await sizes();
      return s.old + s.cur <= 4 && s.old >= 2;
    });
    // A good image finishes the rollout at the new size.
    await cp.kubectl(['-n', ns, 'set', 'image', 'deployment/mid', 'mid=nginx:3']);
    expect(await rolloutStatus(cp, ns, 'mid')).toContain('successfully rolled out');
    await waitFor('3 nginx:3 pods', async () => {
      const live = await livePods(cp, ns, 'mid');
      return live.length === 3 && imagesOf(live).join() === 'nginx:3';
    });
    const d: Deployment = await cp.client.resource(deploymentsDef, ns).get('mid');
    expect(d.status).toMatchObject({ replicas: 3, updatedReplicas: 3, availableReplicas: 3 });
  });

  it('kubectl delete: background (default), foreground and orphan', async () => {
    const ns = await setup();
    for (const name of ['bg', 'fg', 'orph']) await applyAndRollOut(ns, manifest(name, { replicas: 3 }), name);
    const rsOf = async (app: string) => (await cp.client.resource(rsDef, ns).list({ labelSelector: `app=${app}` })).items;

    // Default (background): kubectl returns once the Deployment is gone; the GC removes the rest.
    await cp.kubectl(['-n', ns, 'delete', 'deployment', 'bg']);
    await waitFor('the ReplicaSet and pods of bg gone', async () => (await rsOf('bg')).length === 0 && (await cp.client.resource(podsDef, ns).list({ labelSelector: 'app=bg' })).items.length === 0);

    // Foreground: the Deployment goes only after its dependents, so when kubectl returns
    // (it waits for the object to be gone) no pod or ReplicaSet is left.
    const finalizersSeen = new Set<string>();
    const deployWatch = new SharedInformer<Deployment>(cp.client.resource(deploymentsDef, ns));
    deployWatch.addEventHandler({ onUpdate: (_o, d) => d.metadata.finalizers?.forEach((f) => finalizersSeen.add(f)) });
    deployWatch.run();
    await deployWatch.waitForSync();
    cleanups.push(() => deployWatch.stop());
    await cp.kubectl(['-n', ns, 'delete', 'deployment', 'fg', '--cascade=foreground'], { timeoutMs: 60_000 });
    expect(finalizersSeen.has('foregroundDeletion')).toBe(true);
    expect(await rsOf('fg')).toHaveLength(0);
    expect((await cp.client.resource(podsDef, ns).list({ labelSelector: 'app=fg' })).items).toHaveLength(0);
    await expect(cp.client.resource(deploymentsDef, ns).get('fg')).rejects.toThrow();

    // Orphan: the Deployment goes, its ReplicaSet stays without an ownerReference, its pods stay.
    const podsBefore = (await livePods(cp, ns, 'orph')).map((p) => p.metadata.uid).sort();
    await cp.kubectl(['-n', ns, 'delete', 'deployment', 'orph', '--cascade=orphan']);
    await expect(cp.client.resource(deploymentsDef, ns).get('orph')).rejects.toThrow();
    const [rs, ...more] = await rsOf('orph');
    expect(more).toHaveLength(0);
    expect(rs!.metadata.ownerReferences ?? []).toEqual([]);
    expect(rs!.metadata.finalizers ?? []).not.toContain('orphan');
    await new Promise((r) => setTimeout(r, 1000));
    const podsAfter = await livePods(cp, ns, 'orph');
    expect(podsAfter.map((p) => p.metadata.uid).sort()).toEqual(podsBefore);
    expect(podsAfter.every((p) => p.metadata.ownerReferences?.[0]?.uid === rs!.metadata.uid)).toBe(true);
  });
});
