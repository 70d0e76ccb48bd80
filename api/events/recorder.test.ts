import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeApiServer } from '../client/fake-apiserver.js';
import { KubeClient } from '../client/kube-client.js';
import type { KubeObject } from '../meta/object-meta.js';
import { EventRecorder, type CoreEvent } from './recorder.js';

const coll = '/v1/events';
let server: FakeApiServer;
let client: KubeClient;

beforeAll(async () => {
  server = await new FakeApiServer().start();
  client = new KubeClient({ server: server.url, maxRetries: 0 });
});
afterAll(async () => {
  client.close();
  await server.stop();
});

const rs: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web-6d4b', namespace: 'shop', uid: 'u-1', resourceVersion: '42' },
};

async function events(ns = 'shop'): Promise<CoreEvent[]> {
  return (await client.resource<CoreEvent>({ group: '', version: 'v1', plural: 'events', namespaced: true }, ns).list()).items;
}

describe('EventRecorder', () => {
  it('creates an Event with the fields kubectl describe reads', async () => {
    const r = new EventRecorder({ client, component: 'replicaset-controller', host: 'cp-1', now: () => new Date('2026-01-02T03:04:05.678Z') });
    r.event(rs, 'Normal', 'SuccessfulCreate', 'Created pod: web-6d4b-x');
    await r.flush();
    const [ev] = await events();
    expect(ev).toMatchObject({
      kind: 'Event',
      metadata: { namespace: 'shop' },
      involvedObject: { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-6d4b', namespace: 'shop', uid: 'u-1', resourceVersion: '42' },
      reason: 'SuccessfulCreate',
      message: 'Created pod: web-6d4b-x',
      type: 'Normal',
      source: { component: 'replicaset-controller', host: 'cp-1' },
      reportingComponent: 'replicaset-controller',
      reportingInstance: 'cp-1',
      firstTimestamp: '2026-01-02T03:04:05Z',
      lastTimestamp: '2026-01-02T03:04:05Z',
      count: 1,
    });
    expect(ev!.metadata.name).toMatch(/^web-6d4b\.[0-9a-f]+$/);
    server.remove(coll, 'shop', ev!.metadata.name!);
  });

  it('aggregates repeats within 10 minutes and starts over after', async () => {
    let now = new Date('2026-01-02T03:00:00Z').getTime();
    const r = new EventRecorder({ client, component: 'rc', now: () => new Date(now) });
    r.event(rs, 'Warning', 'FailedCreate', 'quota exceeded');
    now += 60_000;
    r.event(rs, 'Warning', 'FailedCreate', 'quota exceeded');
    now += 60_000;
    r.event(rs, 'Warning', 'FailedCreate', 'quota exceeded');
    r.event(rs, 'Warning', 'FailedCreate', 'another message');
    await r.flush();
    let all = await events();
    expect(all).toHaveLength(2);
    const agg = all.find((e) => e.message === 'quota exceeded')!;
    expect(agg).toMatchObject({ count: 3, firstTimestamp: '2026-01-02T03:00:00Z', lastTimestamp: '2026-01-02T03:02:00Z' });
    expect(server.requests.filter((q) => q.method === 'PATCH')).toHaveLength(2);

    now += 11 * 60_000;
    r.event(rs, 'Warning', 'FailedCreate', 'quota exceeded');
    await r.flush();
    all = await events();
    expect(all.filter((e) => e.message === 'quota exceeded').map((e) => e.count).sort()).toEqual([1, 3]);
    for (const e of all) server.remove(coll, 'shop', e.metadata.name!);
  });

  it('never throws to the caller and recreates an aggregated event that was deleted', async () => {
    const r = new EventRecorder({ client, component: 'rc' });
    server.inject((q) => (q.path.includes('/events') && q.method !== 'GET' ? { code: 500, body: {} } : undefined));
    expect(() => r.event(rs, 'Normal', 'X', 'y')).not.toThrow();
    await r.flush();
    expect(await events()).toHaveLength(0);
    server.clearFaults();
    // The first create failed, so the repeat's patch finds nothing and creates instead.
    r.event(rs, 'Normal', 'X', 'y');
    await r.flush();
    const all = await events();
    expect(all).toHaveLength(1);
    expect(all[0]!.count).toBe(2);
  });

  it('files events about cluster-scoped objects in the default namespace', async () => {
    const r = new EventRecorder({ client, component: 'node-controller' });
    r.event({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'n-1' } }, 'Normal', 'RegisteredNode', 'Node n1 event: Registered');
    await r.close();
    r.event({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'n-1' } }, 'Normal', 'Ignored', 'after close');
    await r.flush();
    const all = await events('default');
    expect(all.map((e) => e.reason)).toEqual(['RegisteredNode']);
  });

  it('drops events beyond the per-object burst until tokens refill', async () => {
    let now = new Date('2026-01-02T03:00:00Z').getTime();
    const r = new EventRecorder({ client, component: 'spam', spamBurst: 3, spamRefillMs: 60_000, now: () => new Date(now) });
    const obj: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'noisy', namespace: 'spam', uid: 'p-1' } };
    for (let i = 0; i < 6; i++) r.event(obj, 'Warning', 'BackOff', `attempt ${i}`);
    await r.flush();
    expect((await events('spam')).map((e) => e.message).sort()).toEqual(['attempt 0', 'attempt 1', 'attempt 2']);
    now += 60_000;
    r.event(obj, 'Warning', 'BackOff', 'later');
    r.event(obj, 'Warning', 'BackOff', 'dropped');
    await r.flush();
    expect((await events('spam')).map((e) => e.message)).toContain('later');
    expect((await events('spam')).map((e) => e.message)).not.toContain('dropped');
  });
});
