import { describe, expect, it } from 'vitest';
import type { Pod } from '../../api/types/pod.js';
import { deleteBefore, podDeletionCost, podsToDelete, rankByRelatedPodsOnSameNode } from './deletion-order.js';

const now = Date.parse('2026-01-01T12:00:00Z');
const ago = (ms: number) => new Date(now - ms).toISOString();

interface PodOpts {
  name: string;
  uid?: string;
  node?: string;
  phase?: 'Pending' | 'Running' | 'Unknown';
  readySince?: number; // ms ago
  restarts?: number;
  createdAgo?: number;
  cost?: string;
}

function pod(o: PodOpts): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: o.name,
      namespace: 'ns',
      uid: o.uid ?? o.name,
      creationTimestamp: ago(o.createdAgo ?? 60_000),
      annotations: o.cost === undefined ? undefined : { 'controller.kubernetes.io/pod-deletion-cost': o.cost },
    },
    spec: { containers: [{ name: 'c', image: 'i' }], nodeName: o.node },
    status: {
      phase: o.phase ?? 'Running',
      conditions: o.readySince === undefined ? [] : [{ type: 'Ready', status: 'True', lastTransitionTime: ago(o.readySince) }],
      containerStatuses: [{ name: 'c', ready: o.readySince !== undefined, restartCount: o.restarts ?? 0, image: 'i', imageID: '' }],
    },
  } as Pod;
}

const first = (a: Pod, b: Pod) => deleteBefore({ pod: a, rank: 0 }, { pod: b, rank: 0 }, now);

describe('deletion order', () => {
  it('prefers unscheduled, then pending < unknown < running, then not ready', () => {
    expect(first(pod({ name: 'a', phase: 'Running' }), pod({ name: 'b', node: 'n1', phase: 'Pending' }))).toBe(true);
    expect(first(pod({ name: 'a', node: 'n1', phase: 'Pending' }), pod({ name: 'b', node: 'n1', phase: 'Unknown' }))).toBe(true);
    expect(first(pod({ name: 'a', node: 'n1', phase: 'Unknown' }), pod({ name: 'b', node: 'n1', phase: 'Running' }))).toBe(true);
    expect(first(pod({ name: 'a', node: 'n1', phase: 'Running', readySince: 1000 }), pod({ name: 'b', node: 'n1' }))).toBe(false);
    expect(first(pod({ name: 'a', node: 'n1' }), pod({ name: 'b', node: 'n1', readySince: 1000 }))).toBe(true);
  });

  it('prefers a lower pod-deletion-cost and treats an invalid cost as 0', () => {
    expect(podDeletionCost(pod({ name: 'a', cost: '-5' }))).toBe(-5);
    expect(podDeletionCost(pod({ name: 'a', cost: 'x' }))).toBe(0);
    expect(podDeletionCost(pod({ name: 'a', cost: '99999999999' }))).toBe(0);
    expect(first(pod({ name: 'a', node: 'n', cost: '10' }), pod({ name: 'b', node: 'n', cost: '-1' }))).toBe(false);
    expect(first(pod({ name: 'a', node: 'n', cost: '-1' }), pod({ name: 'b', node: 'n' }))).toBe(true);
  });

  it('prefers pods doubled up on a node with related pods', () => {
    const a = pod({ name: 'a', node: 'n1' });
    const b = pod({ name: 'b', node: 'n2' });
    const ranked = rankByRelatedPodsOnSameNode([a, b], [a, b, pod({ name: 'c', node: 'n2' })]);
    expect(ranked.map((r) => r.rank)).toEqual([1, 2]);
    expect(deleteBefore(ranked[1]!, ranked[0]!, now)).toBe(true);
  });

  it('prefers ready for less time, on a log scale with uid tie-break', () => {
    const young = pod({ name: 'young', uid: 'z', node: 'n', readySince: 1_000 });
    const old = pod({ name: 'old', uid: 'a', node: 'n', readySince: 3_600_000 });
    expect(first(young, old)).toBe(true);
    expect(first(old, young)).toBe(false);
    // 10 and 11 minutes fall in the same power-of-two bucket: the lower uid goes first.
    const p10 = pod({ name: 'p10', uid: 'b', node: 'n', readySince: 10 * 60_000 });
    const p11 = pod({ name: 'p11', uid: 'a', node: 'n', readySince: 11 * 60_000 });
    expect(first(p11, p10)).toBe(true);
    expect(first(p10, p11)).toBe(false);
  });

  it('prefers more restarts, then newer pods', () => {
    expect(first(pod({ name: 'a', node: 'n', restarts: 3 }), pod({ name: 'b', node: 'n', restarts: 1 }))).toBe(true);
    expect(first(pod({ name: 'a', uid: 'z', node: 'n', createdAgo: 1000 }), pod({ name: 'b', uid: 'a', node: 'n', createdAgo: 86_400_000 }))).toBe(true);
    expect(first(pod({ name: 'a', node: 'n' }), pod({ name: 'a', node: 'n' }))).toBe(false);
  });

  it('podsToDelete picks the most deletable pods', () => {
    const running = pod({ name: 'running', node: 'n', readySince: 60_000 });
    const pending = pod({ name: 'pending', node: 'n', phase: 'Pending' });
    const unscheduled = pod({ name: 'unscheduled', phase: 'Pending' });
    const notReady = pod({ name: 'not-ready', node: 'n' });
    const all = [running, pending, unscheduled, notReady];
    expect(podsToDelete(all, all, 3, now).map((p) => p.metadata.name)).toEqual(['unscheduled', 'pending', 'not-ready']);
    expect(podsToDelete(all, all, 9, now)).toHaveLength(4);
  });
});
