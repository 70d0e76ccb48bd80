import { describe, expect, it } from 'vitest';
import type { Pod } from '../../api/types/pod.js';
import type { ReplicaSet } from '../../api/types/workloads.js';
import { calculateStatus, statusUpToDate } from './status.js';

const now = Date.parse('2026-01-01T12:00:00Z');

function rs(replicas: number, minReadySeconds = 0, extra: Partial<ReplicaSet['status']> = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web', namespace: 'ns', generation: 2 },
    spec: {
      replicas,
      minReadySeconds,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web', tier: 'fe' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
    },
    status: { replicas: 0, ...extra },
  } as unknown as ReplicaSet;
}

function pod(labels: Record<string, string>, readyAgoMs?: number): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns', labels },
    spec: { containers: [{ name: 'c', image: 'i' }] },
    status: {
      phase: 'Running',
      conditions: readyAgoMs === undefined ? [] : [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(now - readyAgoMs).toISOString() }],
    },
  } as Pod;
}

describe('calculateStatus', () => {
  it('counts replicas, fully labeled, ready and available pods', () => {
    const pods = [pod({ app: 'web', tier: 'fe' }, 60_000), pod({ app: 'web' }, 5_000), pod({ app: 'web', tier: 'fe' })];
    expect(calculateStatus(rs(3, 10), pods, undefined, now)).toEqual({
      replicas: 3,
      fullyLabeledReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 1,
    });
    expect(calculateStatus(rs(3, 0), pods, undefined, now).availableReplicas).toBe(2);
  });

  it('adds ReplicaFailure on a create error and removes it once syncs succeed', () => {
    const failed = calculateStatus(rs(3), [], new Error('pods "web-x" is forbidden: exceeded quota'), now);
    expect(failed.conditions).toEqual([
      { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "web-x" is forbidden: exceeded quota', lastTransitionTime: '2026-01-01T12:00:00Z' },
    ]);
    // A further failure keeps the first condition as it is.
    const again = calculateStatus({ ...rs(3), status: failed }, [], new Error('other'), now + 5000);
    expect(again.conditions).toEqual(failed.conditions);
    const healed = calculateStatus({ ...rs(3), status: failed }, [], undefined, now);
    expect(healed.conditions).toBeUndefined();
  });

  it('reports FailedDelete when there were too many pods', () => {
    const st = calculateStatus(rs(0), [pod({ app: 'web' })], new Error('nope'), now);
    expect(st.conditions?.[0]?.reason).toBe('FailedDelete');
  });
});

describe('statusUpToDate', () => {
  it('is false until observedGeneration catches up', () => {
    const r = rs(0, 0, { replicas: 0, fullyLabeledReplicas: 0, readyReplicas: 0, availableReplicas: 0, observedGeneration: 1 });
    const next = calculateStatus(r, [], undefined, now);
    expect(statusUpToDate(r, next)).toBe(false);
    expect(statusUpToDate({ ...r, status: { ...r.status!, observedGeneration: 2 } }, next)).toBe(true);
  });
});
