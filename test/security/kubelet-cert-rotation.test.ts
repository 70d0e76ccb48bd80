/**
 * Kubelet certificate rotation on a secured control plane (HTTPS, Node,RBAC, the
 * csrapproving and csrsigning controllers under the controller-manager's identity): a
 * node starts with a client and a serving certificate valid for 20 s; before they expire
 * the rotation managers renew both through CSRs sent with the node's own (current)
 * certificate. The renewal is approved as a self-node request, the new certificates are
 * written to the cert dir and valid for long, the node's client keeps working after the
 * old certificate's notAfter (which the apiserver then refuses), a watch opened before
 * the rotation keeps streaming, and the kubelet's HTTPS server presents the new serving
 * certificate.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../api/client/kube-client.js';
import { loadKubeconfig } from '../../api/client/kubeconfig.js';
import { isApiError } from '../../api/meta/errors.js';
import { issueCertificate, isSignedBy, parseCertificate, type CertAndKey } from '../../api/pki/index.js';
import { certificateSigningRequests, clusterRoleBindings, nodes } from '../../api/registry.js';
import type { CertificateSigningRequest } from '../../api/types/certificates.js';
import type { Node } from '../../api/types/node.js';
import { ensureNodeCertificateRotationApproved, NODE_AUTOAPPROVE_ROTATION } from '../../cli/cluster/security.js';
import { csrApprovingController } from '../../controllers/certificates/approver.js';
import { csrSigningControllerFactory } from '../../controllers/certificates/signer.js';
import { startControllerManager, type ControllerManager } from '../../controllers/manager.js';
import type { CertificateRotationManager } from '../../kubelet/cert-rotation.js';
import { keyMatchesCertificate, writeCertificatePair } from '../../kubelet/cert-rotation-files.js';
import { startClientCertificateRotation, startServingCertificateRotation } from '../../kubelet/cert-rotation-node.js';
import type { CriClient } from '../../kubelet/cri-client.js';
import { startKubeletServer, type KubeletServer } from '../../kubelet/server.js';
import { ServingCertificate } from '../../kubelet/serving-certificate.js';
import { CLIENT_CERT_FILE, CLIENT_KEY_FILE, currentClientCertificate, nodeKubeconfigYaml, SERVING_CERT_FILE, SERVING_KEY_FILE } from '../../kubelet/tls-bootstrap.js';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';
import { waitFor } from '../helpers/wait.js';

const NODE = 'tkube-rot-node';
/** Rotation falls due at 70% (28 s): 12 s are left for the CSRs on a loaded machine. */
const SHORT_MS = 40_000;
const log = pino({ level: process.env.TKUBE_TEST_LOG ?? 'silent' });

let cp: TestControlPlane;
let cmClient: KubeClient | undefined;
let manager: ControllerManager | undefined;
let dir: string;
let certDir: string;
let ca: CertAndKey;
let oldClient: CertAndKey;
let oldServing: CertAndKey;
let nodeClient: KubeClient | undefined;
let kubelet: KubeletServer | undefined;
const rotations: CertificateRotationManager[] = [];
const rotationOptions = { random: () => 0, csrTimeoutMs: 15_000, backoff: { initialMs: 500, maxMs: 2_000 } };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tkube-test-rotation-'));
  certDir = join(dir, 'pki');
  cp = await startControlPlane();
  const pki = cp.pki!.pki;
  ca = pki.ca;
  cmClient = await cp.clientFor('controller-manager');
  manager = await startControllerManager({
    client: cmClient,
    logger: log,
    leaderElect: false,
    controllers: ['csrapproving', 'csrsigning'],
    available: {
      csrapproving: csrApprovingController,
      csrsigning: csrSigningControllerFactory({ certFile: pki.files.ca.cert, keyFile: pki.files.ca.key }),
    },
  });
  // Both certificates expire SHORT_MS from now (no backdating); rotation falls due at 70% of it.
  const short = { commonName: `system:node:${NODE}`, organizations: ['system:nodes'], validityMs: SHORT_MS, backdateMs: 0 };
  [oldClient, oldServing] = await Promise.all([
    issueCertificate(ca, { ...short, usage: 'client' }),
    issueCertificate(ca, { ...short, usage: 'server', dnsNames: [NODE], ipAddresses: ['127.0.0.1'] }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all(rotations.map((r) => r.stop()));
  await kubelet?.close();
  nodeClient?.close();
  await manager?.stop();
  cmClient?.close();
  await cp?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The certificate a TLS server on 127.0.0.1:port presents. */
function presentedCertificate(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port, ca: ca.cert, servername: NODE }, () => {
      const fp = sock.getPeerCertificate().fingerprint256;
      sock.destroy();
      resolve(fp);
    });
    sock.on('error', reject);
  });
}

