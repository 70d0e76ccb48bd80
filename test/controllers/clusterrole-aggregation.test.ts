/**
 * The clusterrole-aggregation controller in a controller-manager (with the
 * controller-manager's own identity) against a real apiserver + etcd: the bootstrap
 * view/edit/admin roles get their stored rules filled (admin ⊇ edit ⊇ view), a role
 * labelled aggregate-to-view reaches all three, and losing the label takes it away.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isApiError } from '../../api/meta/errors.js';
import { clusterRoles } from '../../api/registry.js';
import type { ClusterRole, PolicyRule } from '../../api/types/rbac.js';
import { sameRule } from '../../controllers/clusterroleaggregation/aggregate-rules.js';
import type { TestControlPlane } from '../helpers/control-plane.js';
import { startControllersOnControlPlane, type ControllersOnControlPlane } from '../helpers/controller-manager-in-process.js';
import { waitFor } from '../helpers/wait.js';

const CUSTOM = 'tkube-test-widgets-view';
const widgets: PolicyRule = { verbs: ['get', 'list', 'watch'], apiGroups: ['tkube-test.example.com'], resources: ['widgets'] };

let cp: TestControlPlane;
let env: ControllersOnControlPlane | undefined;

beforeAll(async () => {
  env = await startControllersOnControlPlane(['clusterrole-aggregation']);
  cp = env.cp;
}, 60_000);

afterAll(async () => {
  await env?.stop();
});

const roleApi = () => cp.client.resource(clusterRoles);
const rulesOf = async (name: string): Promise<PolicyRule[]> => (await roleApi().get(name)).rules ?? [];
const contains = (rules: PolicyRule[], r: PolicyRule) => rules.some((have) => sameRule(have, r));
const includesAll = (big: PolicyRule[], small: PolicyRule[]) => small.every((r) => contains(big, r));

describe('clusterrole-aggregation', () => {
  it('fills the stored rules of view, edit and admin from the bootstrap roles', async () => {
    const [view, edit, admin] = await waitFor(
      'view, edit and admin to be aggregated',
      async () => {
        const rules = await Promise.all(['view', 'edit', 'admin'].map(rulesOf));
        const [v, e, a] = rules as [PolicyRule[], PolicyRule[], PolicyRule[]];
        return v.length > 0 && e.length > v.length && a.length > e.length && includesAll(e, v) && includesAll(a, e) ? rules : undefined;
      },
      20_000,
    );
    expect(view!.some((r) => r.resources?.includes('pods') && r.verbs.includes('get'))).toBe(true);
    expect(view!.some((r) => r.verbs.includes('create'))).toBe(false);
    expect(edit!.some((r) => r.resources?.includes('pods') && r.verbs.includes('create'))).toBe(true);
    expect(admin!.some((r) => r.apiGroups?.includes('rbac.authorization.k8s.io') && r.resources?.includes('roles') && r.resources.includes('rolebindings'))).toBe(true);
    // view's rules are exactly those of system:aggregate-to-view (no other role is labelled for view).
    expect(view).toEqual(await rulesOf('system:aggregate-to-view'));

    // kubectl shows them too (it showed nothing before).
    const { stdout } = await cp.kubectl(['describe', 'clusterrole', 'admin']);
    expect(stdout).toMatch(/rolebindings\.rbac\.authorization\.k8s\.io/);
  });

  it('adds a role labelled aggregate-to-view to view, edit and admin, and removes it with the label', async () => {
    await roleApi().create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: CUSTOM, labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } },
      rules: [widgets],
    });
    try {
      await waitFor('widgets in view, edit and admin', async () => {
        const all = await Promise.all(['view', 'edit', 'admin'].map(rulesOf));
        return all.every((rules) => contains(rules, widgets));
      });
      const view = await rulesOf('view');
      // Sorted by source name: system:aggregate-to-view < tkube-test-...
      expect(sameRule(view[view.length - 1]!, widgets)).toBe(true);

      // Settled: nothing keeps rewriting the aggregated roles.
      const versions = async () => Promise.all(['view', 'edit', 'admin'].map(async (n) => (await roleApi().get(n)).metadata.resourceVersion));
      await new Promise((r) => setTimeout(r, 500));
      const before = await versions();
      await new Promise((r) => setTimeout(r, 1_000));
      expect(await versions()).toEqual(before);

      await cp.kubectl(['label', 'clusterrole', CUSTOM, 'rbac.authorization.k8s.io/aggregate-to-view-']);
      await waitFor('widgets gone from view, edit and admin', async () => {
        const all = await Promise.all(['view', 'edit', 'admin'].map(rulesOf));
        return all.every((rules) => !contains(rules, widgets));
      });
      expect(await rulesOf('view')).toEqual(await rulesOf('system:aggregate-to-view'));
    } finally {
      await roleApi()
        .delete(CUSTOM)
        .catch((err: unknown) => {
          if (!isApiError(err, 'NotFound')) throw err;
        });
    }
  });

  it('aggregates a user-made role from the roles its selectors pick', async () => {
    const name = 'tkube-test-aggregated';
    const source = 'tkube-test-source';
    const rule: PolicyRule = { verbs: ['get'], apiGroups: [''], resources: ['configmaps'] };
    const aggregated: ClusterRole = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name },
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'tkube-test/aggregate': 'yes' } }] },
    };
    await roleApi().create(aggregated);
    await roleApi().create({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: source, labels: { 'tkube-test/aggregate': 'yes' } }, rules: [rule] });
    try {
      await waitFor('the aggregated rule', async () => contains(await rulesOf(name), rule));
      expect(await rulesOf(name)).toEqual([rule]);
      await roleApi().delete(source);
      await waitFor('the rule gone with its source', async () => (await rulesOf(name)).length === 0);
    } finally {
      for (const n of [name, source]) await roleApi().delete(n).catch(() => undefined);
    }
  });
});
