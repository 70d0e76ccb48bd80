/**
 * The node lifecycle controller against a real apiserver + etcd, with a shortened grace
 * period. The test plays the kubelet: it renews the node's Lease, then stops, then
 * comes back. Expected as in Kubernetes: Ready=Unknown and the unreachable taints while
 * silent, eviction of pods after their tolerationSeconds, untainting on return, and the
 * removal of pods bound to a deleted node.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventRecorder } from '../../api/events/recorder.js';
import { SharedInformerFactory } from '../../api/informer/factory.js';
import { isApiError } from '../../api/meta/errors.js';
import { leases, nodes, pods } from '../../api/registry.js';
import type { Lease } from '../../api/types/lease.js';
import type { Node } from '../../api/types/node.js';
import type { Pod } from '../../api/types/pod.js';
import type { ControllerDeps } from '../../controllers/controller.js';
import { nodeLifecycleControllerFactory } from '../../controllers/nodelifecycle/node-lifecycle-controller.js';
import { TAINT_NOT_READY, TAINT_UNREACHABLE } from '../../controllers/nodelifecycle/taints.js';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';
import { waitFor } from '../helpers/wait.js';

const GRACE_MS = 2_000;
const QUARANTINE_MS = 1_000;
const NS = 'default';
let cp: TestControlPlane;
let stop: () => Promise<void>;

beforeAll(async () => {
  cp = await startControlPlane();
  const logger = pino({ level: process.env.TKUBE_TEST_LOG ?? 'silent' });
  const informers = new SharedInformerFactory(cp.client, { logger });
  const deps: ControllerDeps = { client: cp.client, informers, logger, recorder: (component) => new EventRecorder({ client: cp.client, component, logger }) };
  const abort = new AbortController();
  const running = nodeLifecycleControllerFactory({ gracePeriodMs: GRACE_MS, monitorPeriodMs: 250, orphanQuarantineMs: QUARANTINE_MS })(deps).run(abort.signal, 2);
  stop = async () => {
    abort.abort();
    await running;
    await informers.shutdown();
  };
}, 60_000);

afterAll(async () => {
  await stop?.();
  await cp?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


const nodeApi = () => cp.client.resource(nodes);
const podApi = () => cp.client.resource(pods, NS);
const leaseApi = () => cp.client.resource(leases, 'kube-node-lease');

/** What a kubelet would do: create its Node (Ready) and its Lease. */
async function registerNode(name: string): Promise<void> {
  await nodeApi().create({ apiVersion: 'v1', kind: 'Node', metadata: { name } } as Node);
  await postReady(name, 'True');
  await leaseApi().create({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace: 'kube-node-lease' },
    spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: new Date().toISOString() },
  } as Lease);
}

async function postReady(name: string, status: 'True' | 'False'): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const reason = status === 'True' ? 'KubeletReady' : 'KubeletNotReady';
  await nodeApi().patchStatus(name, 'strategic', {
    status: { conditions: [{ type: 'Ready', status, reason, message: `kubelet says ${status}`, lastHeartbeatTime: now, lastTransitionTime: now }] },
  });
}

/** Renews the node's Lease every 300 ms until the returned function is called. */
function renewLease(name: string): () => Promise<void> {
  let on = true;
  const loop = (async () => {
    while (on) {
      await leaseApi().patch(name, 'merge', { spec: { renewTime: new Date().toISOString() } });
      await sleep(300);
    }
  })();
  return async () => {
    on = false;
    await loop;
  };
}

async function createBoundPod(name: string, nodeName: string, tolerations: Pod['spec']['tolerations'] = []): Promise<void> {
  await podApi().create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS },
    spec: { nodeName, tolerations, containers: [{ name: 'c', image: 'busybox' }] },
  } as unknown as Pod);
}

async function findPod(name: string): Promise<Pod | undefined> {
  try {
    return await podApi().get(name);
  } catch (err) {
    if (isApiError(err, 'NotFound')) return undefined;
    throw err;
  }
}

