/**
 * `kubectl --as`: impersonation needs the impersonate verb, and the request is then
 * authorized as the impersonated user (not as the requester).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSecureControlPlane, type SecureControlPlane } from '../helpers/secure-control-plane.js';

let cp: SecureControlPlane;

beforeAll(async () => {
  cp = await startSecureControlPlane();
  await cp.kubectl(cp.adminKubeconfig, ['create', 'clusterrolebinding', 'viewer-view', '--clusterrole=view', '--user=viewer']);
});
afterAll(async () => {
  await cp?.close();
});

describe('impersonation', () => {
  it('answers auth can-i for the impersonated user, not for the admin', async () => {
    const asViewer = await cp.kubectl(cp.adminKubeconfig, ['auth', 'can-i', 'create', 'pods', '--as=viewer']).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
    expect(asViewer.stdout.trim()).toBe('no');
    const list = await cp.kubectl(cp.adminKubeconfig, ['auth', 'can-i', 'list', 'pods', '--as=viewer']);
    expect(list.stdout.trim()).toBe('yes');
    const sa = await cp.kubectl(cp.adminKubeconfig, ['auth', 'can-i', 'list', 'secrets', '--as=system:serviceaccount:default:default']).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
    expect(sa.stdout.trim()).toBe('no');
  });

  it('refuses a requester without the impersonate verb, with Kubernetes message', async () => {
    const viewer = await cp.userKubeconfig('viewer');
    const err = await cp.kubectl(viewer, ['get', 'pods', '--as=admin-wannabe']).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(String(err?.message)).toContain('users "admin-wannabe" is forbidden: User "viewer" cannot impersonate resource "users" in API group "" at the cluster scope');
  });

  it('writes as the impersonated user', async () => {
    const err = await cp.kubectl(cp.adminKubeconfig, ['create', 'configmap', 'from-viewer', '--as=viewer']).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(String(err?.message)).toContain('configmaps is forbidden: User "viewer" cannot create resource "configmaps"');
  });
});
