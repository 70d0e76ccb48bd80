import { describe, expect, it } from 'vitest';
import type { Toleration } from '../../api/types/affinity.js';
import type { Taint } from '../../api/types/node.js';
import { TAINT_NOT_READY, TAINT_UNREACHABLE, evictionTime, readinessTaints, tolerates, withReadinessTaints } from './taints.js';

const unreachable: Taint = { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: '2026-01-01T00:00:00Z' };
const T0 = Date.parse('2026-01-01T00:00:00Z');
const since = (t: Taint) => (t.timeAdded ? Date.parse(t.timeAdded) : T0);

describe('readiness taints', () => {
  it('follows the Ready condition', () => {
    expect(readinessTaints('Unknown').map((t) => `${t.key}:${t.effect}`)).toEqual([`${TAINT_UNREACHABLE}:NoSchedule`, `${TAINT_UNREACHABLE}:NoExecute`]);
    expect(readinessTaints('False').map((t) => t.key)).toEqual([TAINT_NOT_READY, TAINT_NOT_READY]);
    expect(readinessTaints('True')).toEqual([]);
    expect(readinessTaints(undefined)).toEqual([]);
  });

  it('adds missing readiness taints with timeAdded on NoExecute, removes stale ones, keeps foreign ones', () => {
    const foreign: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
    const added = withReadinessTaints([foreign], readinessTaints('Unknown'), 'NOW')!;
    expect(added).toEqual([foreign, { key: TAINT_UNREACHABLE, effect: 'NoSchedule' }, { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: 'NOW' }]);
    expect(withReadinessTaints(added, readinessTaints('Unknown'), 'LATER')).toBeUndefined();
    const swapped = withReadinessTaints(added, readinessTaints('False'), 'LATER')!;
    expect(swapped.map((t) => t.key)).toEqual(['dedicated', TAINT_NOT_READY, TAINT_NOT_READY]);
    expect(withReadinessTaints(added, [], 'LATER')).toEqual([foreign]);
    expect(withReadinessTaints([foreign], [], 'LATER')).toBeUndefined();
  });
});

describe('tolerates', () => {
  const taint: Taint = { key: 'k', value: 'v', effect: 'NoExecute' };
  it.each<[Toleration, boolean]>([
    [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoExecute' }, true],
    [{ key: 'k', value: 'v' }, true],
    [{ key: 'k', value: 'other' }, false],
    [{ key: 'k', operator: 'Exists' }, true],
    [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }, false],
    [{ operator: 'Exists' }, true],
    [{ key: 'other', operator: 'Exists' }, false],
  ])('%j → %s', (toleration, expected) => {
    expect(tolerates(toleration, taint)).toBe(expected);
  });
});

describe('evictionTime', () => {
  it('evicts at once when a NoExecute taint is not tolerated; ignores other effects', () => {
    expect(evictionTime([unreachable], [], since)).toEqual({ kind: 'now' });
    expect(evictionTime([{ key: 'x', effect: 'NoSchedule' }], [], since)).toEqual({ kind: 'never' });
  });

  it('waits tolerationSeconds from when the taint was added', () => {
    const tol: Toleration = { key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 };
    expect(evictionTime([unreachable], [tol], since)).toEqual({ kind: 'at', at: T0 + 2000 });
  });

  it('tolerates forever without tolerationSeconds, and takes the earliest deadline across taints', () => {
    expect(evictionTime([unreachable], [{ operator: 'Exists' }], since)).toEqual({ kind: 'never' });
    const other: Taint = { key: 'maintenance', effect: 'NoExecute', timeAdded: '2026-01-01T00:00:10Z' };
    const tols: Toleration[] = [
      { key: TAINT_UNREACHABLE, operator: 'Exists', tolerationSeconds: 300 },
      { key: 'maintenance', operator: 'Exists', tolerationSeconds: 5 },
    ];
    expect(evictionTime([unreachable, other], tols, since)).toEqual({ kind: 'at', at: T0 + 15_000 });
  });

  it('uses the first matching toleration per taint, as Kubernetes does, and treats non-positive seconds as now', () => {
    const tols: Toleration[] = [
      { key: TAINT_UNREACHABLE, operator: 'Exists', tolerationSeconds: 60 },
      { operator: 'Exists' },
    ];
    expect(evictionTime([unreachable], tols, since)).toEqual({ kind: 'at', at: T0 + 60_000 });
    expect(evictionTime([unreachable], [{ operator: 'Exists', tolerationSeconds: 0 }], since)).toEqual({ kind: 'now' });
  });
});
