import { describe, expect, it } from 'vitest';
import { SchedulerCache } from './cache.js';
import { numFeasibleNodesToFind, SchedulingAlgorithm } from './algorithm.js';
import { defaultNormalize, failure, type FilterPlugin, type Profile, type ScorePlugin } from './framework.js';
import { FitError, fitErrorMessage } from './fit-error.js';
import { newPodInfo } from './pod-info.js';
import { defaultProfile } from './plugins/index.js';
import { makeNode, makePod } from './test-objects.js';

describe('defaultNormalize', () => {
  it.each<[number[], boolean, number[]]>([
    [[0, 5, 10], false, [0, 50, 100]],
    [[1, 3], false, [33, 100]],
    [[0, 0], false, [0, 0]],
    [[0, 5, 10], true, [100, 50, 0]],
    [[0, 0], true, [100, 100]],
  ])('%j reverse=%s → %j', (input, reverse, want) => {
    const s = Float64Array.from(input);
    defaultNormalize(s, s.length, reverse);
    expect([...s]).toEqual(want);
  });
});

describe('numFeasibleNodesToFind (adaptive percentageOfNodesToScore)', () => {
  it.each([
    [50, 50],
    [99, 99],
    [100, 100], // 50% − 0 = 50 nodes, but at least 100
    [1000, 420], // 50 − 8 = 42%
    [5000, 500], // 50 − 40 = 10%
    [6000, 300], // 50 − 48 < 5 → 5%
  ])('%i nodes → %i', (n, want) => {
    expect(numFeasibleNodesToFind(n)).toBe(want);
  });
  it('honours an explicit percentage', () => {
    expect(numFeasibleNodesToFind(1000, 100)).toBe(1000);
    expect(numFeasibleNodesToFind(1000, 20)).toBe(200);
  });
});

/** A score plugin that returns a fixed raw score per node name. */
const fixed = (name: string, raw: Record<string, number>, normalize?: ScorePlugin['normalize']): ScorePlugin => ({
  name,
  score: (_s, _p, node) => raw[node.name] ?? 0,
  normalize,
});

function cacheOf(...names: string[]): SchedulerCache {
  const cache = new SchedulerCache();
  for (const n of names) cache.addOrUpdateNode(makeNode(n));
  return cache;
}

describe('weighted scoring', () => {
  it('multiplies normalised scores by plugin weights and sums them', () => {
    const profile: Profile = {
      filters: [],
      scores: [
        { plugin: fixed('A', { x: 10, y: 0 }, (_s, sc, n) => defaultNormalize(sc, n, false)), weight: 1 },
        { plugin: fixed('B', { x: 1, y: 2 }, (_s, sc, n) => defaultNormalize(sc, n, false)), weight: 3 },
      ],
    };
    // A normalised: x 100, y 0; B normalised: x 50, y 100 → x: 100 + 150 = 250; y: 0 + 300 = 300
    const algo = new SchedulingAlgorithm(cacheOf('x', 'y'), profile);
    expect(algo.schedule(newPodInfo(makePod('p'))).nodeName).toBe('y');
    // With A weighted 5: x: 500 + 150 = 650; y: 300 → x
    profile.scores[0]!.weight = 5;
    expect(algo.schedule(newPodInfo(makePod('p'))).nodeName).toBe('x');
  });

  it('breaks ties at random among the best nodes', () => {
    const profile: Profile = { filters: [], scores: [{ plugin: fixed('A', { a: 5, b: 5, c: 1 }), weight: 1 }] };
    const seen = new Set<string>();
    const algo = new SchedulingAlgorithm(cacheOf('a', 'b', 'c'), profile);
    for (let i = 0; i < 50; i++) seen.add(algo.schedule(newPodInfo(makePod('p'))).nodeName);
    expect([...seen].sort()).toEqual(['a', 'b']);
  });

  it('default profile weights are kube-scheduler defaults', () => {
    const w = Object.fromEntries(defaultProfile().scores.map((s) => [s.plugin.name, s.weight]));
    expect(w).toEqual({
      TaintToleration: 3,
      NodeAffinity: 2,
      PodTopologySpread: 2,
      InterPodAffinity: 2,
      'NodeResourcesFit(LeastAllocated)': 1,
      NodeResourcesBalancedAllocation: 1,
    });
  });
});

describe('filtering and sampling', () => {
  it('stops after enough feasible nodes and continues from there next time', () => {
    const names = Array.from({ length: 1000 }, (_, i) => `n${i}`);
    const cache = cacheOf(...names);
    const algo = new SchedulingAlgorithm(cache, defaultProfile());
    const r1 = algo.schedule(newPodInfo(makePod('p1')));
    expect(r1.evaluatedNodes).toBe(420);
    expect(r1.feasibleNodes).toBe(420);
    const counted: string[] = [];
    const spy: FilterPlugin = { name: 'Spy', filter: (_s, _p, node) => (counted.push(node.name), null) };
    const algo2 = new SchedulingAlgorithm(cache, { filters: [spy], scores: [] });
    algo2.schedule(newPodInfo(makePod('a')));
    algo2.schedule(newPodInfo(makePod('b')));
    expect(counted[0]).toBe('n0');
    expect(counted[420]).toBe('n420');
  });

  it('reports every node failure in the FitError message', () => {
    const cache = new SchedulerCache();
    cache.addOrUpdateNode(makeNode('small1', { cpu: '1' }));
    cache.addOrUpdateNode(makeNode('small2', { cpu: '1' }));
    cache.addOrUpdateNode(makeNode('tainted', { cpu: '8', taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] }));
    const algo = new SchedulingAlgorithm(cache, defaultProfile());
    let err: unknown;
    try {
      algo.schedule(newPodInfo(makePod('p', { cpu: '2' })));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FitError);
    expect((err as Error).message).toBe(
      '0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 Insufficient cpu. ' +
        'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
  });

  it('no nodes at all', () => {
    expect(() => new SchedulingAlgorithm(new SchedulerCache(), defaultProfile()).schedule(newPodInfo(makePod('p')))).toThrow('no nodes available to schedule pods');
  });
});

describe('fitErrorMessage', () => {
  it('counts reasons over nodes (a node may give several) and sorts them', () => {
    const f = new Map([
      ['a', failure('NodeResourcesFit', false, 'Insufficient cpu', 'Insufficient memory')],
      ['b', failure('NodeResourcesFit', false, 'Insufficient memory')],
      ['c', failure('NodeAffinity', true, "node(s) didn't match Pod's node affinity/selector")],
    ]);
    expect(fitErrorMessage(3, f)).toBe(
      "0/3 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match Pod's node affinity/selector, 2 Insufficient memory. " +
        'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
  });
});
