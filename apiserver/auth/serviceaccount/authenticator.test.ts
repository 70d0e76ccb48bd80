import { generateKeyPairSync } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { beforeEach, describe, expect, it } from 'vitest';
import { ApiError, notFound } from '../../../api/meta/errors.js';
import type { KubeObject } from '../../../api/meta/object-meta.js';
import type { ResourceDef } from '../../../api/resource.js';
import type { ResourceStore } from '../../registry/resource-store.js';
import { bearerToken, createServiceAccountAuthenticator } from './authenticator.js';
import { signServiceAccountToken } from './jwt.js';
import { serviceAccountKeysFromPem } from './keys.js';
import type { StoreSource } from './object-lookup.js';
import { createToken, parseTokenRequest } from './token-request.js';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const keys = serviceAccountKeysFromPem({
  signingKeyPem: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  publicKeyPems: [],
  issuer: ISSUER,
});

/** Objects by "<plural>/<ns>/<name>", served the way ResourceStore and its watch cache answer. */
class MemorySource implements StoreSource {
  readonly objects = new Map<string, KubeObject>();
  put(plural: string, obj: KubeObject): void {
    this.objects.set(`${plural}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`, obj);
  }
  remove(plural: string, ns: string, name: string): void {
    this.objects.delete(`${plural}/${ns}/${name}`);
  }
  storeFor(def: ResourceDef): ResourceStore {
    const key = (ns: string | undefined, name: string) => `${def.plural}/${ns ?? ''}/${name}`;
    const fake = {
      key,
      cache: { synced: true, get: (k: string) => this.objects.get(k) },
      get: async (ns: string | undefined, name: string) => {
        const o = this.objects.get(key(ns, name));
        if (!o) throw notFound({ group: def.group, resource: def.plural }, name);
        return o;
      },
    };
    return fake as unknown as ResourceStore;
  }
}

const sa = (name: string, uid: string, ns = 'default'): KubeObject => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns, uid } });
const pod = (name: string, uid: string, saName = 'robot', nodeName?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid },
  spec: { serviceAccountName: saName, nodeName, containers: [] },
});

const request = (token?: string) => ({ headers: token === undefined ? {} : { authorization: `Bearer ${token}` } }) as IncomingMessage;

let src: MemorySource;
beforeEach(() => {
  src = new MemorySource();
  src.put('serviceaccounts', sa('robot', 'sa-1'));
});

