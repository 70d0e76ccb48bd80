import { describe, expect, it } from 'vitest';
import { containerCells, formatLabelSelector, formatLabels, joinHostPort, labelSelectorString } from './format.js';

describe('formatLabels', () => {
  it('sorts keys and joins key=value pairs', () => {
    expect(formatLabels({ tier: 'web', app: 'shop' })).toBe('app=shop,tier=web');
  });
  it('prints <none> for an empty or missing map', () => {
    expect(formatLabels({})).toBe('<none>');
    expect(formatLabels(undefined)).toBe('<none>');
    expect(formatLabels(null)).toBe('<none>');
  });
});

describe('label selectors', () => {
  it('prints match labels and expressions sorted by key, values sorted', () => {
    const selector = {
      matchLabels: { tier: 'frontend', app: 'web' },
      matchExpressions: [
        { key: 'env', operator: 'In', values: ['prod', 'canary'] },
        { key: 'zone', operator: 'NotIn', values: ['b'] },
        { key: 'legacy', operator: 'DoesNotExist' },
        { key: 'owner', operator: 'Exists', values: [] },
      ],
    };
    expect(labelSelectorString(selector)).toBe('app=web,env in (canary,prod),!legacy,owner,tier=frontend,zone notin (b)');
    expect(formatLabelSelector(selector)).toBe('app=web,env in (canary,prod),!legacy,owner,tier=frontend,zone notin (b)');
  });
  it('distinguishes an empty selector from an unparsable one', () => {
    expect(labelSelectorString(undefined)).toBe('');
    expect(labelSelectorString({})).toBe('');
    expect(formatLabelSelector({})).toBe('<none>');
    expect(labelSelectorString({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] })).toBeUndefined();
    expect(labelSelectorString({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] })).toBeUndefined();
    expect(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Near' }] })).toBe('<error>');
  });
});

describe('containerCells', () => {
  it('joins names and images in container order', () => {
    expect(
      containerCells([
        { name: 'app', image: 'nginx:1.27' },
        { name: 'sidecar', image: 'busybox' },
      ]),
    ).toEqual({ names: 'app,sidecar', images: 'nginx:1.27,busybox' });
    expect(containerCells(undefined)).toEqual({ names: '', images: '' });
  });
});

describe('joinHostPort', () => {
  it('brackets IPv6 hosts', () => {
    expect(joinHostPort('10.0.0.1', 80)).toBe('10.0.0.1:80');
    expect(joinHostPort('fd00::1', 443)).toBe('[fd00::1]:443');
  });
});
