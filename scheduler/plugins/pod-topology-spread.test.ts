import { describe, expect, it } from 'vitest';
import type { Pod } from '../../api/types/pod.js';
import { makeNode, makePod } from '../test-objects.js';
import { runFilter, runScore } from './plugin-test-helpers.js';
import { podTopologySpreadFilter, podTopologySpreadScore, ZONE_KEY } from './pod-topology-spread.js';

const nodes = [
  makeNode('a1', { labels: { [ZONE_KEY]: 'a' } }),
  makeNode('a2', { labels: { [ZONE_KEY]: 'a' } }),
  makeNode('b1', { labels: { [ZONE_KEY]: 'b' } }),
  makeNode('nozone'),
];
const SKEW = "node(s) didn't match pod topology spread constraints";
const LABEL = "node(s) didn't match pod topology spread constraints (missing required label)";
const web = (name: string, nodeName?: string) => makePod(name, { nodeName, labels: { app: 'web' } });
const spread = (maxSkew: number, when: 'DoNotSchedule' | 'ScheduleAnyway', key = ZONE_KEY, extra: Partial<Pod['spec']> = {}): Pod => {
  const pod = makePod('p', {
    labels: { app: 'web' },
    topologySpreadConstraints: [{ maxSkew, topologyKey: key, whenUnsatisfiable: when, labelSelector: { matchLabels: { app: 'web' } } }],
  });
  Object.assign(pod.spec, extra);
  return pod;
};

describe('PodTopologySpread filter (DoNotSchedule)', () => {
  it.each<[string, Pod, Pod[], Record<string, string> | 'skip']>([
    ['no constraints: skipped', makePod('p'), [], 'skip'],
    ['ScheduleAnyway is not a filter', spread(1, 'ScheduleAnyway'), [], 'skip'],
    ['empty cluster: any zoned node', spread(1, 'DoNotSchedule'), [], { a1: '', a2: '', b1: '', nozone: LABEL }],
    ['zone a has 1, b has 0: only b keeps skew ≤ 1', spread(1, 'DoNotSchedule'), [web('w1', 'a1')], { a1: SKEW, a2: SKEW, b1: '', nozone: LABEL }],
    ['maxSkew 2 allows a again', spread(2, 'DoNotSchedule'), [web('w1', 'a1')], { a1: '', a2: '', b1: '', nozone: LABEL }],
    ['balanced 1/1: both zones fit', spread(1, 'DoNotSchedule'), [web('w1', 'a1'), web('w2', 'b1')], { a1: '', a2: '', b1: '', nozone: LABEL }],
    ['pods not matching the selector do not count', spread(1, 'DoNotSchedule'), [makePod('x', { nodeName: 'a1', labels: { app: 'db' } })], { a1: '', a2: '', b1: '', nozone: LABEL }],
  ])('%s', (_name, pod, existing, want) => {
    expect(runFilter(podTopologySpreadFilter, pod, nodes, existing)).toEqual(want);
  });

  it('honours the pod node affinity when counting domains', () => {
    // Only zone a is eligible: its minimum is itself, so it is not skewed against b.
    const pod = spread(1, 'DoNotSchedule', ZONE_KEY, { nodeSelector: { [ZONE_KEY]: 'a' } });
    expect(runFilter(podTopologySpreadFilter, pod, nodes, [web('w1', 'a1')])).toMatchObject({ a1: '', a2: '' });
  });

  it('spreads over hostnames', () => {
    const pod = spread(1, 'DoNotSchedule', 'kubernetes.io/hostname');
    expect(runFilter(podTopologySpreadFilter, pod, nodes, [web('w1', 'a1')])).toEqual({ a1: SKEW, a2: '', b1: '', nozone: '' });
  });
});

describe('PodTopologySpread score', () => {
  it.each<[string, Pod, Pod[], Record<string, number> | 'skip']>([
    ['no constraints and no owner: skipped', makePod('p'), [], 'skip'],
    // counts a:2 b:0; weight log(2+2); a: 2*1.386 → 3, b: 0 → 100*(3+0-0)/3 = 100, a: 100*(3+0-3)/3 = 0
    ['fewer matching pods in the zone is better', spread(1, 'ScheduleAnyway'), [web('w1', 'a1'), web('w2', 'a2')], { a1: 0, a2: 0, b1: 100, nozone: 0 }],
    ['nothing placed yet: all equal', spread(1, 'ScheduleAnyway'), [], { a1: 100, a2: 100, b1: 100, nozone: 0 }],
  ])('%s', (_name, pod, existing, want) => {
    expect(runScore(podTopologySpreadScore, pod, nodes, existing)).toEqual(want);
  });

  it('spreads pods of the same owner by default (hostname and zone)', () => {
    const mine = (name: string, nodeName?: string) => makePod(name, { nodeName, ownerUid: 'rs-1' });
    const existing = [mine('m1', 'a1'), mine('m2', 'a1'), makePod('other', { nodeName: 'b1', ownerUid: 'rs-2' })];
    const scores = runScore(podTopologySpreadScore, mine('p'), nodes, existing);
    if (scores === 'skip') throw new Error('skipped');
    expect(scores.b1).toBe(100);
    expect(scores.a2).toBeGreaterThan(scores.a1!);
    expect(scores.b1).toBeGreaterThan(scores.a2!);
  });
});
