import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/object-meta.js';
import { deletionConditions, mergeConditions, remainingCount, sameConditions, type DeletionPass } from './namespace-conditions.js';

const obj = (name: string, finalizers?: string[]): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, finalizers } });

describe('namespace deletion conditions', () => {
  it('reports remaining content, its finalizers and failures as Kubernetes words them', () => {
    const pass: DeletionPass = {
      remaining: new Map([
        ['pods', [obj('a', ['example.com/hold']), obj('b')]],
        ['configmaps', []],
      ]),
      failures: new Map([['secrets', 'boom']]),
    };
    expect(remainingCount(pass)).toBe(2);
    const byType = Object.fromEntries(deletionConditions(pass).map((c) => [c.type, c]));
    expect(byType.NamespaceContentRemaining).toMatchObject({ status: 'True', reason: 'SomeResourcesRemain', message: 'Some resources are remaining: pods has 2 resource instances' });
    expect(byType.NamespaceFinalizersRemaining).toMatchObject({ status: 'True', message: 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances' });
    expect(byType.NamespaceDeletionContentFailure).toMatchObject({ status: 'True', reason: 'ContentDeletionFailed' });
    expect(byType.NamespaceDeletionContentFailure!.message).toContain('secrets: boom');
  });

  it('says all clear when nothing is left', () => {
    const conds = deletionConditions({ remaining: new Map([['pods', []]]), failures: new Map() });
    expect(conds.map((c) => c.status)).toEqual(['False', 'False', 'False', 'False', 'False']);
    expect(conds.find((c) => c.type === 'NamespaceContentRemaining')?.reason).toBe('ContentRemoved');
  });

  it('keeps the transition time of conditions whose status held, and compares without timestamps', () => {
    const first = mergeConditions(undefined, [{ type: 'A', status: 'True', reason: 'r', message: 'm1' }], 't1');
    const second = mergeConditions(first, [{ type: 'A', status: 'True', reason: 'r', message: 'm2' }], 't2');
    const third = mergeConditions(second, [{ type: 'A', status: 'False', reason: 'r', message: 'm2' }], 't3');
    expect(second[0]!.lastTransitionTime).toBe('t1');
    expect(third[0]!.lastTransitionTime).toBe('t3');
    expect(sameConditions(first, mergeConditions(first, [{ type: 'A', status: 'True', reason: 'r', message: 'm1' }], 't9'))).toBe(true);
    expect(sameConditions(first, second)).toBe(false);
  });
});
