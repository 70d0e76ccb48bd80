/**
 * Two controller-managers in one process against a real apiserver and etcd, with short
 * leases: only the leader runs controllers; when it stops the other takes over; and a
 * leader whose lease is taken away stops its controllers and reports it.
 */
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../api/client/kube-client.js';
import { events as eventsDef, leases, namespaces, pods as podsDef, replicaSets as rsDef } from '../../api/registry.js';
import type { Pod } from '../../api/types/pod.js';
import type { ReplicaSet } from '../../api/types/workloads.js';
import { startControllerManager, type ControllerManager } from '../../controllers/manager.js';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';
import { FakeKubelet } from '../helpers/fake-kubelet.js';
import { waitFor } from '../helpers/wait.js';

let cp: TestControlPlane;
const cleanups: (() => Promise<void>)[] = [];
const logger = pino({ level: process.env.TKUBE_TEST_LOG ?? 'silent' });
const fastLease = { leaseDurationSeconds: 3, renewDeadlineSeconds: 2, retryPeriodSeconds: 0.5 };

beforeAll(async () => {
  cp = await startControlPlane();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});
afterAll(async () => {
  await cp?.stop();
});

async function manager(
  identity: string,
  extra: { metricsPort?: number; leaseName?: string; releaseLeaseOnStop?: boolean } = {},
): Promise<ControllerManager> {
  // Each manager has its own client, as separate processes would.
  const client = await cp.clientFor('controller-manager');
  const m = await startControllerManager({
    client,
    logger,
    identity,
    controllers: ['replicaset'],
    leaderElection: { ...fastLease, name: extra.leaseName ?? 'kube-controller-manager' },
    metricsPort: extra.metricsPort,
    releaseLeaseOnStop: extra.releaseLeaseOnStop,
  });
  cleanups.push(async () => {
    await m.stop();
    client.close();
  });
  return m;
}


async function namespaceWithKubelet(name: string): Promise<void> {
  await cp.client.resource(namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } } as never);
  const kubelet = new FakeKubelet({ client: cp.client, namespace: name });
  await kubelet.start();
  cleanups.push(() => kubelet.stop());
}

function replicaSet(namespace: string, name: string, replicas: number): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'registry.local/pause:1' }] } },
    },
  } as unknown as ReplicaSet;
}

const livePods = async (ns: string): Promise<Pod[]> =>
  (await cp.client.resource(podsDef, ns).list()).items.filter((p) => !p.metadata.deletionTimestamp);

