/**
 * The Deployment controller with the ReplicaSet controller, against a real apiserver and
 * etcd, driven by the real kubectl; a test helper plays the kubelet (pods become Ready
 * shortly after they are created). Each test works in its own namespace.
 */
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventRecorder } from '../../api/events/recorder.js';
import { SharedInformerFactory } from '../../api/informer/factory.js';
import { SharedInformer } from '../../api/informer/informer.js';
import { deployments as deploymentsDef, events as eventsDef, namespaces, pods as podsDef, replicaSets as rsDef } from '../../api/registry.js';
import type { Pod } from '../../api/types/pod.js';
import { DeploymentController } from '../../controllers/deployment/deployment-controller.js';
import { ReplicaSetController } from '../../controllers/replicaset/replicaset-controller.js';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';
import { FakeKubelet } from '../helpers/fake-kubelet.js';
import { waitFor } from '../helpers/wait.js';
import { imagesOf, isReady, livePods, rolloutStatus } from './deployment-helpers.js';

/** Pods with this image never become Ready (a rollout that cannot progress). */
const NEVER_READY = 'tkube-test/never-ready:1';

let cp: TestControlPlane;
let nsCounter = 0;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  cp = await startControlPlane();
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

afterAll(async () => {
  await cp?.stop();
});

/** Both controllers, in-process, with their own informers; stop() is what a crash leaves behind (no cleanup of their work). */
function startControllers(): { stop(): Promise<void> } {
  const logger = pino({ level: process.env.TKUBE_TEST_LOG ?? 'silent' });
  const informers = new SharedInformerFactory(cp.client, { logger });
  const recorders: EventRecorder[] = [];
  const deps = {
    client: cp.client,
    informers,
    logger,
    recorder: (component: string) => {
      const r = new EventRecorder({ client: cp.client, component, logger });
      recorders.push(r);
      return r;
    },
  };
  const abort = new AbortController();
  const runs = [new ReplicaSetController(deps).run(abort.signal, 2), new DeploymentController(deps).run(abort.signal, 2)];
  return {
    async stop() {
      abort.abort();
      await Promise.all(runs);
      await informers.shutdown();
      for (const r of recorders) await r.close();
    },
  };
}

/** A namespace with both controllers and a fake kubelet working in it. */
async function setup(): Promise<{ ns: string; restartControllers(pauseMs: number, whileDown?: () => Promise<void>): Promise<void> }> {
  const ns = `tkube-deploy-${++nsCounter}`;
  await cp.client.resource(namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } as never);
  let controllers = startControllers();
  const kubelet = new FakeKubelet({
    client: cp.client,
    namespace: ns,
    readyDelayMs: 100,
    terminateDelayMs: 50,
    keepNotReady: (pod) => pod.spec.containers.some((c) => c.image === NEVER_READY),
  });
  await kubelet.start();
  cleanups.push(async () => {
    await kubelet.stop();
    await controllers.stop();
  });
  return {
    ns,
    async restartControllers(pauseMs, whileDown) {
      await controllers.stop();
      await whileDown?.();
      await new Promise((r) => setTimeout(r, pauseMs));
      controllers = startControllers();
    },
  };
}

