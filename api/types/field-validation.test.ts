import { describe, expect, it } from 'vitest';
import { isValidPortName, selectorMatches, validateCIDR, validateQuantity } from './field-validation.js';

describe('isValidPortName', () => {
  it('follows the IANA service name rules', () => {
    expect(isValidPortName('http')).toEqual([]);
    expect(isValidPortName('metrics-9090')).toEqual([]);
    expect(isValidPortName('123')).toEqual(['must contain at least one letter (a-z)']);
    expect(isValidPortName('a--b')).toEqual(['must not contain consecutive hyphens']);
    expect(isValidPortName('Http')).toEqual(['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)']);
    expect(isValidPortName('a-very-long-port-name')).toEqual(['must be no more than 15 characters']);
  });
});

describe('selectorMatches', () => {
  it('ANDs matchLabels and every operator', () => {
    const labels = { app: 'web', tier: 'front' };
    expect(selectorMatches({ matchLabels: { app: 'web' } }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'Exists' }] }, labels)).toBe(false);
  });
});

describe('validateQuantity and validateCIDR', () => {
  it('accepts Kubernetes quantities', () => {
    for (const q of ['100m', '1', '1.5Gi', '2e3', '128Mi', 4]) expect(validateQuantity(q, 'f')).toEqual([]);
    expect(validateQuantity('1 GB', 'f')).toHaveLength(1);
    expect(validateQuantity('-1', 'f')[0]?.message).toBe('Invalid value: "-1": must be greater than or equal to 0');
  });

  it('accepts IPv4 and IPv6 CIDRs only', () => {
    expect(validateCIDR('10.244.0.0/16', 'f')).toEqual([]);
    expect(validateCIDR('fd00::/64', 'f')).toEqual([]);
    expect(validateCIDR('10.244.0.0', 'f')).toHaveLength(1);
    expect(validateCIDR('10.244.0.0/x', 'f')).toHaveLength(1);
  });
});