const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

async function nodeCsrs(signerName: string): Promise<CertificateSigningRequest[]> {
  const all = await cp.client.resource(certificateSigningRequests).list();
  return all.items.filter((c) => c.spec.username === `system:node:${NODE}` && c.spec.signerName === signerName);
}

describe('kubelet certificate rotation', () => {
  it('renews the client and serving certificates before they expire and uses the new ones', async () => {
    await ensureNodeCertificateRotationApproved(cp.client);
    await ensureNodeCertificateRotationApproved(cp.client); // kept when it exists
    expect((await cp.client.resource(clusterRoleBindings).get(NODE_AUTOAPPROVE_ROTATION)).subjects).toEqual([
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:nodes' },
    ]);

    // The node as after its TLS bootstrap: the pair in the cert dir, a kubeconfig pointing at it.
    writeCertificatePair(join(certDir, CLIENT_CERT_FILE), join(certDir, CLIENT_KEY_FILE), oldClient);
    const kubeconfig = join(dir, 'kubelet.kubeconfig');
    writeFileSync(kubeconfig, nodeKubeconfigYaml({ server: cp.url, ca: ca.cert, namespace: 'default' }, join(certDir, CLIENT_CERT_FILE), join(certDir, CLIENT_KEY_FILE), NODE));
    const initial = currentClientCertificate(kubeconfig, certDir)!;
    expect(initial.cert).toBe(oldClient.cert);
    nodeClient = new KubeClient({ ...loadKubeconfig(kubeconfig), ...initial, userAgent: 'tkube-kubelet' });

    // The node registers itself (the serving approval checks the Node's addresses).
    await nodeClient.resource(nodes).create({ apiVersion: 'v1', kind: 'Node', metadata: { name: NODE } } as Node);
    await nodeClient.resource(nodes).patchStatus(NODE, 'merge', { status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: NODE }] } });

    const serving = new ServingCertificate(oldServing);
    kubelet = await startKubeletServer({
      port: 0,
      address: '127.0.0.1',
      cri: {} as CriClient,
      pods: () => [],
      findPod: () => undefined,
      runtimeState: async () => ({ containers: new Map() }),
      logger: log,
      tls: { certificate: serving, clientCA: ca.cert, nodeName: NODE, authorize: async () => true },
    });
    expect(await presentedCertificate(kubelet.port)).toBe(fingerprint(oldServing.cert));

    // A watch opened with the old certificate, before any rotation.
    const ac = new AbortController();
    const watch = nodeClient.resource(nodes).watch({ name: NODE, signal: ac.signal });
    const events: string[] = [];
    const watching = (async () => {
      for await (const ev of watch) events.push(`${ev.type} ${(ev.object as Node).metadata.labels?.['tkube-test'] ?? ''}`);
    })().catch((err: Error) => events.push(`error ${err.message}`));
    await waitFor('the watch to start', async () => (events.length > 0 ? true : undefined), 10_000);

    rotations.push(startClientCertificateRotation({ client: nodeClient, nodeName: NODE, certDir, initial, logger: log, ...rotationOptions }));
    rotations.push(
      startServingCertificateRotation({ client: nodeClient, nodeName: NODE, certDir, serving, dnsNames: [NODE], ipAddresses: ['127.0.0.1'], logger: log, ...rotationOptions }),
    );
    const oldNotAfter = parseCertificate(oldClient.cert).notAfter.getTime();
    expect(rotations.map((r) => r.nextDeadline().getTime())).toEqual(
      [oldClient, oldServing].map((c) => {
        const p = parseCertificate(c.cert);
        return p.notBefore.getTime() + Math.floor((p.notAfter.getTime() - p.notBefore.getTime()) * 0.7);
      }),
    );

    // What the apiserver sees on each new TLS connection from now on.
    const presented: string[] = [];
    cp.apiserver.server.on('secureConnection', (sock: TLSSocket) => {
      const peer = sock.getPeerCertificate();
      if (peer?.fingerprint256) presented.push(peer.fingerprint256);
    });
    await waitFor('the client rotation', async () => (rotations[0]!.rotations >= 1 ? true : undefined), SHORT_MS + 5_000);
    const sinceClientRotation = presented.length;
    await waitFor('the serving rotation', async () => (rotations[1]!.rotations >= 1 ? true : undefined), SHORT_MS + 5_000);
    expect(Date.now()).toBeLessThan(oldNotAfter);

    // Client: a self-node CSR, approved and issued; the new pair is on disk and valid for long.
    const [clientCsr] = await nodeCsrs('kubernetes.io/kube-apiserver-client-kubelet');
    expect(clientCsr!.status?.conditions?.find((c) => c.type === 'Approved')?.message).toBe('Auto approving self kubelet client certificate after SubjectAccessReview.');
    expect(clientCsr!.status?.certificate).toBeTruthy();
    const newClient = { cert: readFileSync(join(certDir, CLIENT_CERT_FILE), 'utf8'), key: readFileSync(join(certDir, CLIENT_KEY_FILE), 'utf8') };
    expect(newClient.cert).not.toBe(oldClient.cert);
    expect(newClient.cert).toBe(Buffer.from(clientCsr!.status!.certificate!, 'base64').toString('utf8'));
    expect(keyMatchesCertificate(newClient)).toBe(true);
    expect(await isSignedBy(newClient.cert, ca.cert)).toBe(true);
    expect(parseCertificate(newClient.cert)).toMatchObject({ commonName: `system:node:${NODE}`, organizations: ['system:nodes'] });
    expect(parseCertificate(newClient.cert).notAfter.getTime()).toBeGreaterThan(Date.now() + 300 * 86_400_000);
    // A restarted kubelet picks the rotated pair.
    expect(currentClientCertificate(kubeconfig, certDir)?.cert).toBe(newClient.cert);

    // Serving: a kubelet-serving CSR from the node, approved; the server presents the new certificate.
    const [servingCsr] = await nodeCsrs('kubernetes.io/kubelet-serving');
    expect(servingCsr!.status?.conditions?.some((c) => c.type === 'Approved')).toBe(true);
    const newServing = readFileSync(join(certDir, SERVING_CERT_FILE), 'utf8');
    expect(newServing).toBe(Buffer.from(servingCsr!.status!.certificate!, 'base64').toString('utf8'));
    expect(keyMatchesCertificate({ cert: newServing, key: readFileSync(join(certDir, SERVING_KEY_FILE), 'utf8') })).toBe(true);
    expect(parseCertificate(newServing).notAfter.getTime()).toBeGreaterThan(Date.now() + 300 * 86_400_000);
    expect(await presentedCertificate(kubelet.port)).toBe(fingerprint(newServing));
    expect(fingerprint(newServing)).not.toBe(fingerprint(oldServing.cert));

    // Past the old certificate's notAfter: the rotated client works (on new connections), the old certificate is refused.
    await new Promise((r) => setTimeout(r, Math.max(0, oldNotAfter - Date.now() + 1500)));
    // Concurrent requests need new connections beside any kept alive: they present the new certificate.
    const gets = await Promise.all(Array.from({ length: 8 }, () => nodeClient!.resource(nodes).get(NODE)));
    expect(gets.map((n) => n.metadata.name)).toEqual(Array(8).fill(NODE));
    const nodeConnections = presented.slice(sinceClientRotation).filter((fp) => fp === fingerprint(newClient.cert) || fp === fingerprint(oldClient.cert));
    expect(nodeConnections.length).toBeGreaterThan(0);
    expect(nodeConnections.every((fp) => fp === fingerprint(newClient.cert))).toBe(true);
    await nodeClient.resource(nodes).patch(NODE, 'merge', { metadata: { labels: { 'tkube-test': 'after-expiry' } } });
    expect(rotations.every((r) => r.rotations === 1)).toBe(true);
    const stale = new KubeClient({ server: cp.url, ca: ca.cert, cert: oldClient.cert, key: oldClient.key, maxRetries: 0 });
    try {
      const err = await stale.resource(nodes).get(NODE).then(() => undefined, (e: unknown) => e);
      expect(isApiError(err, 'Unauthorized') || isApiError(err, 'Forbidden')).toBe(true);
    } finally {
      stale.close();
    }

    // The watch opened before the rotation still delivers events.
    await waitFor('the watch event', async () => (events.some((e) => e === 'MODIFIED after-expiry') ? true : undefined), 10_000);
    expect(events.filter((e) => e.startsWith('error'))).toEqual([]);
    ac.abort();
    await watching;
  }, 120_000);
});
