/**
 * `kubectl create token` against the TokenRequest subresource, and the tokens it returns
 * authenticating (or not) through the service-account authenticator, on a real etcd.
 *
 * The apiserver under test serves plain HTTP without authentication; the TokenRequest
 * handler gets its keys through a HandlerContext built here on the apiserver's stores
 * (what server.ts does once --service-account-signing-key-file is given).
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findResource, pods, serviceAccounts } from '../../api/registry.js';
import { createServiceAccountAuthenticator, loadServiceAccountKeys, type ServiceAccountKeys } from '../../apiserver/auth/serviceaccount/index.js';
import { handleResource } from '../../apiserver/http/resource-handler.js';
import { parseResourcePath } from '../../apiserver/http/request-info.js';
import { writeError } from '../../apiserver/http/respond.js';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const NS = 'tkube-sa-token';
let cp: TestControlPlane;
let keys: ServiceAccountKeys;
let tokenServer: Server;
let tokenUrl: string;

beforeAll(async () => {
  // This file runs its own service-account controllers (or none): not the helper's.
  cp = await startControlPlane({ serviceAccountControllers: false });
  const keyFile = join(cp.dir, 'sa.key');
  writeFileSync(keyFile, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'sec1', format: 'pem' }), { mode: 0o600 });
  keys = await loadServiceAccountKeys({ signingKeyFile: keyFile, publicKeyFiles: [], issuer: ISSUER });
  const hc = {
    etcd: cp.apiserver.etcd,
    storeFor: cp.apiserver.storeFor,
    findResource,
    bookmarkIntervalMs: 60_000,
    log: pino({ level: 'silent' }),
    serviceAccountKeys: keys,
  };
  tokenServer = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const info = parseResourcePath(url.pathname);
    if (!info) {
      res.writeHead(404).end();
      return;
    }
    handleResource(req, res, info, url.searchParams, hc).catch((err: unknown) => writeError(res, err));
  });
  await new Promise<void>((r) => tokenServer.listen(0, '127.0.0.1', r));
  tokenUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}`;
  await cp.kubectl(['apply', '-f', '-'], {
    input: [
      `apiVersion: v1\nkind: Namespace\nmetadata: { name: ${NS} }`,
      `apiVersion: v1\nkind: ServiceAccount\nmetadata: { name: default, namespace: ${NS} }`,
      `apiVersion: v1\nkind: ServiceAccount\nmetadata: { name: robot, namespace: ${NS} }`,
      `apiVersion: v1\nkind: Pod\nmetadata: { name: worker, namespace: ${NS} }\nspec: { serviceAccountName: robot, containers: [{ name: c, image: busybox }] }`,
    ].join('\n---\n'),
  });
}, 60_000);

afterAll(async () => {
  await new Promise<void>((r) => (tokenServer ? tokenServer.close(() => r()) : r()));
  await cp?.stop();
});

/** kubectl against the server that has the TokenRequest keys. */
const createToken = (...args: string[]) => cp.kubectl(['--server', tokenUrl, 'create', 'token', '-n', NS, ...args]);

const authenticator = () => createServiceAccountAuthenticator(keys, cp.apiserver, []);
const withToken = (token: string) => ({ headers: { authorization: `Bearer ${token}` } }) as IncomingMessage;

describe('kubectl create token', () => {
  it('returns a JWT that authenticates as system:serviceaccount:<ns>:default', async () => {
    const token = (await createToken('default')).stdout.trim();
    expect(token.split('.')).toHaveLength(3);
    const sa = await cp.client.resource(serviceAccounts, NS).get('default');
    const user = await authenticator().authenticate(withToken(token));
    expect(user).toEqual({
      name: `system:serviceaccount:${NS}:default`,
      uid: sa.metadata.uid,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${NS}`, 'system:authenticated'],
      extra: { 'authentication.kubernetes.io/credential-id': [expect.stringMatching(/^JTI=/)] },
    });
  });

  it('prints the TokenRequest with -o json: audiences, lifetime and expiration', async () => {
    const out = JSON.parse((await createToken('default', '--duration', '20m', '--audience', 'vault', '-o', 'json')).stdout) as {
      kind: string;
      spec: { audiences: string[]; expirationSeconds: number };
      status: { token: string; expirationTimestamp: string };
    };
    expect(out.kind).toBe('TokenRequest');
    expect(out.spec).toMatchObject({ audiences: ['vault'], expirationSeconds: 1200 });
    const left = Date.parse(out.status.expirationTimestamp) - Date.now();
    expect(left).toBeGreaterThan(1100_000);
    expect(left).toBeLessThanOrEqual(1200_000);
    // Not for the apiserver's audience: refused by it.
    await expect(authenticator().authenticate(withToken(out.status.token))).rejects.toMatchObject({ code: 401, reason: 'Unauthorized' });
  });

  it('refuses a lifetime under ten minutes and an unknown service account, with Kubernetes wording', async () => {
    await expect(createToken('default', '--duration', '5m')).rejects.toMatchObject({
      stderr: expect.stringContaining('spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes'),
    });
    await expect(createToken('ghost')).rejects.toMatchObject({ stderr: expect.stringContaining('serviceaccounts "ghost" not found') });
  });

  it('binds a token to a pod: it stops authenticating once the pod is deleted', async () => {
    const token = (await createToken('robot', '--bound-object-kind', 'Pod', '--bound-object-name', 'worker')).stdout.trim();
    const pod = await cp.client.resource(pods, NS).get('worker');
    const user = await authenticator().authenticate(withToken(token));
    expect(user?.name).toBe(`system:serviceaccount:${NS}:robot`);
    expect(user?.extra?.['authentication.kubernetes.io/pod-uid']).toEqual([pod.metadata.uid]);
    await cp.client.resource(pods, NS).delete('worker', { gracePeriodSeconds: 0 });
    await expect(authenticator().authenticate(withToken(token))).rejects.toMatchObject({ code: 401 });
  });

  it('stops authenticating a token once its service account is deleted', async () => {
    const token = (await createToken('default')).stdout.trim();
    await expect(authenticator().authenticate(withToken(token))).resolves.toBeTruthy();
    await cp.client.resource(serviceAccounts, NS).delete('default');
    await expect(authenticator().authenticate(withToken(token))).rejects.toMatchObject({ code: 401 });
  });
});
