import { describe, expect, it } from 'vitest';
import { validateBindingUpdate, validateClusterRoleBinding, validateRole, validateRoleBinding } from './rbac-validation.js';
import type { RoleBinding } from './rbac.js';

const G = 'rbac.authorization.k8s.io';
const binding = (roleName: string): RoleBinding => ({
  apiVersion: `${G}/v1`, kind: 'RoleBinding', metadata: { namespace: 'ns', name: 'b' },
  roleRef: { apiGroup: G, kind: 'Role', name: roleName }, subjects: [{ kind: 'ServiceAccount', apiGroup: '', name: 'sa' }],
});

describe('RBAC validation', () => {
  it('accepts path-segment names and checks rules', () => {
    expect(validateRole({ apiVersion: `${G}/v1`, kind: 'Role', metadata: { namespace: 'ns', name: 'system:thing' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] })).toEqual([]);
    const causes = validateRole({ apiVersion: `${G}/v1`, kind: 'Role', metadata: { namespace: 'ns', name: 'a/b' }, rules: [{ verbs: [], nonResourceURLs: ['/x'] }] });
    expect(causes.map((c) => `${c.field}: ${c.message}`)).toEqual([
      `metadata.name: Invalid value: "a/b": may not contain '/'`,
      'rules[0].verbs: Required value: verbs must contain at least one value',
      'rules[0].nonResourceURLs: Invalid value: ["/x"]: namespaced rules cannot apply to non-resource URLs',
    ]);
  });

  it('checks roleRef and subjects, and keeps roleRef immutable', () => {
    expect(validateRoleBinding(binding('r'))).toEqual([]);
    const crb = { ...binding('r'), kind: 'ClusterRoleBinding', metadata: { name: 'b' } };
    expect(validateClusterRoleBinding(crb).map((c) => c.field)).toEqual(['roleRef.kind', 'subjects[0].namespace']);
    expect(validateBindingUpdate(binding('other'), binding('r'))[0]?.message).toContain('cannot change roleRef');
  });
});
