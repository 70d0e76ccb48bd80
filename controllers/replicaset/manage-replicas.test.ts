import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/meta/errors.js';
import type { Pod } from '../../api/types/pod.js';
import type { ReplicaSet } from '../../api/types/workloads.js';
import { ControllerExpectations } from './expectations.js';
import { manageReplicas, type ManageDeps } from './manage-replicas.js';
import type { PodWriter } from './pod-control.js';

function rs(replicas: number): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web', namespace: 'ns', uid: 'u' },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [] } } },
  } as unknown as ReplicaSet;
}

function pod(name: string, node?: string): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', uid: name }, spec: { containers: [], nodeName: node }, status: { phase: 'Running' } } as unknown as Pod;
}

function deps(writer: Partial<PodWriter>, burstReplicas = 500): ManageDeps & { expectations: ControllerExpectations } {
  const fail = () => Promise.reject(new Error('unexpected call'));
  return {
    expectations: new ControllerExpectations(),
    writer: { createPod: fail, deletePod: fail, adoptPod: fail, releasePod: fail, ...writer },
    relatedPods: () => [],
    burstReplicas,
    logger: pino({ level: 'silent' }),
  };
}

describe('manageReplicas', () => {
  it('creates the missing pods and expects each of them', async () => {
    let created = 0;
    const d = deps({ createPod: async () => (created++, pod('x')) });
    expect(await manageReplicas(rs(5), [pod('a')], d)).toBeUndefined();
    expect(created).toBe(4);
    expect(d.expectations.get('ns/web')).toEqual({ add: 4, del: 0 });
    expect(d.expectations.satisfied('ns/web')).toBe(false);
  });

  it('creates at most burstReplicas per sync', async () => {
    let created = 0;
    const d = deps({ createPod: async () => (created++, pod('x')) }, 10);
    await manageReplicas(rs(100), [], d);
    expect(created).toBe(10);
  });

  it('stops at the first failing batch, reports the error and stops waiting for skipped pods', async () => {
    let calls = 0;
    const forbidden = new ApiError(403, 'Forbidden', 'pods "web-x" is forbidden: exceeded quota');
    const d = deps({
      createPod: async () => {
        calls++;
        if (calls > 1) throw forbidden;
        return pod('x');
      },
    });
    const err = await manageReplicas(rs(50), [], d);
    expect(err).toBe(forbidden);
    expect(calls).toBe(3); // batch of 1 succeeded, batch of 2 failed, nothing more
    // 1 created and awaited; the 2 failed and 47 skipped no longer count.
    expect(d.expectations.get('ns/web')).toEqual({ add: 1, del: 0 });
  });

  it('treats a terminating namespace as nothing to report', async () => {
    const terminating = new ApiError(403, 'Forbidden', 'ns is being terminated', { causes: [{ reason: 'NamespaceTerminating' }] });
    const d = deps({ createPod: () => Promise.reject(terminating) });
    expect(await manageReplicas(rs(3), [], d)).toBeUndefined();
  });

  it('deletes the surplus, preferring unscheduled pods, and expects exactly those', async () => {
    const deleted: string[] = [];
    const d = deps({ deletePod: async (_rs, p) => void deleted.push(p.metadata.name!) });
    const pods = [pod('a', 'n1'), pod('b'), pod('c', 'n1'), pod('d')];
    expect(await manageReplicas(rs(2), pods, d)).toBeUndefined();
    expect(deleted.sort()).toEqual(['b', 'd']);
    expect(d.expectations.get('ns/web')).toEqual({ add: 0, del: 2 });
    d.expectations.deletionObserved('ns/web', 'ns/a');
    expect(d.expectations.satisfied('ns/web')).toBe(false);
    d.expectations.deletionObserved('ns/web', 'ns/b');
    d.expectations.deletionObserved('ns/web', 'ns/d');
    expect(d.expectations.satisfied('ns/web')).toBe(true);
  });

  it('does not wait for deletions that failed; a pod already gone is no error', async () => {
    const d = deps({
      deletePod: async (_rs, p) => {
        if (p.metadata.name === 'b') throw new ApiError(404, 'NotFound', 'gone');
        throw new Error('unable to delete pods: boom');
      },
    });
    const err = await manageReplicas(rs(0), [pod('a'), pod('b')], d);
    expect(err?.message).toBe('unable to delete pods: boom');
    expect(d.expectations.satisfied('ns/web')).toBe(true);
  });

  it('stops creating once its signal aborts (leadership lost mid-burst) and cancels the writes in flight', async () => {
    // The deposed leader of a 3,000-replica ReplicaSet must not finish its burst of 500:
    // the next leader starts with empty expectations and would create them again.
    const stop = new AbortController();
    let started = 0;
    const signals: (AbortSignal | undefined)[] = [];
    const d = {
      ...deps({
        createPod: async (_rs, signal) => {
          started++;
          signals.push(signal);
          if (started === 3) stop.abort();
          // The write in flight completes anyway (the server had it before the abort).
          await new Promise((r) => setTimeout(r, 1));
          return pod('x');
        },
      }),
      signal: stop.signal,
    };
    expect(await manageReplicas(rs(3000), [], d)).toBeUndefined();
    expect(started).toBe(3); // batches of 1 and 2; the batch of 4 never starts
    expect(signals.every((s) => s === stop.signal)).toBe(true);
    expect(await manageReplicas(rs(3000), [], d)).toBeUndefined();
    expect(started).toBe(3);
  });

  it('deletes nothing once its signal has aborted', async () => {
    const stop = new AbortController();
    stop.abort();
    const d = { ...deps({}), signal: stop.signal };
    expect(await manageReplicas(rs(0), [pod('a'), pod('b')], d)).toBeUndefined();
    expect(d.expectations.get('ns/web')).toBeUndefined();
  });
});
