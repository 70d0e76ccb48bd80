/**
 * TLS bootstrap on a secured control plane (HTTPS, authentication, Node,RBAC): a kubelet
 * holding only a bootstrap credential (user system:bootstrap:<id>, group
 * system:bootstrappers) obtains its client certificate; the CSR records that requester;
 * the approver decides with SubjectAccessReviews (nodeclient / selfnodeclient); a node
 * may renew its own certificate but a request for another node's name stays pending.
 */
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKubeconfig } from '../../api/client/kubeconfig.js';
import { createCsr, generateKey, isSignedBy, parseCertificate } from '../../api/pki/index.js';
import { certificateSigningRequests } from '../../api/registry.js';
import { csrApprovingController } from '../../controllers/certificates/approver.js';
import { csrSigningControllerFactory } from '../../controllers/certificates/signer.js';
import { startControllerManager, type ControllerManager } from '../../controllers/manager.js';
import { ensureClientCertificate } from '../../kubelet/tls-bootstrap.js';
import { startSecureControlPlane, type SecureControlPlane } from '../helpers/secure-control-plane.js';

const log = pino({ level: process.env.TKUBE_TEST_LOG ?? 'silent' });
const BOOTSTRAP_TOKEN = 'abcdef.0123456789abcdef';
let cp: SecureControlPlane;
let manager: ControllerManager;

beforeAll(async () => {
  cp = await startSecureControlPlane({ tokens: [{ token: BOOTSTRAP_TOKEN, user: 'system:bootstrap:abcdef', groups: ['system:bootstrappers'] }] });
  manager = await startControllerManager({
    client: cp.client,
    logger: log,
    leaderElect: false,
    controllers: ['csrapproving', 'csrsigning'],
    available: {
      csrapproving: csrApprovingController,
      csrsigning: csrSigningControllerFactory({ certFile: cp.pki.files.ca.cert, keyFile: cp.pki.files.ca.key }),
    },
  });
});

afterAll(async () => {
  await manager?.stop();
  await cp?.close();
});

describe('kubelet TLS bootstrap with a bootstrap credential', () => {
  let nodeKubeconfig: string;

  it('obtains a node client certificate, and the CSR names the bootstrap user as requester', async () => {
    nodeKubeconfig = join(cp.dir, 'tkube-boot-node', 'kubeconfig');
    const how = await ensureClientCertificate({
      kubeconfig: nodeKubeconfig,
      bootstrapKubeconfig: cp.tokenKubeconfig(BOOTSTRAP_TOKEN),
      certDir: join(cp.dir, 'tkube-boot-node', 'pki'),
      nodeName: 'tkube-boot-node',
      timeoutMs: 20_000,
      logger: log,
    });
    expect(how).toBe('bootstrapped');
    const conn = loadKubeconfig(nodeKubeconfig);
    expect(parseCertificate(conn.cert!)).toMatchObject({ commonName: 'system:node:tkube-boot-node', organizations: ['system:nodes'] });
    expect(await isSignedBy(conn.cert!, cp.pki.ca.cert)).toBe(true);
    const [csr] = (await cp.client.resource(certificateSigningRequests).list()).items;
    expect(csr!.spec.username).toBe('system:bootstrap:abcdef');
    expect(csr!.spec.groups).toContain('system:bootstrappers');
    expect(csr!.status?.conditions?.find((c) => c.type === 'Approved')?.message).toBe('Auto approving kubelet client certificate after SubjectAccessReview.');
  });

  it('lets the node renew its own certificate but not ask for another node\'s', async () => {
    const node = cp.clientFor(nodeKubeconfig);
    const csrs = node.resource(certificateSigningRequests);
    const create = async (name: string, cn: string) =>
      csrs.create({
        apiVersion: 'certificates.k8s.io/v1',
        kind: 'CertificateSigningRequest',
        metadata: { name },
        spec: {
          request: Buffer.from(await createCsr(await generateKey(), { commonName: cn, organizations: ['system:nodes'] })).toString('base64'),
          signerName: 'kubernetes.io/kube-apiserver-client-kubelet',
          usages: ['digital signature', 'client auth'],
        },
      });
    await create('tkube-renew-own', 'system:node:tkube-boot-node');
    await create('tkube-renew-other', 'system:node:tkube-someone-else');
    const admin = cp.client.resource(certificateSigningRequests);
    const deadline = Date.now() + 15_000;
    let own = await admin.get('tkube-renew-own');
    while (!own.status?.certificate && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      own = await admin.get('tkube-renew-own');
    }
    expect(own.spec.username).toBe('system:node:tkube-boot-node');
    expect(own.status?.conditions?.find((c) => c.type === 'Approved')?.message).toBe('Auto approving self kubelet client certificate after SubjectAccessReview.');
    expect(own.status?.certificate).toBeTruthy();
    const other = await admin.get('tkube-renew-other');
    expect(other.status?.conditions ?? []).toEqual([]);
  });
});
