import { describe, expect, it } from 'vitest';
import { makeNode, makePod } from '../test-objects.js';
import { nodeAffinityFilter, nodeAffinityScore } from './node-affinity.js';
import { runFilter, runScore } from './plugin-test-helpers.js';

const FAIL = "node(s) didn't match Pod's node affinity/selector";
const nodes = [
  makeNode('n1', { labels: { zone: 'a', disk: 'ssd', cores: '8' } }),
  makeNode('n2', { labels: { zone: 'b', cores: '16' } }),
  makeNode('n3', { labels: { zone: 'c', gpu: 'yes' } }),
];
type Req = { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt'; values?: string[] };
const required = (...terms: { matchExpressions?: Req[]; matchFields?: Req[] }[]) =>
  makePod('p', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } });

/** The names of the nodes that fit. */
function fits(pod: ReturnType<typeof makePod>): string[] | 'skip' {
  const r = runFilter(nodeAffinityFilter, pod, nodes);
  if (r === 'skip') return r;
  for (const v of Object.values(r)) if (v !== '') expect(v).toBe(FAIL);
  return Object.keys(r).filter((k) => r[k] === '');
}

describe('NodeAffinity filter', () => {
  it.each<[string, ReturnType<typeof makePod>, string[] | 'skip']>([
    ['nothing required: skipped', makePod('p'), 'skip'],
    ['nodeSelector', makePod('p', { nodeSelector: { disk: 'ssd' } }), ['n1']],
    ['nodeSelector with two labels', makePod('p', { nodeSelector: { disk: 'ssd', zone: 'b' } }), []],
    ['In', required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'c'] }] }), ['n1', 'n3']],
    ['NotIn (missing label matches)', required({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }), ['n2', 'n3']],
    ['Exists', required({ matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }), ['n3']],
    ['DoesNotExist', required({ matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }), ['n1', 'n2']],
    ['Gt', required({ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['8'] }] }), ['n2']],
    ['Lt', required({ matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['10'] }] }), ['n1']],
    ['Gt with a non-integer value matches nothing', required({ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['x'] }] }), []],
    ['requirements in a term are ANDed', required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }, { key: 'disk', operator: 'Exists' }] }), ['n1']],
    [
      'terms are ORed',
      required({ matchExpressions: [{ key: 'disk', operator: 'Exists' }] }, { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }),
      ['n1', 'n3'],
    ],
    ['matchFields metadata.name', required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] }), ['n2']],
    ['matchFields NotIn', required({ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n2'] }] }), ['n1', 'n3']],
    ['an empty term matches nothing', required({}), []],
  ])('%s', (_name, pod, want) => {
    expect(fits(pod)).toEqual(want);
  });

  it('nodeSelector and affinity must both hold', () => {
    const pod = required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] });
    pod.spec.nodeSelector = { cores: '16' };
    expect(fits(pod)).toEqual(['n2']);
  });
});

describe('NodeAffinity score', () => {
  const preferred = (...p: { weight: number; key: string; value: string }[]) =>
    makePod('p', {
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: p.map((x) => ({
            weight: x.weight,
            preference: { matchExpressions: [{ key: x.key, operator: 'In' as const, values: [x.value] }] },
          })),
        },
      },
    });
  it.each<[string, ReturnType<typeof makePod>, Record<string, number> | 'skip']>([
    ['no preferences: skipped', makePod('p'), 'skip'],
    ['one preference: matching node gets 100', preferred({ weight: 5, key: 'zone', value: 'b' }), { n1: 0, n2: 100, n3: 0 }],
    [
      'weights are summed then normalised to the best',
      preferred({ weight: 20, key: 'zone', value: 'a' }, { weight: 60, key: 'disk', value: 'ssd' }, { weight: 40, key: 'gpu', value: 'yes' }),
      { n1: 100, n2: 0, n3: 50 },
    ],
  ])('%s', (_name, pod, want) => {
    expect(runScore(nodeAffinityScore, pod, nodes)).toEqual(want);
  });
});
