import { afterEach, describe, expect, it } from 'vitest';
import { SchedulingQueue } from './queue.js';
import { makePod } from './test-objects.js';

let clock = 0;
const queues: SchedulingQueue[] = [];
function newQueue(): SchedulingQueue {
  clock = 1000;
  const q = new SchedulingQueue({ now: () => clock, initialBackoffMs: 1000, maxBackoffMs: 10_000 });
  queues.push(q);
  return q;
}
afterEach(() => {
  for (const q of queues.splice(0)) q.close();
});

const at = (name: string, created: string, priority?: number) => {
  const p = makePod(name, { priority });
  p.metadata.creationTimestamp = created;
  return p;
};

describe('SchedulingQueue', () => {
  it('pops by priority, then oldest first', async () => {
    const q = newQueue();
    q.add(at('late', '2024-01-01T00:00:02Z'));
    q.add(at('early', '2024-01-01T00:00:01Z'));
    q.add(at('urgent', '2024-01-01T00:00:03Z', 1000));
    const order = [];
    for (let i = 0; i < 3; i++) order.push((await q.pop())!.info.pod.metadata.name);
    expect(order).toEqual(['urgent', 'early', 'late']);
  });

  it('waits for a pod when empty', async () => {
    const q = newQueue();
    const p = q.pop();
    q.add(makePod('a'));
    expect((await p)!.info.key).toBe('default/a');
  });

  it('backoff doubles from 1 s to at most 10 s', () => {
    const q = newQueue();
    expect([1, 2, 3, 4, 5, 6].map((n) => q.backoffDuration(n))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('parks unschedulable pods until an event, then backs off or activates them', async () => {
    const q = newQueue();
    q.add(makePod('a'));
    const first = (await q.pop())!;
    q.requeueFailed(first, true);
    expect(q.length).toEqual({ active: 0, backoff: 0, unschedulable: 1 });
    // Event within the backoff: to backoffQ.
    clock += 500;
    q.moveAllToActiveOrBackoff();
    expect(q.length).toEqual({ active: 0, backoff: 1, unschedulable: 0 });
    // A second failure after the backoff expired; an event later than its backoff goes straight to activeQ.
    q.delete('default/a');
    q.add(makePod('b'));
    const b = (await q.pop())!;
    q.requeueFailed(b, true);
    clock += 5000;
    q.moveAllToActiveOrBackoff();
    expect(q.length).toEqual({ active: 1, backoff: 0, unschedulable: 0 });
  });

  it('a pod that failed while an event arrived during its attempt is not parked', async () => {
    const q = newQueue();
    q.add(makePod('a'));
    const a = (await q.pop())!;
    q.moveAllToActiveOrBackoff(); // e.g. a node was added while we were filtering
    q.requeueFailed(a, true);
    expect(q.length).toEqual({ active: 0, backoff: 1, unschedulable: 0 });
  });

  it('moves backed-off pods to activeQ when their backoff expires', async () => {
    const q = new SchedulingQueue({ initialBackoffMs: 50 });
    queues.push(q);
    q.add(makePod('a'));
    const a = (await q.pop())!;
    q.requeueFailed(a, false);
    const started = performance.now();
    const again = await q.pop();
    expect(again!.info.key).toBe('default/a');
    expect(again!.attempts).toBe(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('ignores status-only updates of parked pods but retries changed ones', async () => {
    const q = newQueue();
    const pod = makePod('a');
    q.add(pod);
    q.requeueFailed((await q.pop())!, true);
    q.update({ ...pod, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] } });
    expect(q.length.unschedulable).toBe(1);
    clock += 2000;
    q.update({ ...pod, spec: { ...pod.spec, tolerations: [{ operator: 'Exists' }] } });
    expect(q.length).toEqual({ active: 1, backoff: 0, unschedulable: 0 });
  });

  it('deleted pods disappear from every sub-queue', async () => {
    const q = newQueue();
    q.add(makePod('a'));
    q.add(makePod('b'));
    q.delete('default/a');
    expect((await q.pop())!.info.key).toBe('default/b');
    expect(q.length).toEqual({ active: 0, backoff: 0, unschedulable: 0 });
  });
});

describe('SchedulingQueue narrow moves', () => {
  it('moves only the pods the event may help', async () => {
    const q = newQueue();
    q.add(makePod('a'));
    q.add(makePod('b', { labels: { want: 'x' } }));
    q.requeueFailed((await q.pop())!, true);
    q.requeueFailed((await q.pop())!, true);
    clock += 5000;
    q.moveToActiveOrBackoffIf((x) => x.info.labels.want === 'x');
    expect(q.length).toEqual({ active: 1, backoff: 0, unschedulable: 1 });
    expect((await q.pop())!.info.key).toBe('default/b');
  });
});
