import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RequestOptions } from '../api/client/transport.js';
import { kubeApiAccessVolume } from '../apiserver/registry/admission.js';
import type { Pod } from '../api/types/pod.js';
import { VolumeManager } from './volumes.js';
import { ServiceAccountTokenManager, needsRefresh } from './service-account-token.js';

const root = mkdtempSync(path.join(tmpdir(), 'tkube-test-satoken-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fake apiserver TokenRequest endpoint: token-1, token-2, ... and what it was asked. */
function fakeClient(opts: { fail?: () => boolean } = {}) {
  const asked: RequestOptions[] = [];
  let n = 0;
  return {
    asked,
    async request<R>(req: RequestOptions): Promise<R> {
      asked.push(req);
      if (opts.fail?.()) throw new Error('apiserver unavailable');
      const spec = (req.body as { spec: { expirationSeconds: number } }).spec;
      return { spec: { expirationSeconds: spec.expirationSeconds }, status: { token: `token-${++n}`, expirationTimestamp: '2030-01-01T00:00:00Z' } } as R;
    },
  };
}

function pod(uid = 'uid-1', volumes: unknown[] = []): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'shop', uid },
    spec: { serviceAccountName: 'robot', volumes, containers: [{ name: 'c', volumeMounts: [{ name: 'kube-api-access-abcde', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }] }] },
  } as unknown as Pod;
}

describe('ServiceAccountTokenManager', () => {
  it("asks for a token of the pod's account, bound to the pod, with the requested audience and lifetime", async () => {
    const client = fakeClient();
    const tokens = new ServiceAccountTokenManager({ client });
    expect(await tokens.token(pod(), { audience: 'vault', expirationSeconds: 3607 })).toBe('token-1');
    expect(client.asked[0]).toMatchObject({
      method: 'POST',
      path: '/api/v1/namespaces/shop/serviceaccounts/robot/token',
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { audiences: ['vault'], expirationSeconds: 3607, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'web', uid: 'uid-1' } },
      },
    });
  });

  it('reuses a token until 80% of its lifetime, then renews it', async () => {
    let now = 1_000_000;
    const client = fakeClient();
    const tokens = new ServiceAccountTokenManager({ client, now: () => now });
    const ask = { expirationSeconds: 1000 };
    expect(await tokens.token(pod(), ask)).toBe('token-1');
    now += 799_000;
    expect(await tokens.token(pod(), ask)).toBe('token-1');
    now += 1_000;
    expect(await tokens.token(pod(), ask)).toBe('token-2');
    expect(client.asked).toHaveLength(2);
    expect(needsRefresh({ token: 't', issuedAtMs: 0, expiresAtMs: 365 * 86_400_000 }, 24 * 3600_000 + 1)).toBe(true);
  });

  it('keeps the current token while it is valid if renewal fails, and fails once it has expired', async () => {
    let now = 0;
    let failing = false;
    const tokens = new ServiceAccountTokenManager({ client: fakeClient({ fail: () => failing }), now: () => now });
    const ask = { expirationSeconds: 1000 };
    await tokens.token(pod(), ask);
    failing = true;
    now = 900_000;
    expect(await tokens.token(pod(), ask)).toBe('token-1');
    now = 1_000_001;
    await expect(tokens.token(pod(), ask)).rejects.toThrow(/apiserver unavailable/);
  });

  it('forgets the tokens of a pod', async () => {
    const client = fakeClient();
    const tokens = new ServiceAccountTokenManager({ client });
    await tokens.token(pod('a'), { expirationSeconds: 600 });
    tokens.forget('a');
    expect(await tokens.token(pod('a'), { expirationSeconds: 600 })).toBe('token-2');
  });
});

describe('the kube-api-access volume on the node', () => {
  it('holds the token, the cluster CA and the namespace, and gets the renewed token', async () => {
    let now = 0;
    const tokens = new ServiceAccountTokenManager({ client: fakeClient(), now: () => now });
    const vm = new VolumeManager({
      rootDir: path.join(root, 'kubelet'),
      objects: {
        configMap: async (ns, name) => (ns === 'shop' && name === 'kube-root-ca.crt' ? { 'ca.crt': 'CA PEM' } : undefined),
        secret: async () => undefined,
      },
      allocatable: { cpuCores: 1, memoryBytes: 2 ** 30 },
      fields: () => ({}),
      tokens,
    });
    const p = pod('uid-vol', [kubeApiAccessVolume('kube-api-access-abcde')]);
    const [m] = await vm.mountsFor(p, p.spec.containers[0]!);
    expect(m).toMatchObject({ container_path: '/var/run/secrets/kubernetes.io/serviceaccount', readonly: true });
    const read = (f: string) => readFileSync(path.join(m!.host_path, f), 'utf8');
    expect([read('token'), read('ca.crt'), read('namespace')]).toEqual(['token-1', 'CA PEM', 'shop']);
    expect(statSync(path.join(m!.host_path, 'token')).mode & 0o777).toBe(0o644);

    now = 3607 * 1000; // past 80% of the 3607 s lifetime
    await vm.refresh(p);
    expect(read('token')).toBe('token-2');
    await vm.teardown(p);
  });

  it('fails to set up a token volume on a kubelet without a token source', async () => {
    const vm = new VolumeManager({
      rootDir: path.join(root, 'kubelet2'),
      objects: { configMap: async () => ({ 'ca.crt': 'x' }), secret: async () => undefined },
      allocatable: { cpuCores: 1, memoryBytes: 2 ** 30 },
      fields: () => ({}),
    });
    const p = pod('uid-none', [kubeApiAccessVolume('kube-api-access-abcde')]);
    await expect(vm.mountsFor(p, p.spec.containers[0]!)).rejects.toThrow(/cannot request service-account tokens/);
  });
});
