import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeApiServer } from '../client/fake-apiserver.js';
import { KubeClient } from '../client/kube-client.js';
import { LeaderElector, type LeaderElectionOptions } from './leader-election.js';
import { microTime, type Lease } from './lease.js';

const coll = 'coordination.k8s.io/v1/leases';
let server: FakeApiServer;
let client: KubeClient;

beforeAll(async () => {
  server = await new FakeApiServer().start();
  client = new KubeClient({ server: server.url, maxRetries: 1 });
});
afterAll(async () => {
  client.close();
  await server.stop();
});

async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Candidate {
  elector: LeaderElector;
  stop: AbortController;
  done: Promise<void>;
  leading: boolean;
  started: number;
  stopped: number;
  workSignal?: AbortSignal;
  leaders: string[];
}

function candidate(name: string, identity: string, extra: Partial<LeaderElectionOptions> = {}): Candidate {
  const c = { stop: new AbortController(), leading: false, started: 0, stopped: 0, leaders: [] as string[] } as unknown as Candidate;
  c.elector = new LeaderElector({
    client,
    namespace: 'kube-system',
    name,
    identity,
    // Short but not razor-thin: the machine running tests may be busy.
    leaseDurationSeconds: 2,
    renewDeadlineSeconds: 1.2,
    retryPeriodSeconds: 0.2,
    callbacks: {
      onStartedLeading: (signal) => {
        c.leading = true;
        c.started++;
        c.workSignal = signal;
      },
      onStoppedLeading: () => {
        c.leading = false;
        c.stopped++;
      },
      onNewLeader: (id) => c.leaders.push(id),
    },
    ...extra,
  });
  c.done = c.elector.run(c.stop.signal);
  return c;
}

const lease = (name: string) => server.getStored(coll, 'kube-system', name) as Lease | undefined;

describe('LeaderElector', () => {
  it('creates the lease, renews it, and releases it on shutdown', async () => {
    const a = candidate('solo', 'a');
    await until(() => a.leading);
    const first = lease('solo')!;
    expect(first.spec).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 2, leaseTransitions: 0 });
    expect(first.spec?.acquireTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    await until(() => lease('solo')!.spec?.renewTime !== first.spec?.renewTime);
    expect(lease('solo')!.spec?.acquireTime).toBe(first.spec?.acquireTime);
    expect(a.elector.isLeader()).toBe(true);
    expect(a.leaders).toEqual(['a']);

    a.stop.abort();
    await a.done;
    expect(a.workSignal?.aborted).toBe(true);
    expect(a.stopped).toBe(1);
    expect(lease('solo')!.spec?.holderIdentity).toBe('');
  });

  it('lets only one of two candidates lead; the standby takes over when the leader stops', async () => {
    const a = candidate('pair', 'a');
    const b = candidate('pair', 'b');
    await until(() => a.leading || b.leading);
    await new Promise((r) => setTimeout(r, 600));
    expect(a.leading && b.leading).toBe(false);
    const [leader, standby] = a.leading ? [a, b] : [b, a];
    expect(standby.started).toBe(0);
    expect(standby.elector.getLeader()).toBe(leader === a ? 'a' : 'b');

    leader.stop.abort();
    await leader.done;
    // Released, so the standby need not wait out the lease.
    const t0 = Date.now();
    await until(() => standby.leading);
    expect(Date.now() - t0).toBeLessThan(900);
    expect(lease('pair')!.spec?.leaseTransitions).toBe(1);
    standby.stop.abort();
    await standby.done;
  });

  it('takes over a lease whose holder stopped renewing, only after leaseDuration', async () => {
    const now = microTime();
    server.put(coll, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'stale', namespace: 'kube-system' },
      spec: { holderIdentity: 'ghost', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: 3 },
    });
    const t0 = Date.now();
    const b = candidate('stale', 'b');
    await until(() => b.leading);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(lease('stale')!.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 4 });
    expect(b.leaders).toEqual(['ghost', 'b']);
    b.stop.abort();
    await b.done;
  });

  it('stops leading and aborts the work when it cannot renew within the deadline', async () => {
    const a = candidate('lossy', 'a');
    await until(() => a.leading);
    server.inject((r) => (r.path.endsWith('/leases/lossy') && r.method === 'PUT' ? { code: 409, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Conflict', code: 409 } } : undefined));
    const t0 = Date.now();
    await a.done; // run() returns once leadership is lost
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(a.workSignal?.aborted).toBe(true);
    expect(a.stopped).toBe(1);
    expect(a.elector.isLeader()).toBe(false);
    server.clearFaults();
  });
});
