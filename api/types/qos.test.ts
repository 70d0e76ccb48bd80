import { describe, expect, it } from 'vitest';
import { PodSpec } from './pod.js';
import { podQOSClass } from './qos.js';
import { parseQuantity } from './quantity.js';

function spec(resources: Record<string, unknown>[]) {
  return PodSpec.parse({ containers: resources.map((r, i) => ({ name: `c${i}`, image: 'x', resources: r })) });
}

describe('parseQuantity', () => {
  it('reads decimal, binary and exponent suffixes', () => {
    expect(parseQuantity('100m')).toBeCloseTo(0.1);
    expect(parseQuantity('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(parseQuantity('128M')).toBe(128e6);
    expect(parseQuantity('2e3')).toBe(2000);
    expect(parseQuantity(4)).toBe(4);
    expect(parseQuantity('lots')).toBeUndefined();
  });
});

describe('podQOSClass', () => {
  it('is BestEffort without requests or limits', () => {
    expect(podQOSClass(spec([{}]))).toBe('BestEffort');
  });

  it('is Guaranteed when every container has equal cpu and memory requests and limits', () => {
    expect(podQOSClass(spec([{ limits: { cpu: '500m', memory: '128Mi' } }]))).toBe('Guaranteed');
    expect(podQOSClass(spec([{ requests: { cpu: 0.5, memory: '128Mi' }, limits: { cpu: '500m', memory: '128Mi' } }]))).toBe('Guaranteed');
  });

  it('is Burstable otherwise', () => {
    expect(podQOSClass(spec([{ requests: { cpu: '100m' } }]))).toBe('Burstable');
    expect(podQOSClass(spec([{ limits: { cpu: '1', memory: '1Gi' } }, {}]))).toBe('Burstable');
  });
});
