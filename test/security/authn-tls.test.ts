/**
 * Authentication over HTTPS (issue 8, done-means 1 and 5): the real kubectl and
 * @kubernetes/client-node with the generated kubeconfig; anonymous requests reach only
 * health and version; refused credentials get Kubernetes' 401 Status; an authenticated
 * user without a role gets RBAC's 403.
 */
import { Agent, request } from 'node:https';
import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCA, issueCertificate, type CertAndKey } from '../../api/pki/index.js';
import { startSecureControlPlane, type SecureControlPlane } from '../helpers/secure-control-plane.js';

let cp: SecureControlPlane;

beforeAll(async () => {
  cp = await startSecureControlPlane({ tokens: [{ token: 'tkube-static-token-tom', user: 'tom', uid: '42', groups: ['devs'] }] });
});
afterAll(async () => {
  await cp?.close();
});

interface Answer {
  status: number;
  body: string;
}

/** One HTTPS request trusting the cluster CA, with optional bearer token or client certificate. */
function get(path: string, creds: { token?: string; cert?: CertAndKey; agent?: Agent } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${cp.url}${path}`,
      {
        ca: cp.pki.ca.cert,
        cert: creds.cert?.cert,
        key: creds.cert?.key,
        headers: creds.token ? { Authorization: `Bearer ${creds.token}` } : {},
        ...(creds.agent ? { agent: creds.agent } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const unauthorizedStatus = { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };

async function kubectlFails(kubeconfig: string, args: string[]): Promise<string> {
  try {
    // Empty stdin: without credentials kubectl would wait for a typed-in user name.
    await cp.kubectl(kubeconfig, args, { input: '' });
  } catch (err) {
    return (err as { stderr?: string }).stderr ?? String(err);
  }
  throw new Error(`kubectl ${args.join(' ')} succeeded`);
}

async function createBootstrapTokenSecret(id: string, secret: string, expiration: string): Promise<void> {
  const manifest = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system' },
    type: 'bootstrap.kubernetes.io/token',
    stringData: { 'token-id': id, 'token-secret': secret, expiration, 'usage-bootstrap-authentication': 'true', 'auth-extra-groups': 'system:bootstrappers:tkube:default-node-token' },
  });
  await cp.kubectl(cp.adminKubeconfig, ['apply', '-f', '-'], { input: manifest });
}

describe('authentication over TLS', () => {
  it('the real kubectl works as the admin with the generated kubeconfig', async () => {
    const { stdout } = await cp.kubectl(cp.adminKubeconfig, ['get', 'namespaces', '-o', 'name']);
    expect(stdout).toContain('namespace/kube-system');
    await cp.kubectl(cp.adminKubeconfig, ['create', 'configmap', 'tkube-cm', '--from-literal=a=1']);
    const applied = await cp.kubectl(cp.adminKubeconfig, ['apply', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'tkube-cm' }, data: { a: '2' } }),
    });
    expect(applied.stdout).toContain('configmap/tkube-cm configured');
    const got = await cp.kubectl(cp.adminKubeconfig, ['get', 'configmap', 'tkube-cm', '-o', 'jsonpath={.data.a}']);
    expect(got.stdout).toBe('2');
    const whoami = await cp.kubectl(cp.adminKubeconfig, ['auth', 'can-i', 'delete', 'nodes']);
    expect(whoami.stdout.trim()).toBe('yes');
  });

  it('client-node lists and watches over TLS with the generated kubeconfig', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(cp.adminKubeconfig);
    const core = kc.makeApiClient(CoreV1Api);
    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    const events: string[] = [];
    const seen = new Promise<void>((resolve) => {
      void new Watch(kc)
        .watch('/api/v1/namespaces/default/configmaps', { resourceVersion: list.metadata?.resourceVersion }, (type, obj: { metadata?: { name?: string } }) => {
          events.push(`${type} ${obj.metadata?.name}`);
          if (obj.metadata?.name === 'tkube-watched') resolve();
        }, () => {})
        .then((ctl) => seen.finally(() => ctl.abort()));
    });
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'tkube-watched' }, data: { x: 'y' } } });
    await seen;
    expect(events).toContain('ADDED tkube-watched');
  });

  it('without credentials only health and version answer; everything else is 401', async () => {
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/livez')).status).toBe(200);
    expect((await get('/readyz')).status).toBe(200);
    const version = await get('/version');
    expect(version.status).toBe(200);
    expect(JSON.parse(version.body)).toHaveProperty('gitVersion');

    for (const path of ['/api/v1/pods', '/api', '/apis', '/openapi/v2', '/metrics', '/api/v1/namespaces/default/configmaps/tkube-cm']) {
      const r = await get(path);
      expect(r.status, path).toBe(401);
      expect(JSON.parse(r.body)).toMatchObject(unauthorizedStatus);
    }
  });

  it('a wrong token, and a certificate of another CA, get 401', async () => {
    const wrong = await get('/api/v1/pods', { token: 'not-a-token' });
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body)).toMatchObject(unauthorizedStatus);
    // A refused credential is refused everywhere, health included (as kube-apiserver).
    expect((await get('/healthz', { token: 'not-a-token' })).status).toBe(401);
    expect(await kubectlFails(cp.tokenKubeconfig('tkube-wrong-token'), ['get', 'pods'])).toMatch(/Unauthorized|must be logged in/);

    const otherCa = await createCA('tkube-other-ca');
    const stranger = await issueCertificate(otherCa, { commonName: 'kubernetes-admin', organizations: ['system:masters'], usage: 'client' });
    const r = await get('/api/v1/pods', { cert: stranger });
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body)).toMatchObject(unauthorizedStatus);
  });

  it('a client certificate stops working when it expires, also on a connection opened before', async () => {
    const validityMs = 8_000;
    const shortLived = await issueCertificate(cp.pki.ca, { commonName: 'kubernetes-admin', organizations: ['system:masters'], usage: 'client', validityMs, backdateMs: 0 });
    const notAfter = Date.now() + validityMs;
    // One kept-alive connection: the second request does not go through a TLS handshake.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const before = await get('/api/v1/namespaces', { cert: shortLived, agent });
      expect(before.status).toBe(200);
      await new Promise((r) => setTimeout(r, Math.max(0, notAfter - Date.now()) + 1_100));
      const after = await get('/api/v1/namespaces', { cert: shortLived, agent });
      expect(after.status).toBe(401);
      expect(JSON.parse(after.body)).toMatchObject(unauthorizedStatus);
    } finally {
      agent.destroy();
    }
  });

  it('a static-token user and a certificate user are authenticated and then refused by RBAC (403)', async () => {
    const r = await get('/api/v1/namespaces/default/pods', { token: 'tkube-static-token-tom' });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toMatchObject({
      kind: 'Status',
      reason: 'Forbidden',
      code: 403,
      message: 'pods is forbidden: User "tom" cannot list resource "pods" in API group "" in the namespace "default"',
      details: { kind: 'pods' },
    });
    const stderr = await kubectlFails(cp.tokenKubeconfig('tkube-static-token-tom'), ['create', 'configmap', 'x', '--from-literal=a=b']);
    expect(stderr).toContain('configmaps is forbidden: User "tom" cannot create resource "configmaps" in API group "" in the namespace "default"');

    const alice = await cp.userKubeconfig('alice', ['team-a']);
    const denied = await kubectlFails(alice, ['get', 'secrets', '-n', 'kube-system']);
    expect(denied).toContain('User "alice" cannot list resource "secrets" in API group "" in the namespace "kube-system"');
    // Once bound to the view role, alice may read.
    await cp.kubectl(cp.adminKubeconfig, ['create', 'rolebinding', 'alice-view', '--clusterrole=view', '--user=alice', '-n', 'default']);
    await expect.poll(async () => (await cp.kubectl(alice, ['auth', 'can-i', 'list', 'configmaps']).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }))).stdout.trim(), { timeout: 10_000 }).toBe('yes');
    const { stdout } = await cp.kubectl(alice, ['get', 'configmap', 'tkube-cm', '-o', 'name']);
    expect(stdout.trim()).toBe('configmap/tkube-cm');
  });

  it('a valid bootstrap token authenticates as system:bootstrap:<id>; an expired one gets 401', async () => {
    await createBootstrapTokenSecret('abcdef', '0123456789abcdef', new Date(Date.now() + 3_600_000).toISOString());
    await createBootstrapTokenSecret('expird', '0123456789abcdef', new Date(Date.now() - 1000).toISOString());
    // Authenticated, then RBAC decides: bootstrappers may not list pods.
    await expect
      .poll(async () => (await get('/api/v1/namespaces/default/pods', { token: 'abcdef.0123456789abcdef' })).status, { timeout: 10_000 })
      .toBe(403);
    const r = await get('/api/v1/namespaces/default/pods', { token: 'abcdef.0123456789abcdef' });
    expect(JSON.parse(r.body).message).toContain('User "system:bootstrap:abcdef"');
    expect((await get('/api/v1/namespaces/default/pods', { token: 'abcdef.0123456789abcdee' })).status).toBe(401);
    expect((await get('/api/v1/namespaces/default/pods', { token: 'expird.0123456789abcdef' })).status).toBe(401);
    expect((await get('/api/v1/namespaces/default/pods', { token: 'zzzzzz.0123456789abcdef' })).status).toBe(401);
  });
});
