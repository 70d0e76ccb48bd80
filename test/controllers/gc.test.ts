/**
 * The garbage collector against a real apiserver + etcd, driven by the real kubectl:
 * default (background), --cascade=orphan and --cascade=foreground deletions of a
 * ReplicaSet whose pods name it as their controller.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventRecorder } from '../../api/events/recorder.js';
import { SharedInformerFactory } from '../../api/informer/factory.js';
import { isApiError } from '../../api/meta/errors.js';
import type { KubeObject, OwnerReference } from '../../api/meta/object-meta.js';
import { deployments, pods, replicaSets } from '../../api/registry.js';
import type { ControllerDeps } from '../../controllers/controller.js';
import { garbageCollectorController } from '../../controllers/garbagecollector/garbage-collector.js';
import type { ResourceDef } from '../../api/resource.js';
import type { Pod } from '../../api/types/pod.js';
import type { Deployment, ReplicaSet } from '../../api/types/workloads.js';
import { waitFor } from '../helpers/wait.js';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';

const NS = 'default';
let cp: TestControlPlane;
let stopGc: () => Promise<void>;

beforeAll(async () => {
  cp = await startControlPlane();
  // Left behind while no collector ran: its owner is gone before the collector starts.
  const gone = await createReplicaSet('gone-before-start');
  await createPods(gone, 1);
  await cp.client.resource(replicaSets, NS).delete('gone-before-start');
  const logger = pino({ level: process.env.TKUBE_TEST_LOG ?? 'silent' });
  const informers = new SharedInformerFactory(cp.client, { logger });
  const deps: ControllerDeps = { client: cp.client, informers, logger, recorder: (component) => new EventRecorder({ client: cp.client, component, logger }) };
  const abort = new AbortController();
  const running = garbageCollectorController(deps).run(abort.signal, 2);
  stopGc = async () => {
    abort.abort();
    await running;
    await informers.shutdown();
  };
}, 60_000);

afterAll(async () => {
  await stopGc?.();
  await cp?.stop();
});

function ownerRef(obj: KubeObject): OwnerReference {
  return { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name!, uid: obj.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

async function createReplicaSet(name: string, owner?: KubeObject): Promise<KubeObject> {
  const rs = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: NS, ownerReferences: owner ? [ownerRef(owner)] : undefined },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    },
  };
  return cp.client.resource(replicaSets, NS).create(rs as unknown as ReplicaSet);
}

async function createPods(owner: KubeObject, n: number, extraOwners: OwnerReference[] = []): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${owner.metadata.name}-${i}`, namespace: NS, labels: { app: owner.metadata.name! }, ownerReferences: [ownerRef(owner), ...extraOwners] },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    };
    names.push((await cp.client.resource(pods, NS).create(pod as unknown as Pod)).metadata.name!);
  }
  return names;
}

async function exists(def: ResourceDef, name: string): Promise<KubeObject | undefined> {
  try {
    return await cp.client.resource(def, NS).get(name);
  } catch (err) {
    if (isApiError(err, 'NotFound')) return undefined;
    throw err;
  }
}

async function allGone(def: ResourceDef, names: string[]): Promise<boolean> {
  for (const n of names) if (await exists(def, n)) return false;
  return true;
}

describe('garbage collector', () => {
  it('collects dependents whose owner vanished before it started (level-triggered)', async () => {
    await waitFor('the leftover pod to be collected', () => allGone(pods, ['gone-before-start-0']));
  });

  it('kubectl delete rs (background) removes its pods', async () => {
    const rs = await createReplicaSet('bg');
    const names = await createPods(rs, 3);
    await cp.kubectl(['delete', 'rs', 'bg', '-n', NS]);
    await waitFor('pods of bg to be collected', () => allGone(pods, names));
  });

  it('kubectl delete rs --cascade=orphan returns and leaves the pods without the owner reference', async () => {
    const rs = await createReplicaSet('orph');
    const names = await createPods(rs, 2);
    await cp.kubectl(['delete', 'rs', 'orph', '-n', NS, '--cascade=orphan'], { timeoutMs: 15_000 });
    expect(await exists(replicaSets, 'orph')).toBeUndefined();
    for (const n of names) {
      const pod = await exists(pods, n);
      expect(pod?.metadata.deletionTimestamp).toBeUndefined();
      expect(pod?.metadata.ownerReferences ?? []).toEqual([]);
    }
  });

  it('kubectl delete rs --cascade=foreground deletes the pods first, then the owner', async () => {
    const rs = await createReplicaSet('fg');
    const names = await createPods(rs, 3);
    // Watch the owner: while it is still stored, it must be the pods that go first.
    const podsAtOwnerRemoval: number[] = [];
    const abort = new AbortController();
    const watching = (async () => {
      for await (const e of cp.client.resource(replicaSets, NS).watch({ name: 'fg', resourceVersion: rs.metadata.resourceVersion, signal: abort.signal })) {
        if (e.type === 'DELETED') {
          const left = await Promise.all(names.map((n) => exists(pods, n)));
          podsAtOwnerRemoval.push(left.filter(Boolean).length);
          return;
        }
      }
    })();
    await cp.kubectl(['delete', 'rs', 'fg', '-n', NS, '--cascade=foreground'], { timeoutMs: 15_000 });
    await waitFor('owner deletion seen', async () => podsAtOwnerRemoval.length > 0);
    abort.abort();
    await watching;
    expect(podsAtOwnerRemoval).toEqual([0]);
    expect(await allGone(pods, names)).toBe(true);
    expect(await exists(replicaSets, 'fg')).toBeUndefined();
  });

  it('foreground deletion cascades through a chain (Deployment → ReplicaSet → pods)', async () => {
    const deploy = await cp.client.resource(deployments, NS).create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'chain', namespace: NS },
      spec: { replicas: 1, selector: { matchLabels: { app: 'chain' } }, template: { metadata: { labels: { app: 'chain' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    } as unknown as Deployment);
    const rs = await createReplicaSet('chain-rs', deploy);
    const names = await createPods(rs, 2);
    await cp.kubectl(['delete', 'deployment', 'chain', '-n', NS, '--cascade=foreground'], { timeoutMs: 15_000 });
    expect(await exists(deployments, 'chain')).toBeUndefined();
    expect(await exists(replicaSets, 'chain-rs')).toBeUndefined();
    expect(await allGone(pods, names)).toBe(true);
  });

  it('keeps a dependent that still has an owner, dropping the reference to the deleted one', async () => {
    const a = await createReplicaSet('owner-a');
    const b = await createReplicaSet('owner-b');
    const [name] = await createPods(a, 1, [{ ...ownerRef(b), controller: false }]);
    await cp.kubectl(['delete', 'rs', 'owner-a', '-n', NS]);
    const pod = await waitFor('the reference to owner-a to be removed', async () => {
      const p = await exists(pods, name!);
      return p && (p.metadata.ownerReferences ?? []).length === 1 ? p : undefined;
    });
    expect(pod.metadata.ownerReferences?.[0]?.uid).toBe(b.metadata.uid);
    expect(pod.metadata.deletionTimestamp).toBeUndefined();
  });

  it('ignores owner references to kinds the server does not serve', async () => {
    const widget: OwnerReference = { apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: 'no-such-uid' };
    const pod = await cp.client.resource(pods, NS).create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'widget-child', namespace: NS, ownerReferences: [widget] },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    } as unknown as Pod);
    // A dependent with a vanished owner created after it is collected; by then the widget child has been judged too.
    const rs = await createReplicaSet('marker');
    const [marker] = await createPods(rs, 1);
    await cp.client.resource(replicaSets, NS).delete('marker');
    await waitFor('the marker pod to be collected', () => allGone(pods, [marker!]));
    const still = await exists(pods, 'widget-child');
    expect(still?.metadata.uid).toBe(pod.metadata.uid);
    expect(still?.metadata.deletionTimestamp).toBeUndefined();
  });
});
