/**
 * The kubelet's HTTPS API (done-means 4 of issue 8): a request without the apiserver's
 * client certificate is refused (401 without a certificate or with one from another CA,
 * 403 for a user who is not authorized), and the apiserver's node proxy, presenting its
 * kubelet client certificate, gets the container's log.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCA, issueCertificate, type CertAndKey } from '../../api/pki/index.js';
import type { Node } from '../../api/types/node.js';
import type { Pod } from '../../api/types/pod.js';
import { proxyPodSubresource } from '../../apiserver/http/node-proxy.js';
import type { KubeletClientConfig } from '../../apiserver/http/kubelet-client.js';
import type { KubeletUser } from '../../kubelet/api-auth.js';
import type { CriClient } from '../../kubelet/cri-client.js';
import { startKubeletServer, type KubeletServer } from '../../kubelet/server.js';
import { ServingCertificate } from '../../kubelet/serving-certificate.js';
import type { ContainerStatus } from '../../runtime/cri/types.js';

const NODE = 'tkube-sec-node';
const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default', uid: 'uid-web' },
  spec: { nodeName: NODE, containers: [{ name: 'app', image: 'busybox' }] },
} as unknown as Pod;

let dir: string;
let ca: CertAndKey;
let apiserverClient: CertAndKey;
let alice: CertAndKey;
let foreignAdmin: CertAndKey;
let foreignCA: CertAndKey;
let serving: ServingCertificate;
let kubelet: KubeletServer;
let proxy: http.Server;
let proxyConfig: KubeletClientConfig | undefined;
const asked: string[] = [];

function kubeletGet(path: string, client?: CertAndKey, trust = ca.cert): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port: kubelet.port, path, ca: trust, servername: 'localhost', ...(client ? { cert: client.cert, key: client.key } : {}), agent: false }, (res) => {
      let body = '';
      res.on('data', (b: Buffer) => (body += b.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

function proxyGet(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: (proxy.address() as AddressInfo).port, path }, (res: IncomingMessage) => {
      let body = '';
      res.on('data', (b: Buffer) => (body += b.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tkube-test-kubelet-api-'));
  ca = await createCA('tkube-test-ca');
  foreignCA = await createCA('tkube-test-other-ca');
  const servingPair = await issueCertificate(ca, { commonName: `system:node:${NODE}`, organizations: ['system:nodes'], dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'server' });
  apiserverClient = await issueCertificate(ca, { commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'], usage: 'client' });
  alice = await issueCertificate(ca, { commonName: 'alice', organizations: ['developers'], usage: 'client' });
  foreignAdmin = await issueCertificate(foreignCA, { commonName: 'kubernetes-admin', organizations: ['system:masters'], usage: 'client' });

  const logPath = join(dir, 'app.log');
  writeFileSync(logPath, '2024-01-01T00:00:00.000000000Z stdout F hello from app\n2024-01-01T00:00:01.000000000Z stdout F second line\n');
  const status = { id: 'c1', state: 'CONTAINER_RUNNING', log_path: logPath, metadata: { name: 'app', attempt: 0 } } as unknown as ContainerStatus;
  serving = new ServingCertificate(servingPair);
  kubelet = await startKubeletServer({
    port: 0,
    address: '127.0.0.1',
    // Plain (non-follow) logs and authorization never reach CRI.
    cri: {} as CriClient,
    pods: () => [pod],
    findPod: (ns, name) => (ns === 'default' && name === 'web' ? pod : undefined),
    runtimeState: async () => ({ containers: new Map([['app', [status]]]) }),
    logger: pino({ level: 'silent' }),
    tls: {
      certificate: serving,
      clientCA: ca.cert,
      nodeName: NODE,
      // The policy the apiserver's RBAC would answer: masters may do anything.
      authorize: async (user: KubeletUser, attrs) => {
        asked.push(`${user.name} ${attrs.verb} nodes/${attrs.subresource} ${attrs.name}`);
        return user.groups.includes('system:masters');
      },
    },
  });
  const node = { metadata: { name: NODE }, spec: {}, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: kubelet.port } } } } as unknown as Node;
  // The apiserver's pods/log path, with whichever kubelet client configuration the test sets.
  proxy = http.createServer((req, res) => {
    void proxyPodSubresource(req, res, pod, node, 'log', new URL(req.url ?? '/', 'http://x').searchParams, proxyConfig);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
});

afterAll(async () => {
  await kubelet?.close();
  await new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the kubelet API over HTTPS', () => {
  it('answers 401 to a request without a client certificate', async () => {
    const res = await kubeletGet('/containerLogs/default/web/app');
    expect(res).toEqual({ status: 401, body: 'Unauthorized' });
    expect((await kubeletGet('/healthz')).status).toBe(401);
  });

  it('answers 401 to a certificate from another CA, even one claiming system:masters', async () => {
    expect((await kubeletGet('/containerLogs/default/web/app', foreignAdmin)).status).toBe(401);
  });

  it('answers 403 to an authenticated user the authorizer does not allow', async () => {
    const res = await kubeletGet('/containerLogs/default/web/app', alice);
    expect(res).toEqual({ status: 403, body: 'Forbidden (user=alice, verb=get, resource=nodes, subresource=proxy)' });
    expect(asked).toContain(`alice get nodes/proxy ${NODE}`);
  });

  it("serves the apiserver's client certificate", async () => {
    const res = await kubeletGet('/containerLogs/default/web/app', apiserverClient);
    expect(res).toEqual({ status: 200, body: 'hello from app\nsecond line\n' });
  });

  it('refuses plain HTTP', async () => {
    const plain = await new Promise<string>((resolve) => {
      http.get({ host: '127.0.0.1', port: kubelet.port, path: '/containerLogs/default/web/app' }, (res) => resolve(`status ${res.statusCode}`)).on('error', (err) => resolve(`error ${(err as NodeJS.ErrnoException).code}`));
    });
    expect(plain).not.toBe('status 200');
  });
});

describe("the apiserver's node proxy with its kubelet client certificate", () => {
  it('gets the log over HTTPS, verifying the kubelet against the CA', async () => {
    proxyConfig = { cert: apiserverClient.cert, key: apiserverClient.key, ca: ca.cert };
    expect(await proxyGet('/?tailLines=1')).toEqual({ status: 200, body: 'second line\n' });
  });

  it('fails when the kubelet certificate does not verify against --kubelet-certificate-authority', async () => {
    proxyConfig = { cert: apiserverClient.cert, key: apiserverClient.key, ca: foreignCA.cert };
    const res = await proxyGet('/');
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body)).toMatchObject({ kind: 'Status', reason: 'InternalError', message: expect.stringContaining('error dialing backend') });
  });

  it('is refused by the kubelet without a client certificate (plain HTTP proxying)', async () => {
    proxyConfig = undefined;
    const res = await proxyGet('/');
    expect(res.status).toBeGreaterThanOrEqual(400);
  });

  it('is refused with a certificate the kubelet does not authorize', async () => {
    proxyConfig = { cert: alice.cert, key: alice.key, ca: ca.cert };
    const res = await proxyGet('/');
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ kind: 'Status', message: 'Forbidden (user=alice, verb=get, resource=nodes, subresource=proxy)' });
  });
});

describe('a serving certificate issued later', () => {
  it('is taken without a restart', async () => {
    const renewed = await issueCertificate(foreignCA, { commonName: `system:node:${NODE}`, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'server' });
    serving.set(renewed);
    // The old CA no longer verifies the kubelet; the new one does.
    await expect(kubeletGet('/containerLogs/default/web/app', apiserverClient)).rejects.toThrow();
    expect((await kubeletGet('/containerLogs/default/web/app', apiserverClient, foreignCA.cert)).status).toBe(200);
  });
});