function manifest(name: string, opts: { replicas?: number; image?: string; surge?: number | string; unavailable?: number | string; extraSpec?: string } = {}): string {
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
${opts.extraSpec ?? ''}  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: ${name}
        image: ${opts.image ?? 'nginx:1'}
`;
}



/**
 * Watches the pods of an app and checks, at every event, that the pods not being deleted
 * stay within replicas + maxSurge and the Ready ones stay at replicas − maxUnavailable or more.
 */
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
  return {
    violations,
    observed: () => observed,
    stop: () => informer.stop(),
  };
}

describe('Deployment controller with kubectl', () => {
  it('apply → 5 pods → rollout status; set image rolls out within bounds; history; undo', async () => {
    const { ns } = await setup();
    await cp.kubectl(['-n', ns, 'apply', '-f', '-'], { input: manifest('web') });
    const pods = await waitFor('5 ready pods', async () => {
      const live = await livePods(cp, ns, 'web');
      return live.length === 5 && live.every(isReady) && live;
    });
    expect(pods[0]!.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', controller: true });
    expect(await rolloutStatus(cp, ns, 'web')).toContain('deployment "web" successfully rolled out');

    const deploy = await cp.client.resource(deploymentsDef, ns).get('web');
    expect(deploy.status).toMatchObject({ observedGeneration: 1, replicas: 5, updatedReplicas: 5, readyReplicas: 5, availableReplicas: 5 });
    expect(deploy.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    const rs1 = (await cp.client.resource(rsDef, ns).list()).items[0]!;
    expect(rs1.metadata.name).toBe(`web-${rs1.metadata.labels?.['pod-template-hash']}`);
    const events = await waitFor('the ScalingReplicaSet event', async () => {
      const { stdout } = await cp.kubectl(['-n', ns, 'get', 'events']);
      return stdout.includes('ScalingReplicaSet') && stdout;
    });
    expect(events).toContain(`Scaled up replica set ${rs1.metadata.name} from 0 to 5`);
    const described = (await cp.kubectl(['-n', ns, 'describe', 'deployment', 'web'])).stdout;
    expect(described).toMatch(/Replicas:\s+5 desired \| 5 updated \| 5 total \| 5 available \| 0 unavailable/);
    expect(described).toMatch(/Available\s+True\s+MinimumReplicasAvailable/);
    expect(described).toMatch(/Progressing\s+True\s+NewReplicaSetAvailable/);
    expect(described).toMatch(new RegExp(`NewReplicaSet:\\s+${rs1.metadata.name} \\(5/5 replicas created\\)`));

    // replicas 5, maxSurge 1, maxUnavailable 1.
    const watcher = await watchInvariants(ns, 'web', 6, 4);
    await cp.kubectl(['-n', ns, 'set', 'image', 'deployment/web', 'web=nginx:2']);
    expect(await rolloutStatus(cp, ns, 'web')).toContain('successfully rolled out');
    await watcher.stop();
    expect(watcher.violations).toEqual([]);
    expect(watcher.observed()).toBeGreaterThan(10);
    await waitFor('only nginx:2 pods', async () => {
      const live = await livePods(cp, ns, 'web');
      return live.length === 5 && imagesOf(live).join() === 'nginx:2';
    });

    const history = (await cp.kubectl(['-n', ns, 'rollout', 'history', 'deployment/web'])).stdout;
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE/);
    expect(history).toMatch(/^1\s/m);
    expect(history).toMatch(/^2\s/m);
    const rev1 = (await cp.kubectl(['-n', ns, 'rollout', 'history', 'deployment/web', '--revision=1'])).stdout;
    expect(rev1).toContain('nginx:1');

    await cp.kubectl(['-n', ns, 'rollout', 'undo', 'deployment/web']);
    expect(await rolloutStatus(cp, ns, 'web')).toContain('successfully rolled out');
    await waitFor('nginx:1 pods again', async () => {
      const live = await livePods(cp, ns, 'web');
      return live.length === 5 && imagesOf(live).join() === 'nginx:1';
    });
    const after = (await cp.kubectl(['-n', ns, 'rollout', 'history', 'deployment/web'])).stdout;
    // Revision 1 became revision 3: the history now lists 2 and 3.
    expect(after).toMatch(/^2\s/m);
    expect(after).toMatch(/^3\s/m);
    expect(after).not.toMatch(/^1\s/m);
    const rss = (await cp.client.resource(rsDef, ns).list()).items;
    expect(rss).toHaveLength(2);
    const reused = rss.find((rs) => rs.metadata.uid === rs1.metadata.uid)!;
    expect(reused.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1' });
  });

  it('pause holds a template change back; resume rolls it out; restart makes a new ReplicaSet', async () => {
    const { ns } = await setup();
    await cp.kubectl(['-n', ns, 'apply', '-f', '-'], { input: manifest('api', { replicas: 3 }) });
    await rolloutStatus(cp, ns, 'api');

    await cp.kubectl(['-n', ns, 'rollout', 'pause', 'deployment/api']);
    await cp.kubectl(['-n', ns, 'set', 'image', 'deployment/api', 'api=nginx:2']);
    const paused = await waitFor('the DeploymentPaused condition', async () => {
      const d = await cp.client.resource(deploymentsDef, ns).get('api');
      const c = d.status?.conditions?.find((x) => x.type === 'Progressing');
      return c?.reason === 'DeploymentPaused' && d;
    });
    expect(paused.status?.conditions?.find((x) => x.type === 'Progressing')?.status).toBe('Unknown');
    await new Promise((r) => setTimeout(r, 1000));
    expect((await cp.client.resource(rsDef, ns).list()).items).toHaveLength(1);
    expect(imagesOf(await livePods(cp, ns, 'api'))).toEqual(['nginx:1']);

    await cp.kubectl(['-n', ns, 'rollout', 'resume', 'deployment/api']);
    expect(await rolloutStatus(cp, ns, 'api')).toContain('successfully rolled out');
    await waitFor('nginx:2 pods', async () => imagesOf(await livePods(cp, ns, 'api')).join() === 'nginx:2');

    await cp.kubectl(['-n', ns, 'rollout', 'restart', 'deployment/api']);
    expect(await rolloutStatus(cp, ns, 'api')).toContain('successfully rolled out');
    const rss = (await cp.client.resource(rsDef, ns).list()).items;
    expect(rss).toHaveLength(3);
    const newest = rss.find((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision'] === '3')!;
    expect(newest.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeTruthy();
    expect(newest.spec.replicas).toBe(3);
  });

  it('scaling in the middle of a rollout shares the new size proportionally', async () => {
    const { ns } = await setup();
    await cp.kubectl(['-n', ns, 'apply', '-f', '-'], { input: manifest('mid', { replicas: 10, surge: 3, unavailable: 2 }) });
    await rolloutStatus(cp, ns, 'mid');
    // A rollout that cannot finish: the new pods never become ready.
    await cp.kubectl(['-n', ns, 'set', 'image', 'deployment/mid', `mid=${NEVER_READY}`]);
    // Old 8 + new 5 = 13 = 10 + maxSurge; stuck there.
    const sizes = async () => {
      const rss = (await cp.client.resource(rsDef, ns).list()).items;
      const byImage = (img: string) => rss.find((rs) => rs.spec.template.spec.containers[0]!.image === img)?.spec.replicas;
      return { old: byImage('nginx:1'), cur: byImage(NEVER_READY) };
    };
    let last = {};
    const sizesAre = (old: number, cur: number) =>
      waitFor(`old ${old} / new ${cur}`, async () => {
        const s = await sizes();
        last = s;
        return s.old === old && s.cur === cur;
      }).catch((err: Error) => {
        throw new Error(`${err.message}; last seen ${JSON.stringify(last)}`);
      });
    await sizesAre(8, 5);
    await cp.kubectl(['-n', ns, 'scale', 'deployment/mid', '--replicas=20']);
    // 20 + 5 (25% surge on 20 → maxSurge is 3 here, a count) = 23; 10 to add:
    // old round(8·23/13) − 8 = 6, new round(5·23/13) − 5 = 4.
    await sizesAre(14, 9);
    await cp.kubectl(['-n', ns, 'scale', 'deployment/mid', '--replicas=4']);
    // 4 + 3 = 7; 16 to remove: old (larger) round(14·7/23) − 14 = −10, new round(9·7/23) − 9 = −6.
    // (The rollout then goes on at once: with 4 available and 2 required, old pods may go;
    // so the proportional step is checked in the events.)
    const messages = await waitFor('the proportional scale-down events', async () => {
      const list = await cp.client.resource(eventsDef, ns).list();
      const msgs = list.items.map((e) => String((e as unknown as { message: string }).message));
      return msgs.some((m) => /^Scaled down replica set mid-\w+ from 14 to 4$/.test(m)) && msgs.some((m) => /^Scaled down replica set mid-\w+ from 9 to 3$/.test(m)) && msgs;
    });
    expect(messages.filter((m) => / from 14 to 4$| from 9 to 3$/.test(m))).toHaveLength(2);
    // A fixed image finishes the rollout at the new size.
    await cp.kubectl(['-n', ns, 'set', 'image', 'deployment/mid', 'mid=nginx:3']);
    expect(await rolloutStatus(cp, ns, 'mid')).toContain('successfully rolled out');
    await waitFor('4 nginx:3 pods', async () => {
      const live = await livePods(cp, ns, 'mid');
      return live.length === 4 && imagesOf(live).join() === 'nginx:3';
    });
  });

  it('Recreate: old pods are all gone before any new pod exists', async () => {
    const { ns } = await setup();
    const yaml = manifest('batch', { replicas: 3 }).replace(
      /  strategy:\n    type: RollingUpdate\n    rollingUpdate: .*\n/,
      '  strategy:\n    type: Recreate\n',
    );
    expect(yaml).toContain('type: Recreate');
    await cp.kubectl(['-n', ns, 'apply', '-f', '-'], { input: yaml });
    await rolloutStatus(cp, ns, 'batch');
    const informer = new SharedInformer<Pod>(cp.client.resource(podsDef, ns), { labelSelector: 'app=batch' });
    const overlaps: string[] = [];
    const check = () => {
      const images = imagesOf(informer.store.list()); // terminating pods included: they still run
      if (images.length > 1) overlaps.push(images.join('+'));
    };
    informer.addEventHandler({ onAdd: check, onUpdate: check, onDelete: check });
    informer.run();
    await informer.waitForSync();
    cleanups.push(() => informer.stop());
    await cp.kubectl(['-n', ns, 'set', 'image', 'deployment/batch', 'batch=nginx:2']);
    expect(await rolloutStatus(cp, ns, 'batch')).toContain('successfully rolled out');
    await waitFor('3 nginx:2 pods', async () => {
      const live = await livePods(cp, ns, 'batch');
      return live.length === 3 && imagesOf(live).join() === 'nginx:2';
    });
    expect(overlaps).toEqual([]);
    const { stdout } = await cp.kubectl(['-n', ns, 'get', 'events', '--field-selector', 'involvedObject.kind=Deployment']);
    expect(stdout).toMatch(/Scaled down replica set batch-\w+ from 3 to 0/);
    expect(stdout).toMatch(/Scaled up replica set batch-\w+ from 0 to 3/);
  });

  it('controllers restarted in the middle of a rollout finish it: bounds kept, no duplicate ReplicaSet', async () => {
    const { ns, restartControllers } = await setup();
    await cp.kubectl(['-n', ns, 'apply', '-f', '-'], { input: manifest('big', { replicas: 20, surge: '25%', unavailable: '25%' }) });
    await rolloutStatus(cp, ns, 'big');
    const watcher = await watchInvariants(ns, 'big', 25, 15);
    cleanups.push(() => watcher.stop());
    await cp.kubectl(['-n', ns, 'set', 'image', 'deployment/big', 'big=nginx:2']);
    await waitFor('the rollout under way', async () => {
      const live = await livePods(cp, ns, 'big');
      return live.filter((p) => p.spec.containers[0]!.image === 'nginx:2').length >= 5;
    });
    await restartControllers(300, async () => {
      // Really in the middle: old pods still asked for while the controllers are down.
      const rss = (await cp.client.resource(rsDef, ns).list()).items;
      const old = rss.find((rs) => rs.spec.template.spec.containers[0]!.image === 'nginx:1')!;
      expect(old.spec.replicas).toBeGreaterThan(0);
    });
    expect(await rolloutStatus(cp, ns, 'big')).toContain('successfully rolled out');
    await waitFor('20 nginx:2 pods', async () => {
      const live = await livePods(cp, ns, 'big');
      return live.length === 20 && imagesOf(live).join() === 'nginx:2';
    });
    expect(watcher.violations).toEqual([]);
    const rss = (await cp.client.resource(rsDef, ns).list()).items;
    expect(rss).toHaveLength(2);
  });

  it('adopts a matching orphan ReplicaSet and releases one that stops matching', async () => {
    const { ns } = await setup();
    const orphan = `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: legacy
  labels: {app: adopt}
spec:
  replicas: 2
  selector:
    matchLabels: {app: adopt}
  template:
    metadata:
      labels: {app: adopt}
    spec:
      containers:
      - name: adopt
        image: nginx:0
`;
    await cp.kubectl(['-n', ns, 'apply', '-f', '-'], { input: orphan });
    await cp.kubectl(['-n', ns, 'apply', '-f', '-'], { input: manifest('adopt', { replicas: 2 }) });
    const deploy = await cp.client.resource(deploymentsDef, ns).get('adopt');
    const legacy = await waitFor('the orphan adopted and scaled down', async () => {
      const rs = await cp.client.resource(rsDef, ns).get('legacy');
      return rs.metadata.ownerReferences?.[0]?.uid === deploy.metadata.uid && rs.spec.replicas === 0 && rs;
    });
    expect(legacy.metadata.ownerReferences).toEqual([
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'adopt', uid: deploy.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);
    expect(await rolloutStatus(cp, ns, 'adopt')).toContain('successfully rolled out');
    // The adopted ReplicaSet was revision 0 (none): the deployment's own is revision 1.
    const history = (await cp.kubectl(['-n', ns, 'rollout', 'history', 'deployment/adopt'])).stdout;
    expect(history).toMatch(/^1\s/m);

    await cp.kubectl(['-n', ns, 'label', 'rs', 'legacy', 'app=gone', '--overwrite']);
    await waitFor('the ReplicaSet released', async () => {
      const rs = await cp.client.resource(rsDef, ns).get('legacy');
      return (rs.metadata.ownerReferences ?? []).length === 0;
    });
  });

  it('reports ProgressDeadlineExceeded and kubectl rollout status fails', async () => {
    const { ns } = await setup();
    await cp.kubectl(['-n', ns, 'apply', '-f', '-'], {
      input: manifest('stuck', { replicas: 2, image: NEVER_READY, extraSpec: '  progressDeadlineSeconds: 2\n' }),
    });
    const d = await waitFor(
      'ProgressDeadlineExceeded',
      async () => {
        const dep = await cp.client.resource(deploymentsDef, ns).get('stuck');
        return dep.status?.conditions?.find((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded') && dep;
      },
      15_000,
    );
    const cond = d.status!.conditions!.find((c) => c.type === 'Progressing')!;
    expect(cond.status).toBe('False');
    expect(cond.message).toMatch(/^ReplicaSet "stuck-\w+" has timed out progressing\.$/);
    expect(d.status?.conditions?.find((c) => c.type === 'Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' });
    await expect(rolloutStatus(cp, ns, 'stuck')).rejects.toThrow(/exceeded its progress deadline/);
  });
});
