/**
 * The garbage collector with the real Deployment and ReplicaSet controllers running
 * beside it, driven by kubectl: the three cascade modes end as in Kubernetes.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventRecorder } from '../../api/events/recorder.js';
import { SharedInformerFactory } from '../../api/informer/factory.js';
import { pods, replicaSets } from '../../api/registry.js';
import type { ControllerDeps } from '../../controllers/controller.js';
import { deploymentControllerFactory } from '../../controllers/deployment/deployment-controller.js';
import { garbageCollectorController } from '../../controllers/garbagecollector/garbage-collector.js';
import { replicaSetControllerFactory } from '../../controllers/replicaset/replicaset-controller.js';
import { waitFor } from '../helpers/wait.js';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';

const NS = 'default';
let cp: TestControlPlane;
let stop: () => Promise<void>;

beforeAll(async () => {
  cp = await startControlPlane();
  const logger = pino({ level: process.env.TKUBE_TEST_LOG ?? 'silent' });
  const informers = new SharedInformerFactory(cp.client, { logger });
  const deps: ControllerDeps = { client: cp.client, informers, logger, recorder: (component) => new EventRecorder({ client: cp.client, component, logger }) };
  const abort = new AbortController();
  const controllers = [garbageCollectorController, replicaSetControllerFactory, deploymentControllerFactory].map((f) => f(deps));
  informers.start();
  const runs = controllers.map((c) => c.run(abort.signal, 2));
  stop = async () => {
    abort.abort();
    await Promise.all(runs);
    await informers.shutdown();
  };
}, 60_000);

afterAll(async () => {
  await stop?.();
  await cp?.stop();
});

const deployment = (name: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: ${NS} }
spec:
  replicas: 3
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec: { containers: [{ name: c, image: busybox }] }
`;

const podsOf = async (app: string) => (await cp.client.resource(pods, NS).list({ labelSelector: `app=${app}` })).items;
const replicaSetsOf = async (app: string) => (await cp.client.resource(replicaSets, NS).list({ labelSelector: `app=${app}` })).items;

async function rollOut(name: string): Promise<void> {
  await cp.kubectl(['apply', '-f', '-'], { input: deployment(name) });
  await waitFor(`3 pods of ${name}`, async () => (await podsOf(name)).length === 3);
}

describe('garbage collection of workloads', () => {
  it('kubectl delete deployment (background) removes its ReplicaSet and pods', async () => {
    await rollOut('bg');
    await cp.kubectl(['delete', 'deployment', 'bg']);
    await waitFor('the ReplicaSet and pods to go', async () => (await replicaSetsOf('bg')).length === 0 && (await podsOf('bg')).length === 0);
  });

  it('--cascade=orphan keeps the ReplicaSet (unowned) and its pods; --cascade=foreground on it then removes pods and ReplicaSet', async () => {
    await rollOut('orph');
    await cp.kubectl(['delete', 'deployment', 'orph', '--cascade=orphan'], { timeoutMs: 20_000 });
    const [rs] = await replicaSetsOf('orph');
    expect(rs?.metadata.ownerReferences ?? []).toEqual([]);
    expect(rs?.metadata.deletionTimestamp).toBeUndefined();
    expect((await podsOf('orph')).length).toBe(3);

    await cp.kubectl(['delete', 'rs', rs!.metadata.name!, '--cascade=foreground'], { timeoutMs: 20_000 });
    expect(await replicaSetsOf('orph')).toEqual([]);
    expect(await podsOf('orph')).toEqual([]);
  });

  it('kubectl delete deployment --cascade=foreground returns once everything is gone', async () => {
    await rollOut('fg');
    await cp.kubectl(['delete', 'deployment', 'fg', '--cascade=foreground'], { timeoutMs: 20_000 });
    expect(await replicaSetsOf('fg')).toEqual([]);
    expect(await podsOf('fg')).toEqual([]);
  });
});
