import { describe, expect, it } from 'vitest';
import { makeNode, makePod } from '../test-objects.js';
import { balancedAllocationScore } from './balanced-allocation.js';
import { leastAllocatedScore, nodeResourcesFitFilter } from './node-resources-fit.js';
import { runFilter, runScore } from './plugin-test-helpers.js';

describe('NodeResourcesFit filter', () => {
  const nodes = [makeNode('n', { cpu: '2', memory: '4Gi', pods: 3, ephemeralStorage: '10Gi', extra: { 'example.com/gpu': '1' } })];
  const existing = [makePod('e1', { nodeName: 'n', cpu: '1500m', memory: '3Gi' })];
  it.each<[string, ReturnType<typeof makePod>, string]>([
    ['fits exactly to allocatable', makePod('p', { cpu: '500m', memory: '1Gi' }), ''],
    ['one millicore too many', makePod('p', { cpu: '501m' }), 'Insufficient cpu'],
    ['one byte too many', makePod('p', { memory: `${2 ** 30 + 1}` }), 'Insufficient memory'],
    ['both short: both reported', makePod('p', { cpu: '1', memory: '2Gi' }), 'Insufficient cpu; Insufficient memory'],
    ['no requests always fits while pods remain', makePod('p'), ''],
  ])('%s', (_name, pod, want) => {
    expect(runFilter(nodeResourcesFitFilter, pod, nodes, existing)).toEqual({ n: want });
  });

  it('counts pods against allocatable pods', () => {
    const full = [makePod('a', { nodeName: 'n' }), makePod('b', { nodeName: 'n' }), makePod('c', { nodeName: 'n' })];
    expect(runFilter(nodeResourcesFitFilter, makePod('p'), nodes, full)).toEqual({ n: 'Too many pods' });
  });

  it('checks ephemeral-storage and extended resources', () => {
    const pod = makePod('p');
    pod.spec.containers[0]!.resources = { requests: { 'ephemeral-storage': '11Gi', 'example.com/gpu': '2' } };
    expect(runFilter(nodeResourcesFitFilter, pod, nodes)).toEqual({ n: 'Insufficient ephemeral-storage; Insufficient example.com/gpu' });
    pod.spec.containers[0]!.resources = { requests: { 'example.com/gpu': '1' } };
    expect(runFilter(nodeResourcesFitFilter, pod, nodes)).toEqual({ n: '' });
  });

  it('counts init containers as Kubernetes does', () => {
    const pod = makePod('p', { cpu: '100m', initContainers: [{ name: 'i', image: 'x', resources: { requests: { cpu: '600m' } } }] as never });
    expect(runFilter(nodeResourcesFitFilter, pod, nodes, existing)).toEqual({ n: 'Insufficient cpu' });
  });
});

describe('LeastAllocated score', () => {
  const nodes = [makeNode('empty', { cpu: '4', memory: '8Gi' }), makeNode('half', { cpu: '4', memory: '8Gi' }), makeNode('big', { cpu: '8', memory: '16Gi' })];
  const pods = [makePod('x', { nodeName: 'half', cpu: '2', memory: '4Gi' })];
  it.each<[string, ReturnType<typeof makePod>, Record<string, number>]>([
    // (4000-1000)/4000 = 75, (8Gi-2Gi)/8Gi = 75 → 75; half: (4000-3000)/4000=25 ...; big: 87, 87
    ['free share after placing, averaged', makePod('p', { cpu: '1', memory: '2Gi' }), { empty: 75, half: 25, big: 87 }],
    // a pod without requests counts as 100m / 200Mi
    ['non-zero defaults for a best-effort pod', makePod('p'), { empty: 97, half: 47, big: 98 }],
  ])('%s', (_name, pod, want) => {
    expect(runScore(leastAllocatedScore, pod, nodes, pods)).toEqual(want);
  });
});

describe('BalancedAllocation score', () => {
  const nodes = [makeNode('a', { cpu: '4', memory: '4Gi' }), makeNode('b', { cpu: '4', memory: '4Gi' })];
  const pods = [makePod('x', { nodeName: 'b', cpu: '2' })];
  it.each<[string, ReturnType<typeof makePod>, Record<string, number> | 'skip']>([
    ['a pod without requests: skipped', makePod('p'), 'skip'],
    // a: cpu 1/4, mem 1/4 → balanced 100; b: cpu 3/4, mem 1/4 → std 0.25 → 75
    ['equal shares score 100', makePod('p', { cpu: '1', memory: '1Gi' }), { a: 100, b: 75 }],
    // a: cpu 2/4, mem 0 → 75; b: cpu 4/4, mem 0 → 50
    ['cpu only', makePod('p', { cpu: '2' }), { a: 75, b: 50 }],
  ])('%s', (_name, pod, want) => {
    expect(runScore(balancedAllocationScore, pod, nodes, pods)).toEqual(want);
  });
});
