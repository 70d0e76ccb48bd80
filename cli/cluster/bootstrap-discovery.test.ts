/**
 * init's publishing and join's discovery against a real (secured) apiserver on etcd:
 * cluster-info is readable without credentials once init's Role and RoleBinding for
 * system:anonymous exist (401 before), verifies with the token init created, and is
 * refused with any other token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configMaps, secrets } from '../../api/registry.js';
import { startControlPlane, type TestControlPlane } from '../../test/helpers/control-plane.js';
import { formatToken, generateToken, parseToken } from './bootstrap-token.js';
import { discoverCluster } from './join.js';
import { publishBootstrap } from './publish-bootstrap.js';
import { ensureClusterInfoReadable } from './security.js';

const endpoint = { server: 'https://10.213.0.1:6443', caData: Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64') };

describe('bootstrap token discovery on a real apiserver', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startControlPlane();
  });
  afterAll(async () => {
    await cp?.stop();
  });

  it('publishes the token Secret and a cluster-info that join verifies', async () => {
    const token = generateToken();
    await publishBootstrap(cp.client, endpoint, token);
    // Anonymous gets nothing until init's grant exists.
    await expect(discoverCluster(cp.url, token, 300)).rejects.toThrow(/HTTP 401/);
    await ensureClusterInfoReadable(cp.client);
    await ensureClusterInfoReadable(cp.client); // idempotent
    const secret = await cp.client.resource(secrets, 'kube-system').get(`bootstrap-token-${token.id}`);
    expect(secret.type).toBe('bootstrap.kubernetes.io/token');
    expect(await discoverCluster(cp.url, token, 5_000)).toEqual(endpoint);
  });

  it('signs for every live token, so a second init keeps earlier join commands working', async () => {
    const first = generateToken();
    const second = generateToken();
    await publishBootstrap(cp.client, endpoint, first);
    await publishBootstrap(cp.client, endpoint, second);
    const cm = await cp.client.resource(configMaps, 'kube-public').get('cluster-info');
    expect(Object.keys(cm.data ?? {})).toEqual(expect.arrayContaining([`jws-kubeconfig-${first.id}`, `jws-kubeconfig-${second.id}`]));
    await expect(discoverCluster(cp.url, first, 5_000)).resolves.toEqual(endpoint);
  });

  it('refuses a token whose secret is wrong, or that the cluster does not know', async () => {
    const token = generateToken();
    await publishBootstrap(cp.client, endpoint, token);
    const wrongSecret = parseToken(`${token.id}.${'0'.repeat(16)}`);
    await expect(discoverCluster(cp.url, wrongSecret, 5_000)).rejects.toThrow(/signature does not verify with this token/);
    const unknown = generateToken();
    await expect(discoverCluster(cp.url, unknown, 5_000)).rejects.toThrow(new RegExp(`no signature for token id "${unknown.id}"`));
    expect(formatToken(token)).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
  });
});
