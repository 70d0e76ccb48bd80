/** Two schedulers against one apiserver: only the holder of kube-system/kube-scheduler binds; the standby takes over. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leases } from '../../api/registry.js';
import { runScheduler } from '../../scheduler/run.js';
import type { Scheduler } from '../../scheduler/scheduler.js';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';
import { createNode, createPod, waitAllBound, waitFor } from './helpers.js';

let cp: TestControlPlane;
const instances: { id: string; stop: AbortController; done: Promise<unknown>; scheduler?: Scheduler }[] = [];

beforeAll(async () => {
  cp = await startControlPlane(); // the apiserver creates kube-system, where the Lease lives
});

afterAll(async () => {
  for (const i of instances) i.stop.abort();
  await Promise.allSettled(instances.map((i) => i.done));
  await cp?.stop();
});

function start(id: string) {
  const inst: (typeof instances)[number] = { id, stop: new AbortController(), done: Promise.resolve() };
  inst.done = runScheduler(
    {
      client: cp.client,
      onReady: (s) => (inst.scheduler = s),
      leaderElection: { enabled: true, identity: id, leaseDurationSeconds: 4, renewDeadlineSeconds: 3, retryPeriodSeconds: 1 },
    },
    inst.stop.signal,
  );
  instances.push(inst);
  return inst;
}

describe('two schedulers', () => {
  it('only the leader binds; the standby takes over when the leader stops', async () => {
    const c = cp.client;
    for (let i = 0; i < 2; i++) await createNode(c, `le-${i}`);
    const one = start('sched-one');
    const two = start('sched-two');
    const holder = await waitFor('a lease holder', async () => {
      const l = await c.resource(leases, 'kube-system').get('kube-scheduler').catch(() => undefined);
      return l?.spec?.holderIdentity || undefined;
    });
    const [leader, standby] = holder === 'sched-one' ? [one, two] : [two, one];

    for (let i = 0; i < 10; i++) await createPod(c, `le-a-${i}`);
    await waitAllBound(c, 'le-a-', 10);
    // The watch can show a binding before the scheduler's own POST has returned: wait for its count.
    await expect.poll(() => leader.scheduler!.stats.bound, { timeout: 5000 }).toBe(10);
    expect(standby.scheduler!.stats.scheduled).toBe(0);

    // The leader stops (releasing the lease): the standby takes over and binds.
    leader.stop.abort();
    await leader.done;
    for (let i = 0; i < 5; i++) await createPod(c, `le-b-${i}`);
    await waitAllBound(c, 'le-b-', 5, 20_000);
    await expect.poll(() => standby.scheduler!.stats.bound, { timeout: 5000 }).toBe(5);
    expect(leader.scheduler!.stats.bound).toBe(10);
    const l = await c.resource(leases, 'kube-system').get('kube-scheduler');
    expect(l.spec?.holderIdentity).toBe(standby.id);
  });
});