describe('controller-manager', () => {
  it('runs controllers only in the leader, and the standby takes over when the leader stops', async () => {
    const ns = 'tkube-cm-1';
    await namespaceWithKubelet(ns);
    const a = await manager('tkube-test-cm-a', { metricsPort: 0 });
    const b = await manager('tkube-test-cm-b', { metricsPort: 0 });
    const leader = await waitFor('a leader', () => (a.isLeader() ? a : b.isLeader() ? b : undefined));
    const standby = leader === a ? b : a;
    expect(standby.isLeader()).toBe(false);
    const lease = await cp.client.resource(leases, 'kube-system').get('kube-controller-manager');
    expect((lease.spec as { holderIdentity?: string }).holderIdentity).toBe(leader.identity);

    await cp.client.resource(rsDef, ns).create(replicaSet(ns, 'web', 4));
    await waitFor('4 ready replicas', async () => (await cp.client.resource(rsDef, ns).get('web')).status?.readyReplicas === 4);
    await new Promise((r) => setTimeout(r, 500));
    // Two active controllers would each have created 4.
    expect(await livePods(ns)).toHaveLength(4);
    expect(standby.isLeader()).toBe(false);

    // Kubernetes' LeaderElection event on the Lease.
    await waitFor('the LeaderElection event', async () => {
      const evs = (await cp.client.resource(eventsDef, 'kube-system').list()).items as unknown as { reason: string; message: string; involvedObject: { kind: string } }[];
      return evs.some((e) => e.reason === 'LeaderElection' && e.message === `${leader.identity} became leader` && e.involvedObject.kind === 'Lease');
    });

    // The metrics endpoint of each manager; only the leader has reconciled.
    const healthz = await fetch(`${leader.metricsUrl}/healthz`);
    expect(await healthz.text()).toBe('ok');
    const metrics = await (await fetch(`${leader.metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/controller_runtime_reconcile_total\{controller="replicaset",result="success"\} \d+/);
    expect(metrics).toContain('leader_election_master_status{name="kube-controller-manager"}');

    const stoppedAt = Date.now();
    await leader.stop();
    await waitFor('the standby to lead', () => standby.isLeader(), 20_000);
    const takeoverMs = Date.now() - stoppedAt;
    expect(takeoverMs).toBeLessThan(20_000);

    await cp.client.resource(rsDef, ns).patch('web', 'merge', { spec: { replicas: 6 } });
    await waitFor('6 ready replicas', async () => (await cp.client.resource(rsDef, ns).get('web')).status?.readyReplicas === 6);
    await new Promise((r) => setTimeout(r, 500));
    expect(await livePods(ns)).toHaveLength(6);
  });

  it('a standby takes over from a leader that died without releasing the lease once the lease expires', async () => {
    const ns = 'tkube-cm-3';
    await namespaceWithKubelet(ns);
    const lease = 'tkube-test-crash-lease';
    const a = await manager('tkube-test-cm-d', { leaseName: lease, releaseLeaseOnStop: false });
    await waitFor('a to lead', () => a.isLeader());
    const b = await manager('tkube-test-cm-e', { leaseName: lease });
    await cp.client.resource(rsDef, ns).create(replicaSet(ns, 'svc', 3));
    await waitFor('3 ready replicas', async () => (await cp.client.resource(rsDef, ns).get('svc')).status?.readyReplicas === 3);
    expect(b.isLeader()).toBe(false);

    const diedAt = Date.now();
    await a.stop(); // no release: like a process killed with -9
    const held = await cp.client.resource(leases, 'kube-system').get(lease);
    expect((held.spec as { holderIdentity?: string }).holderIdentity).toBe('tkube-test-cm-d');
    await waitFor('b to lead', () => b.isLeader(), 20_000);
    const takeoverMs = Date.now() - diedAt;
    // It must wait out the 3 s lease, and not much longer.
    expect(takeoverMs).toBeGreaterThanOrEqual(2_000);
    expect(takeoverMs).toBeLessThan(10_000);

    await cp.client.resource(rsDef, ns).patch('svc', 'merge', { spec: { replicas: 5 } });
    await waitFor('5 ready replicas', async () => (await cp.client.resource(rsDef, ns).get('svc')).status?.readyReplicas === 5);
    expect(await livePods(ns)).toHaveLength(5);
  });

  it('stops its controllers and reports lost-leadership when its lease is taken', async () => {
    const ns = 'tkube-cm-2';
    await namespaceWithKubelet(ns);
    const m = await manager('tkube-test-cm-c', { leaseName: 'tkube-test-lease' });
    await waitFor('leadership', () => m.isLeader());
    await cp.client.resource(rsDef, ns).create(replicaSet(ns, 'api', 2));
    await waitFor('2 ready replicas', async () => (await cp.client.resource(rsDef, ns).get('api')).status?.readyReplicas === 2);

    // Someone else takes the lease for a long time.
    const leaseApi = cp.client.resource(leases, 'kube-system');
    const lease = await leaseApi.get('tkube-test-lease');
    await leaseApi.update({ ...lease, spec: { ...(lease.spec as object), holderIdentity: 'tkube-test-intruder', leaseDurationSeconds: 3600 } });
    const reason = await Promise.race([m.done, new Promise((r) => setTimeout(() => r('timeout'), 15_000))]);
    expect(reason).toBe('lost-leadership');
    expect(m.isLeader()).toBe(false);

    // Its controllers no longer act: a scale-up goes unanswered.
    await cp.client.resource(rsDef, ns).patch('api', 'merge', { spec: { replicas: 4 } });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await livePods(ns)).toHaveLength(2);
  });
});
