/**
 * The ServiceAccount admission plugin on pod creation, as the secured apiserver runs it:
 * a pod gets the kube-api-access projected volume mounted in every container, and a pod
 * whose ServiceAccount does not exist (yet) is refused with 403, as in Kubernetes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isApiError } from '../../api/meta/errors.js';
import { namespaces, pods } from '../../api/registry.js';
import type { Pod } from '../../api/types/pod.js';
import { startControlPlane, waitForServiceAccountOf, type TestControlPlane } from '../helpers/control-plane.js';

let cp: TestControlPlane;

beforeAll(async () => {
  cp = await startControlPlane();
}, 60_000);
afterAll(async () => {
  await cp?.stop();
});

const pod = (name: string, extra: Record<string, unknown> = {}) =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'a', image: 'busybox' }, { name: 'b', image: 'busybox' }], ...extra } }) as unknown as Pod;

describe('ServiceAccount admission', () => {
  it('mounts the kube-api-access volume with token, CA and namespace in every container', async () => {
    const created = await cp.client.resource(pods, 'default').create(pod('tkube-sa-adm-1'));
    expect(created.spec.serviceAccountName).toBe('default');
    const volume = created.spec.volumes?.find((v) => v.name.startsWith('kube-api-access-'));
    expect(volume).toBeDefined();
    const sources = (volume as unknown as { projected: { sources: Record<string, unknown>[] } }).projected.sources;
    expect(sources.map((s) => Object.keys(s)[0])).toEqual(['serviceAccountToken', 'configMap', 'downwardAPI']);
    for (const c of created.spec.containers) {
      expect(c.volumeMounts).toContainEqual({ name: volume!.name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' });
    }
  });

  it('leaves the token out when the pod opts out', async () => {
    const created = await cp.client.resource(pods, 'default').create(pod('tkube-sa-adm-2', { automountServiceAccountToken: false }));
    expect(created.spec.volumes ?? []).toEqual([]);
  });

  it('refuses a pod whose ServiceAccount does not exist, and admits it once the controller made it', async () => {
    await expect(cp.client.resource(pods, 'default').create(pod('tkube-sa-adm-3', { serviceAccountName: 'nobody' }))).rejects.toSatisfy(
      (e: unknown) => isApiError(e, 'Forbidden') && /serviceaccount "nobody" not found/.test((e as Error).message),
    );
    await cp.client.resource(namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tkube-sa-adm' } });
    await waitForServiceAccountOf(cp.client, 'tkube-sa-adm');
    const created = await cp.client.resource(pods, 'tkube-sa-adm').create(pod('tkube-sa-adm-4'));
    expect(created.spec.serviceAccountName).toBe('default');
  });
});
