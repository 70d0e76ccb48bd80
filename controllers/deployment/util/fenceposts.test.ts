import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../../api/types/workloads.js';
import { maxSurge, maxUnavailable, resolveFenceposts, scaledValueFromIntOrPercent } from './fenceposts.js';

function deploy(replicas: number, surge: number | string, unavailable: number | string, type = 'RollingUpdate'): Deployment {
  return {
    spec: { replicas, strategy: { type, rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } } },
  } as unknown as Deployment;
}

describe('maxSurge / maxUnavailable', () => {
  it('scales percentages with the requested rounding; counts as is', () => {
    expect(scaledValueFromIntOrPercent('25%', 10, true)).toBe(3);
    expect(scaledValueFromIntOrPercent('25%', 10, false)).toBe(2);
    expect(scaledValueFromIntOrPercent(4, 10, false)).toBe(4);
    expect(() => scaledValueFromIntOrPercent('25', 10, true)).toThrow(/not a percentage/);
  });

  it('rounds surge up and unavailable down', () => {
    expect(resolveFenceposts('25%', '25%', 5)).toEqual({ surge: 2, unavailable: 1 });
    // 0.5 rounds up to a surge of 1 and down to 0 unavailable; the surge lets the rollout proceed.
    expect(resolveFenceposts('10%', '10%', 5)).toEqual({ surge: 1, unavailable: 0 });
  });

  it('turns both-zero into maxUnavailable 1', () => {
    expect(resolveFenceposts(0, '10%', 5)).toEqual({ surge: 0, unavailable: 1 });
    expect(resolveFenceposts(0, 0, 5)).toEqual({ surge: 0, unavailable: 1 });
  });

  it('caps unavailable at replicas, is 0 for Recreate and for zero replicas', () => {
    expect(maxUnavailable(deploy(3, 0, 5))).toBe(3);
    expect(maxUnavailable(deploy(0, 1, 1))).toBe(0);
    expect(maxUnavailable(deploy(3, 1, 1, 'Recreate'))).toBe(0);
    expect(maxSurge(deploy(3, 1, 1, 'Recreate'))).toBe(0);
    expect(maxSurge(deploy(10, '25%', '25%'))).toBe(3);
  });
});
