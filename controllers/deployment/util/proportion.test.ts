import { describe, expect, it } from 'vitest';
import type { ReplicaSet } from '../../../api/types/workloads.js';
import { testDeployment } from '../memory-env.js';
import { planProportionalScaling, proportionFor, roundHalfAwayFromZero } from './proportion.js';

function rs(name: string, replicas: number, maxReplicas: number, created: string): ReplicaSet {
  return {
    metadata: { name, creationTimestamp: created, annotations: { 'deployment.kubernetes.io/max-replicas': String(maxReplicas) } },
    spec: { replicas },
  } as unknown as ReplicaSet;
}

describe('proportional scaling', () => {
  it('rounds halves away from zero as Go does', () => {
    expect(roundHalfAwayFromZero(2.5)).toBe(3);
    expect(roundHalfAwayFromZero(-2.5)).toBe(-3);
    expect(roundHalfAwayFromZero(-2.4)).toBe(-2);
  });

  it('shares a scale-up in proportion to the ReplicaSet sizes (10 → 20 mid-rollout)', () => {
    // Mid-rollout of 10 replicas with 25% surge: max 13, old 8 + new 5.
    const old = rs('web-old', 8, 13, '2026-01-01T00:00:00Z');
    const cur = rs('web-new', 5, 13, '2026-01-01T00:01:00Z');
    const d = testDeployment({ replicas: 20 }); // new max: 20 + 5 = 25, 12 to add
    const plan = planProportionalScaling(d, [old, cur]);
    expect(plan.operation).toBe('up');
    // old: round(8·25/13) − 8 = 7, new: round(5·25/13) − 5 = 5.
    expect(plan.sizes.map((s) => [s.rs.metadata.name, s.size])).toEqual([
      ['web-old', 15],
      ['web-new', 10],
    ]);
  });

  it('shares a scale-down and gives the rounding leftover to the largest (oldest on a tie)', () => {
    const old = rs('web-old', 3, 7, '2026-01-01T00:00:00Z');
    const cur = rs('web-new', 3, 7, '2026-01-01T00:01:00Z');
    const d = testDeployment({ replicas: 2 }); // max 2 + 1 = 3, 3 to remove
    const plan = planProportionalScaling(d, [cur, old]);
    expect(plan.operation).toBe('down');
    // Each: round(3·3/7) − 3 = −2; the first (old, on the tie) takes −2, the new one max(−2, −1) = −1.
    expect(plan.sizes.map((s) => [s.rs.metadata.name, s.size])).toEqual([
      ['web-old', 1],
      ['web-new', 2],
    ]);
    expect(plan.sizes.reduce((n, s) => n + s.size, 0)).toBe(3);
  });

  it('scales everything to zero when the deployment goes to zero', () => {
    const d = testDeployment({ replicas: 0 });
    const a = rs('a', 4, 13, '2026-01-01T00:00:00Z');
    expect(proportionFor(a, d, -9, 0)).toBe(-4);
    const plan = planProportionalScaling(d, [a, rs('b', 5, 13, '2026-01-01T00:01:00Z')]);
    expect(plan.sizes.map((s) => s.size)).toEqual([0, 0]);
  });
});
