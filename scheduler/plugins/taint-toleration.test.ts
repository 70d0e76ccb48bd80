import { describe, expect, it } from 'vitest';
import type { Toleration } from '../../api/types/affinity.js';
import { makeNode, makePod } from '../test-objects.js';
import { runFilter, runScore } from './plugin-test-helpers.js';
import { taintTolerationFilter, taintTolerationScore } from './taint-toleration.js';
import { toleratesTaint } from './tolerations.js';

describe('toleratesTaint', () => {
  const taint = { key: 'k', value: 'v', effect: 'NoSchedule' as const };
  it.each<[Toleration, boolean]>([
    [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' }, true],
    [{ key: 'k', value: 'v' }, true], // Equal by default, any effect
    [{ key: 'k', value: 'w' }, false],
    [{ key: 'k', operator: 'Exists' }, true],
    [{ key: 'k', operator: 'Exists', effect: 'NoExecute' }, false],
    [{ operator: 'Exists' }, true],
    [{ key: 'other', operator: 'Exists' }, false],
  ])('%j → %s', (t, want) => {
    expect(toleratesTaint(t, taint)).toBe(want);
  });
});

describe('TaintToleration filter', () => {
  const nodes = [
    makeNode('clean'),
    makeNode('nosched', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
    makeNode('noexec', { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] }),
    makeNode('prefer', { taints: [{ key: 'soft', value: 'x', effect: 'PreferNoSchedule' }] }),
  ];
  it.each<[string, Toleration[] | undefined, Record<string, string>]>([
    [
      'no tolerations',
      undefined,
      {
        clean: '',
        nosched: 'node(s) had untolerated taint {dedicated: gpu}',
        noexec: 'node(s) had untolerated taint {node.kubernetes.io/unreachable: }',
        prefer: '',
      },
    ],
    [
      'tolerating dedicated=gpu',
      [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
      { clean: '', nosched: '', noexec: 'node(s) had untolerated taint {node.kubernetes.io/unreachable: }', prefer: '' },
    ],
    ['tolerating everything', [{ operator: 'Exists' }], { clean: '', nosched: '', noexec: '', prefer: '' }],
  ])('%s', (_name, tolerations, want) => {
    expect(runFilter(taintTolerationFilter, makePod('p', { tolerations }), nodes)).toEqual(want);
  });
});

describe('TaintToleration score', () => {
  const soft = (key: string) => ({ key, effect: 'PreferNoSchedule' as const });
  const nodes = [makeNode('none'), makeNode('one', { taints: [soft('a')] }), makeNode('two', { taints: [soft('a'), soft('b')] })];
  it.each<[string, Toleration[] | undefined, Record<string, number>]>([
    ['fewer untolerated soft taints score higher (reverse normalised)', undefined, { none: 100, one: 50, two: 0 }],
    ['tolerated soft taints do not count', [{ key: 'a', operator: 'Exists', effect: 'PreferNoSchedule' }], { none: 100, one: 100, two: 0 }],
    ['a NoSchedule toleration does not apply to PreferNoSchedule', [{ key: 'a', operator: 'Exists', effect: 'NoSchedule' }], { none: 100, one: 50, two: 0 }],
    ['no untolerated taints anywhere: all 100', [{ operator: 'Exists' }], { none: 100, one: 100, two: 100 }],
  ])('%s', (_name, tolerations, want) => {
    expect(runScore(taintTolerationScore, makePod('p', { tolerations }), nodes)).toEqual(want);
  });
});
