import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient } from '../api/client/kube-client.js';
import type { Status } from '../api/meta/errors.js';
import { SharedInformerFactory } from '../api/informer/factory.js';
import { Scheduler, schedulingPropertiesChanged } from './scheduler.js';
import { makeNode, makePod } from './test-objects.js';

/** A client whose bindings are answered by the test; nothing reaches the network. */
class ScriptedBindClient extends KubeClient {
  binds: { name: string; node: string; settle: (err?: Error) => void }[] = [];
  constructor() {
    super({ server: 'http://127.0.0.1:9' });
  }
  override bind(_ns: string, name: string, node: string): Promise<Status> {
    return new Promise((resolve, reject) => {
      this.binds.push({ name, node, settle: (err) => (err ? reject(err) : resolve({} as Status)) });
    });
  }
}

const open: Scheduler[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.queue.close();
});

function newScheduler() {
  const client = new ScriptedBindClient();
  const s = new Scheduler({ client, informers: new SharedInformerFactory(client), queue: { initialBackoffMs: 20 } });
  open.push(s);
  return { s, client };
}

describe('Scheduler assume-then-bind', () => {
  it('counts a pod on its node while binding, never double-books, and un-assumes on failure', async () => {
    const { s, client } = newScheduler();
    s.cache.addOrUpdateNode(makeNode('n', { cpu: '1' }));
    s.queue.add(makePod('first', { cpu: '1' }));
    s.scheduleOne((await s.queue.pop())!);
    expect(client.binds.map((b) => [b.name, b.node])).toEqual([['first', 'n']]);
    expect(s.cache.getNode('n')!.requested.milliCPU).toBe(1000);
    expect(s.cache.isAssumed('default/first')).toBe(true);

    // While the first binding is in flight the node is full for the next pod.
    s.queue.add(makePod('second', { cpu: '1' }));
    s.scheduleOne((await s.queue.pop())!);
    expect(client.binds).toHaveLength(1);
    expect(s.stats.unschedulable).toBe(1);

    // The binding fails: the first pod is forgotten and retried after its backoff.
    client.binds[0]!.settle(new Error('connection reset'));
    await new Promise((r) => setTimeout(r, 0));
    expect(s.cache.isAssumed('default/first')).toBe(false);
    expect(s.cache.getNode('n')!.requested.milliCPU).toBe(0);
    expect(s.stats.bindErrors).toBe(1);
    const again = await s.queue.pop();
    expect(['default/first', 'default/second']).toContain(again!.info.key);
  });

  it('only node changes that matter for scheduling retry pending pods', () => {
    const a = makeNode('n', { labels: { x: '1' } });
    const heartbeat = structuredClone(a);
    heartbeat.status!.conditions = [{ type: 'Ready', status: 'True' }];
    expect(schedulingPropertiesChanged(a, heartbeat)).toBe(false);
    const relabelled = structuredClone(a);
    relabelled.metadata.labels = { x: '2' };
    expect(schedulingPropertiesChanged(a, relabelled)).toBe(true);
    const tainted = structuredClone(a);
    tainted.spec.taints = [{ key: 'k', effect: 'NoSchedule' }];
    expect(schedulingPropertiesChanged(a, tainted)).toBe(true);
    const cordoned = structuredClone(a);
    cordoned.spec.unschedulable = true;
    expect(schedulingPropertiesChanged(a, cordoned)).toBe(true);
  });
});
