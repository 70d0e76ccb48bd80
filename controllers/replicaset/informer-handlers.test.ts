import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DeletedFinalStateUnknown, Indexer } from '../../api/informer/store.js';
import type { Pod } from '../../api/types/pod.js';
import type { ReplicaSet } from '../../api/types/workloads.js';
import { ControllerExpectations } from './expectations.js';
import * as h from './informer-handlers.js';

function rs(name: string, uid: string, app: string, minReadySeconds = 0): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'ns', uid },
    spec: { replicas: 1, minReadySeconds, selector: { matchLabels: { app } }, template: { metadata: { labels: { app } }, spec: { containers: [] } } },
  } as unknown as ReplicaSet;
}

function pod(name: string, labels: Record<string, string>, owner?: { name: string; uid: string }, extra: { rv?: string; deleting?: boolean; ready?: boolean } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'ns',
      uid: name,
      labels,
      resourceVersion: extra.rv ?? '1',
      deletionTimestamp: extra.deleting ? '2026-01-01T00:00:00Z' : undefined,
      ownerReferences: owner ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner.name, uid: owner.uid, controller: true }] : undefined,
    },
    spec: { containers: [] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: extra.ready ? 'True' : 'False' }] },
  } as unknown as Pod;
}

function context() {
  const replicaSets = new Indexer<ReplicaSet>();
  replicaSets.upsert(rs('web', 'web-uid', 'web', 5));
  replicaSets.upsert(rs('web2', 'web2-uid', 'web'));
  replicaSets.upsert(rs('db', 'db-uid', 'db'));
  const queued: string[] = [];
  const later: [string, number][] = [];
  const ctx: h.HandlerContext = {
    replicaSets,
    expectations: new ControllerExpectations(),
    enqueue: (k) => queued.push(k),
    enqueueAfter: (k, ms) => later.push([k, ms]),
    logger: pino({ level: 'silent' }),
  };
  return { ctx, queued, later };
}

const web = { name: 'web', uid: 'web-uid' };

describe('ReplicaSet informer handlers', () => {
  it('a new owned pod settles one expected creation of its ReplicaSet', () => {
    const { ctx, queued } = context();
    ctx.expectations.expectCreations('ns/web', 1);
    h.onPodAdd(ctx, pod('p', { app: 'web' }, web));
    expect(ctx.expectations.satisfied('ns/web')).toBe(true);
    expect(queued).toEqual(['ns/web']);
  });

  it('ignores a pod whose controller has another uid (a ReplicaSet recreated under the same name)', () => {
    const { ctx, queued } = context();
    ctx.expectations.expectCreations('ns/web', 1);
    h.onPodAdd(ctx, pod('p', { app: 'web' }, { name: 'web', uid: 'old-uid' }));
    expect(ctx.expectations.satisfied('ns/web')).toBe(false);
    expect(queued).toEqual([]);
  });

  it('an orphan wakes every ReplicaSet that selects it', () => {
    const { ctx, queued } = context();
    h.onPodAdd(ctx, pod('p', { app: 'web' }));
    expect(queued.sort()).toEqual(['ns/web', 'ns/web2']);
  });

  it('a deletionTimestamp counts as the deletion, once', () => {
    const { ctx, queued } = context();
    ctx.expectations.expectDeletions('ns/web', ['ns/p', 'ns/q']);
    const before = pod('p', { app: 'web' }, web, { rv: '1' });
    const deleting = pod('p', { app: 'web' }, web, { rv: '2', deleting: true });
    h.onPodUpdate(ctx, before, deleting);
    h.onPodDelete(ctx, deleting);
    expect(ctx.expectations.get('ns/web')).toEqual({ add: 0, del: 1 });
    h.onPodDelete(ctx, new DeletedFinalStateUnknown('ns/q', pod('q', { app: 'web' }, web)));
    expect(ctx.expectations.satisfied('ns/web')).toBe(true);
    expect(queued).toEqual(['ns/web', 'ns/web', 'ns/web']);
  });

  it('skips resyncs, and looks again after minReadySeconds when a pod turns ready', () => {
    const { ctx, queued, later } = context();
    const p = pod('p', { app: 'web' }, web, { rv: '1' });
    h.onPodUpdate(ctx, p, p);
    expect(queued).toEqual([]);
    h.onPodUpdate(ctx, p, pod('p', { app: 'web' }, web, { rv: '2', ready: true }));
    expect(queued).toEqual(['ns/web']);
    expect(later).toEqual([['ns/web', 6000]]);
  });

  it('a pod relabeled out of its ReplicaSet wakes the old and the new selectors', () => {
    const { ctx, queued } = context();
    h.onPodUpdate(ctx, pod('p', { app: 'web' }, web, { rv: '1' }), pod('p', { app: 'db' }, undefined, { rv: '2' }));
    expect(queued.sort()).toEqual(['ns/db', 'ns/web']);
  });

  it('a deleted ReplicaSet loses its expectations', () => {
    const { ctx, queued } = context();
    ctx.expectations.expectCreations('ns/web', 3);
    h.onReplicaSetDelete(ctx, new DeletedFinalStateUnknown('ns/web', rs('web', 'web-uid', 'web')));
    expect(ctx.expectations.get('ns/web')).toBeUndefined();
    expect(queued).toEqual(['ns/web']);
  });
});
