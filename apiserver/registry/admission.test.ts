import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/meta/errors.js';
import type { KubeObject } from '../../api/meta/object-meta.js';
import { pods, serviceAccounts } from '../../api/registry.js';
import type { ResourceDef } from '../../api/resource.js';
import { admitPodServiceAccount, kubeApiAccessVolume, serviceAccountAdmission, type AdmittedServiceAccount } from './admission.js';

const accounts = new Map<string, AdmittedServiceAccount>([
  ['default/default', {}],
  ['default/builder', { imagePullSecrets: [{ name: 'regcred' }] }],
  ['default/quiet', { automountServiceAccountToken: false }],
]);
const lookup = async (ns: string, name: string) => accounts.get(`${ns}/${name}`);

function pod(spec: Record<string, unknown>, meta: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', ...meta }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } };
}

const admit = (p: KubeObject, mount = true) => admitPodServiceAccount(p, { serviceAccount: lookup, mountServiceAccountToken: mount, random: () => 0 });
type Spec = {
  serviceAccountName?: string;
  imagePullSecrets?: unknown[];
  volumes?: { name: string }[];
  containers: { volumeMounts?: unknown[] }[];
  initContainers?: { volumeMounts?: unknown[] }[];
};
const specOf = (p: KubeObject) => p.spec as Spec;

describe('ServiceAccount admission', () => {
  it('defaults the account and mounts kube-api-access read-only in every container and init container', async () => {
    const p = pod({ initContainers: [{ name: 'init', image: 'busybox' }] });
    await admit(p);
    const spec = specOf(p);
    expect(spec.serviceAccountName).toBe('default');
    expect(spec.volumes).toEqual([kubeApiAccessVolume('kube-api-access-bbbbb')]);
    const mount = { name: 'kube-api-access-bbbbb', readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' };
    expect(spec.containers[0]!.volumeMounts).toEqual([mount]);
    expect(spec.initContainers![0]!.volumeMounts).toEqual([mount]);
    expect(kubeApiAccessVolume('x').projected.sources).toEqual([
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ]);
  });

  it('refuses a pod whose service account does not exist, with Kubernetes wording', async () => {
    const err = await admit(pod({ serviceAccountName: 'ghost' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message: 'pods "p" is forbidden: error looking up service account default/ghost: serviceaccount "ghost" not found',
    });
  });

  it('mounts nothing when the pod or its account opts out, or without service-account keys', async () => {
    const optedOut = pod({ automountServiceAccountToken: false });
    await admit(optedOut);
    expect(specOf(optedOut).volumes).toBeUndefined();
    const quiet = pod({ serviceAccountName: 'quiet' });
    await admit(quiet);
    expect(specOf(quiet).volumes).toBeUndefined();
    const overridden = pod({ serviceAccountName: 'quiet', automountServiceAccountToken: true });
    await admit(overridden);
    expect(specOf(overridden).volumes).toHaveLength(1);
    const unsecured = pod({});
    await admit(unsecured, false);
    expect(specOf(unsecured).volumes).toBeUndefined();
  });

  it('leaves containers that already mount the path alone, and adds no volume when none needs it', async () => {
    const own = { name: 'mine', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' };
    const p = pod({ containers: [{ name: 'c', image: 'busybox', volumeMounts: [own] }], volumes: [{ name: 'mine', emptyDir: {} }] });
    await admit(p);
    expect(specOf(p).containers[0]!.volumeMounts).toEqual([own]);
    expect(specOf(p).volumes).toEqual([{ name: 'mine', emptyDir: {} }]);
  });

  it('reuses a volume already named kube-api-access-*', async () => {
    const p = pod({ volumes: [{ name: 'kube-api-access-mine', emptyDir: {} }, { name: 'data', emptyDir: {} }] });
    await admit(p);
    expect(specOf(p).containers[0]!.volumeMounts).toEqual([{ name: 'kube-api-access-mine', readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }]);
    expect(specOf(p).volumes).toHaveLength(2);
  });

  it("copies the account's imagePullSecrets when the pod has none", async () => {
    const p = pod({ serviceAccountName: 'builder' });
    await admit(p);
    expect(specOf(p).imagePullSecrets).toEqual([{ name: 'regcred' }]);
  });

  it('leaves mirror pods alone', async () => {
    const p = pod({ serviceAccountName: 'ghost' }, { annotations: { 'kubernetes.io/config.mirror': 'x' } });
    await admit(p);
    expect(specOf(p).volumes).toBeUndefined();
  });

  it('acts as a plugin on pod creation only', async () => {
    const plugin = serviceAccountAdmission(lookup, { mountServiceAccountToken: true });
    const user = { name: 'alice', groups: [] };
    const base = { subresource: '', namespace: 'default', name: 'p', user, dryRun: false };
    const created = pod({});
    await plugin.admit({ ...base, operation: 'CREATE', def: pods as unknown as ResourceDef, object: created });
    expect(specOf(created).volumes).toHaveLength(1);
    const updated = pod({ serviceAccountName: 'ghost' });
    await plugin.admit({ ...base, operation: 'UPDATE', def: pods as unknown as ResourceDef, object: updated });
    const sa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'x' } };
    await plugin.admit({ ...base, operation: 'CREATE', def: serviceAccounts as unknown as ResourceDef, object: sa });
    expect(sa).toEqual({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'x' } });
  });
});