describe('service-account authenticator', () => {
  it('authenticates a valid token as the service account, with its groups', async () => {
    const issued = await createToken(keys, src, 'default', 'robot', parseTokenRequest({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest' }));
    const user = await createServiceAccountAuthenticator(keys, src, []).authenticate(request(issued.status!.token));
    expect(user).toMatchObject({
      name: 'system:serviceaccount:default:robot',
      uid: 'sa-1',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
    });
  });

  it('adds the pod (and node) of a pod-bound token as extra', async () => {
    src.put('pods', pod('web', 'pod-1', 'robot', 'n1'));
    src.put('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'node-1' } });
    const issued = await createToken(keys, src, 'default', 'robot', parseTokenRequest({ spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web' } } }));
    expect(issued.spec.boundObjectRef).toEqual({ kind: 'Pod', apiVersion: 'v1', name: 'web', uid: 'pod-1' });
    const user = await createServiceAccountAuthenticator(keys, src, []).authenticate(request(issued.status!.token));
    expect(user?.extra).toMatchObject({
      'authentication.kubernetes.io/pod-name': ['web'],
      'authentication.kubernetes.io/pod-uid': ['pod-1'],
      'authentication.kubernetes.io/node-name': ['n1'],
      'authentication.kubernetes.io/node-uid': ['node-1'],
    });
    expect(user?.extra?.['authentication.kubernetes.io/credential-id']?.[0]).toMatch(/^JTI=/);
  });

  it('leaves requests without a bearer token, opaque tokens and other issuers to other authenticators', async () => {
    const auth = createServiceAccountAuthenticator(keys, src, []);
    expect(await auth.authenticate(request())).toBeUndefined();
    expect(await auth.authenticate(request('abcdef.0123456789abcdef'))).toBeUndefined();
    const foreign = await signServiceAccountToken({ ...keys, issuer: 'https://dex.example' }, { namespace: 'default', serviceAccount: { name: 'robot', uid: 'sa-1' }, audiences: ['x'], expirationSeconds: 600 });
    expect(await auth.authenticate(request(foreign.token))).toBeUndefined();
  });

  it('answers 401 once the service account is deleted, or replaced by one of another uid', async () => {
    const auth = createServiceAccountAuthenticator(keys, src, []);
    const { token } = (await createToken(keys, src, 'default', 'robot', parseTokenRequest({}))).status!;
    src.remove('serviceaccounts', 'default', 'robot');
    const err = await auth.authenticate(request(token)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 401, reason: 'Unauthorized', message: 'Unauthorized' });
    src.put('serviceaccounts', sa('robot', 'sa-2'));
    await expect(auth.authenticate(request(token))).rejects.toMatchObject({ code: 401 });
  });

  it('answers 401 once the bound pod is gone, and reports why without the token', async () => {
    const reasons: string[] = [];
    const auth = createServiceAccountAuthenticator(keys, src, [], { onRejected: (r) => reasons.push(r) });
    src.put('pods', pod('web', 'pod-1'));
    const { token } = (await createToken(keys, src, 'default', 'robot', parseTokenRequest({ spec: { boundObjectRef: { kind: 'Pod', name: 'web' } } }))).status!;
    await expect(auth.authenticate(request(token))).resolves.toBeTruthy();
    src.remove('pods', 'default', 'web');
    await expect(auth.authenticate(request(token))).rejects.toMatchObject({ code: 401 });
    expect(reasons).toEqual(['Pod default/web has been deleted']);
    expect(reasons.join()).not.toContain(token!);
  });

  it('answers 401 for a token for another audience than the apiserver', async () => {
    const { token } = (await createToken(keys, src, 'default', 'robot', parseTokenRequest({ spec: { audiences: ['vault'] } }))).status!;
    await expect(createServiceAccountAuthenticator(keys, src, []).authenticate(request(token))).rejects.toMatchObject({ code: 401 });
    await expect(createServiceAccountAuthenticator(keys, src, ['vault']).authenticate(request(token))).resolves.toBeTruthy();
  });

  it('reads the bearer token from the Authorization header only in the Bearer scheme', () => {
    expect(bearerToken({ headers: { authorization: 'Bearer abc' } })).toBe('abc');
    expect(bearerToken({ headers: { authorization: 'bearer abc' } })).toBe('abc');
    expect(bearerToken({ headers: { authorization: 'Basic abc' } })).toBeUndefined();
    expect(bearerToken({ headers: {} })).toBeUndefined();
  });
});

describe('TokenRequest', () => {
  it('defaults audiences to the apiserver and the lifetime to an hour', async () => {
    const before = Date.now();
    const issued = await createToken(keys, src, 'default', 'robot', parseTokenRequest({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} }));
    expect(issued.spec).toMatchObject({ audiences: [ISSUER], expirationSeconds: 3600 });
    expect(issued.metadata).toMatchObject({ name: 'robot', namespace: 'default' });
    const exp = Date.parse(issued.status!.expirationTimestamp!);
    expect(exp).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 3600_000);
    expect(exp).toBeLessThanOrEqual(Date.now() + 3600_000);
  });

  it('refuses less than ten minutes (422), a missing service account (404) and unbindable kinds (400)', async () => {
    await expect(createToken(keys, src, 'default', 'robot', parseTokenRequest({ spec: { expirationSeconds: 60 } }))).rejects.toMatchObject({
      code: 422,
      message: 'TokenRequest.authentication.k8s.io "robot" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes',
    });
    await expect(createToken(keys, src, 'default', 'ghost', parseTokenRequest({}))).rejects.toMatchObject({ code: 404, message: 'serviceaccounts "ghost" not found' });
    await expect(createToken(keys, src, 'default', 'robot', parseTokenRequest({ spec: { boundObjectRef: { kind: 'ConfigMap', name: 'x' } } }))).rejects.toMatchObject({
      code: 400,
    });
    expect(() => parseTokenRequest({ apiVersion: 'v1', kind: 'Pod' })).toThrow(/must be an authentication.k8s.io\/v1 TokenRequest/);
  });

  it('binds to a pod only when it exists, runs as the account, and has the given uid', async () => {
    src.put('pods', pod('other', 'pod-2', 'builder'));
    src.put('pods', pod('web', 'pod-1'));
    const bind = (boundObjectRef: Record<string, string>) => createToken(keys, src, 'default', 'robot', parseTokenRequest({ spec: { boundObjectRef } }));
    await expect(bind({ kind: 'Pod', name: 'missing' })).rejects.toMatchObject({ code: 404, message: 'pods "missing" not found' });
    await expect(bind({ kind: 'Pod', name: 'other' })).rejects.toMatchObject({ code: 400, message: 'cannot bind token for serviceaccount "robot" to pod running with different serviceaccount name.' });
    await expect(bind({ kind: 'Pod', name: 'web', uid: 'stale' })).rejects.toMatchObject({ code: 409 });
    await expect(bind({ kind: 'Pod', name: 'web', uid: 'pod-1' })).resolves.toBeTruthy();
  });
});
