import { describe, expect, it } from 'vitest';
import type { Pod } from '../../api/types/pod.js';
import { makeNode, makePod } from '../test-objects.js';
import { interPodAffinityFilter, interPodAffinityScore } from './inter-pod-affinity.js';
import { runFilter, runScore } from './plugin-test-helpers.js';

const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';
const nodes = [
  makeNode('a1', { labels: { [ZONE]: 'a' } }),
  makeNode('a2', { labels: { [ZONE]: 'a' } }),
  makeNode('b1', { labels: { [ZONE]: 'b' } }),
  makeNode('nozone'),
];
const term = (app: string, topologyKey: string) => ({ labelSelector: { matchLabels: { app } }, topologyKey });
const AFF = "node(s) didn't match pod affinity rules";
const ANTI = "node(s) didn't match pod anti-affinity rules";
const EXISTING = "node(s) didn't satisfy existing pods anti-affinity rules";

const withAffinity = (name: string, labels: Record<string, string>, a: Pod['spec']['affinity'], nodeName?: string) =>
  makePod(name, { labels, affinity: a, nodeName });

describe('InterPodAffinity filter', () => {
  const db = makePod('db', { nodeName: 'a1', labels: { app: 'db' } });
  it.each<[string, Pod, Pod[], Record<string, string> | 'skip']>([
    ['no terms anywhere: skipped', makePod('p'), [db], 'skip'],
    [
      'required affinity to db in the same zone',
      withAffinity('p', { app: 'web' }, { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db', ZONE)] } }),
      [db],
      { a1: '', a2: '', b1: AFF, nozone: AFF },
    ],
    [
      'required affinity on the same host',
      withAffinity('p', { app: 'web' }, { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db', HOST)] } }),
      [db],
      { a1: '', a2: AFF, b1: AFF, nozone: AFF },
    ],
    [
      'the first pod of a group matching its own affinity may go anywhere with the key',
      withAffinity('p', { app: 'db' }, { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db', ZONE)] } }),
      [],
      { a1: '', a2: '', b1: '', nozone: AFF },
    ],
    [
      'required anti-affinity by zone',
      withAffinity('p', { app: 'db' }, { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db', ZONE)] } }),
      [db],
      { a1: ANTI, a2: ANTI, b1: '', nozone: '' },
    ],
    [
      "an existing pod's anti-affinity keeps matching pods out of its domain",
      makePod('p', { labels: { app: 'web' } }),
      [withAffinity('guard', { app: 'guard' }, { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web', HOST)] } }, 'b1')],
      { a1: '', a2: '', b1: EXISTING, nozone: '' },
    ],
    [
      'terms look only in the pod namespace by default',
      withAffinity('p', { app: 'db' }, { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db', ZONE)] } }),
      [makePod('other', { nodeName: 'a1', labels: { app: 'db' }, namespace: 'other' })],
      { a1: '', a2: '', b1: '', nozone: '' },
    ],
  ])('%s', (_name, pod, existing, want) => {
    expect(runFilter(interPodAffinityFilter, pod, nodes, existing)).toEqual(want);
  });
});

describe('InterPodAffinity score', () => {
  const pods = [makePod('db', { nodeName: 'a1', labels: { app: 'db' } }), makePod('cache', { nodeName: 'b1', labels: { app: 'cache' } })];
  const preferred = (aff: { app: string; weight: number }[], anti: { app: string; weight: number }[]) =>
    makePod('p', {
      affinity: {
        podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: aff.map((t) => ({ weight: t.weight, podAffinityTerm: term(t.app, ZONE) })) },
        podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: anti.map((t) => ({ weight: t.weight, podAffinityTerm: term(t.app, ZONE) })) },
      },
    });
  it.each<[string, Pod, Record<string, number> | 'skip']>([
    ['no terms: skipped', makePod('p'), 'skip'],
    ['preferred affinity: the zone with db wins', preferred([{ app: 'db', weight: 10 }], []), { a1: 100, a2: 100, b1: 0, nozone: 0 }],
    // a: +10, b: −5 → min −5, max 10: a=100, b=0, nozone (0) = 33
    ['affinity and anti-affinity, min–max normalised', preferred([{ app: 'db', weight: 10 }], [{ app: 'cache', weight: 5 }]), { a1: 100, a2: 100, b1: 0, nozone: 33 }],
  ])('%s', (_name, pod, want) => {
    expect(runScore(interPodAffinityScore, pod, nodes, pods)).toEqual(want);
  });

  it("counts existing pods' preferred terms that match the incoming pod", () => {
    const lover = makePod('lover', {
      nodeName: 'b1',
      labels: { app: 'x' },
      affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 7, podAffinityTerm: term('web', HOST) }] } },
    });
    expect(runScore(interPodAffinityScore, makePod('p', { labels: { app: 'web' } }), nodes, [lover])).toEqual({ a1: 0, a2: 0, b1: 100, nozone: 0 });
  });
});