const taintKeys = (node: Node) => (node.spec.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort();
const ready = (node: Node) => node.status?.conditions?.find((c) => c.type === 'Ready');

describe('node lifecycle controller', () => {
  it('marks a silent node Unknown, taints it, evicts by tolerationSeconds, untaints on return, and removes pods of a deleted node', async () => {
    const N = 'tkube-nl-a';
    await registerNode(N);
    let stopRenewing = renewLease(N);
    await createBoundPod('quick', N, [{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 }]);
    await createBoundPod('patient', N); // the apiserver's default 300 s tolerations
    await createBoundPod('stubborn', N, [{ operator: 'Exists' }]);
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await podApi().patchStatus('patient', 'strategic', { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] } });

    // Renewing: well past the grace period, nothing happens.
    await sleep(GRACE_MS + 1_000);
    let node = await nodeApi().get(N);
    expect(ready(node)?.status).toBe('True');
    expect(node.spec.taints ?? []).toEqual([]);

    // Silence: Ready=Unknown with Kubernetes' reason, and the unreachable taints.
    await stopRenewing();
    const silentSince = Date.now();
    node = await waitFor('the unreachable taint', async () => {
      const n = await nodeApi().get(N);
      return taintKeys(n).includes(`${TAINT_UNREACHABLE}:NoExecute`) ? n : undefined;
    });
    const taintSeenAt = Date.now();
    expect(taintSeenAt - silentSince).toBeGreaterThanOrEqual(GRACE_MS - 500);
    expect(ready(node)).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    expect(taintKeys(node)).toEqual([`${TAINT_UNREACHABLE}:NoExecute`, `${TAINT_UNREACHABLE}:NoSchedule`]);

    // "quick" tolerates the taint for 2 s, then is evicted (graceful deletion begins).
    await waitFor('quick to be evicted', async () => (await findPod('quick'))?.metadata.deletionTimestamp);
    const evictedAfter = Date.now() - taintSeenAt;
    expect(evictedAfter).toBeGreaterThanOrEqual(900); // timeAdded has 1 s precision
    expect(evictedAfter).toBeLessThan(4_000);
    const quick = (await findPod('quick'))!;
    expect(quick.status?.conditions?.find((c) => c.type === 'DisruptionTarget')).toMatchObject({ status: 'True', reason: 'DeletionByTaintManager' });
    const patient = (await findPod('patient'))!;
    expect(patient.metadata.deletionTimestamp).toBeUndefined();
    // Its node cannot vouch for it any more: not Ready (Kubernetes' MarkPodsNotReady).
    expect(patient.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    expect((await findPod('stubborn'))?.metadata.deletionTimestamp).toBeUndefined();

    // Back: lease renewed and Ready=True posted → the taints go.
    stopRenewing = renewLease(N);
    await postReady(N, 'True');
    node = await waitFor('the taints to be removed', async () => {
      const n = await nodeApi().get(N);
      return taintKeys(n).length === 0 ? n : undefined;
    });
    expect(ready(node)?.status).toBe('True');
    await stopRenewing();

    // The node is deleted: after the quarantine every pod bound to it goes, the terminating one included.
    await nodeApi().delete(N);
    const deletedAt = Date.now();
    await waitFor('pods of the deleted node to be removed', async () => {
      const left = await Promise.all(['quick', 'patient', 'stubborn'].map(findPod));
      return left.every((p) => p === undefined);
    });
    expect(Date.now() - deletedAt).toBeGreaterThanOrEqual(QUARANTINE_MS - 100);
  }, 30_000);

  it('taints a node that reports Ready=False as not-ready', async () => {
    const N = 'tkube-nl-b';
    await registerNode(N);
    const stopRenewing = renewLease(N);
    try {
      await postReady(N, 'False');
      const node = await waitFor('the not-ready taint', async () => {
        const n = await nodeApi().get(N);
        return taintKeys(n).includes(`${TAINT_NOT_READY}:NoExecute`) ? n : undefined;
      });
      expect(ready(node)?.status).toBe('False'); // not overwritten: the kubelet is alive
      expect(node.spec.taints?.find((t) => t.effect === 'NoExecute')?.timeAdded).toBeTruthy();
    } finally {
      await stopRenewing();
    }
  });
});
