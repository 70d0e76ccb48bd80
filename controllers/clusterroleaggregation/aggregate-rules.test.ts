import { describe, expect, it } from 'vitest';
import type { ClusterRole, PolicyRule } from '../../api/types/rbac.js';
import { aggregatedRules, sameRule, sameRules } from './aggregate-rules.js';

function role(name: string, rules: PolicyRule[], opts: { labels?: Record<string, string>; selectors?: ClusterRole['aggregationRule'] } = {}): ClusterRole {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name, labels: opts.labels },
    rules,
    ...(opts.selectors ? { aggregationRule: opts.selectors } : {}),
  };
}

const get = (resource: string): PolicyRule => ({ verbs: ['get'], apiGroups: [''], resources: [resource] });
const toView = { 'example.com/aggregate-to-view': 'true' };
const viewSelector = { clusterRoleSelectors: [{ matchLabels: toView }] };

describe('aggregatedRules', () => {
  it('takes the rules of the selected roles sorted by name, skipping exact duplicates and itself', () => {
    const view = role('view', [], { selectors: viewSelector, labels: toView });
    const b = role('b-role', [get('pods'), get('services')], { labels: toView });
    const a = role('a-role', [get('services'), get('configmaps')], { labels: toView });
    const other = role('other', [get('secrets')]);
    expect(aggregatedRules(view, [b, view, other, a])).toEqual([get('services'), get('configmaps'), get('pods')]);
  });

  it('orders by selector first, then by name within a selector, and any selector may match', () => {
    const agg = role('agg', [], {
      selectors: { clusterRoleSelectors: [{ matchLabels: { tier: 'second' } }, { matchExpressions: [{ key: 'tier', operator: 'In', values: ['first', 'second'] }] }] },
    });
    const first = role('a', [get('a')], { labels: { tier: 'first' } });
    const second = role('z', [get('z')], { labels: { tier: 'second' } });
    expect(aggregatedRules(agg, [first, second])).toEqual([get('z'), get('a')]);
  });

  it('sorts names in byte order as Go does (upper case before lower case)', () => {
    const agg = role('agg', [], { selectors: { clusterRoleSelectors: [{ matchLabels: { x: 'y' } }] } });
    const lower = role('alpha', [get('alpha')], { labels: { x: 'y' } });
    const upper = role('Zulu', [get('zulu')], { labels: { x: 'y' } });
    expect(aggregatedRules(agg, [lower, upper])).toEqual([get('zulu'), get('alpha')]);
  });

  it('selects nothing without selectors, and everything with an empty selector', () => {
    const none = role('none', [], { selectors: {} });
    const all = role('all', [], { selectors: { clusterRoleSelectors: [{}] } });
    const x = role('x', [get('x')]);
    expect(aggregatedRules(none, [none, x])).toEqual([]);
    expect(aggregatedRules(all, [all, x])).toEqual([get('x')]);
  });

  it('copies rules rather than sharing them with the source role', () => {
    const view = role('view', [], { selectors: viewSelector });
    const src = role('src', [get('pods')], { labels: toView });
    const out = aggregatedRules(view, [src]);
    out[0]!.verbs.push('list');
    expect(src.rules![0]!.verbs).toEqual(['get']);
  });
});

describe('rule equality', () => {
  it('counts an absent list as empty, and list order and content as significant', () => {
    expect(sameRule({ verbs: ['get'], resources: ['pods'] }, { verbs: ['get'], resources: ['pods'], apiGroups: [] })).toBe(true);
    expect(sameRule({ verbs: ['get'], resources: ['pods'] }, { verbs: ['get'], resources: ['pods'], apiGroups: [''] })).toBe(false);
    expect(sameRule({ verbs: ['get', 'list'] }, { verbs: ['list', 'get'] })).toBe(false);
    expect(sameRules(undefined, [])).toBe(true);
    expect(sameRules([get('a'), get('b')], [get('b'), get('a')])).toBe(false);
  });
});
