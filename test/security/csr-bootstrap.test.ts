/**
 * The CSR controllers and the kubelet's TLS bootstrap against a real apiserver: the
 * approver approves a node client request, the signer issues it with the cluster CA, and
 * the kubelet ends up with a key, a certificate and a kubeconfig that uses them. Requests
 * the approver does not handle wait for `kubectl certificate approve`; the signer fails
 * requests that do not fit their signer. (Plain HTTP here: every request is the loopback
 * admin, so the approver's group fallback sees system:masters.)
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../api/client/kube-client.js';
import { loadKubeconfig } from '../../api/client/kubeconfig.js';
import { createCA, isSignedBy, parseCertificate, writeSecretFile, type CertAndKey } from '../../api/pki/index.js';
import { certificateSigningRequests } from '../../api/registry.js';
import { csrApprovingController } from '../../controllers/certificates/approver.js';
import { csrSigningControllerFactory } from '../../controllers/certificates/signer.js';
import { startControllerManager, type ControllerManager } from '../../controllers/manager.js';
import { ensureClientCertificate, ensureServingCertificate, hasUsableClientCertificate, requestCertificate } from '../../kubelet/tls-bootstrap.js';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';
import { waitFor } from '../helpers/wait.js';

const HOUR = 3_600_000;
const log = pino({ level: process.env.TKUBE_TEST_LOG ?? 'silent' });
let cp: TestControlPlane;
let ca: CertAndKey;
let manager: ControllerManager;

beforeAll(async () => {
  cp = await startControlPlane();
  ca = await createCA('tkube-test-cluster-ca');
  const pki = join(cp.dir, 'pki');
  mkdirSync(pki, { recursive: true });
  writeSecretFile(join(pki, 'ca.crt'), ca.cert);
  writeSecretFile(join(pki, 'ca.key'), ca.key);
  manager = await startControllerManager({
    client: cp.client,
    logger: log,
    leaderElect: false,
    controllers: ['csrapproving', 'csrsigning'],
    available: {
      csrapproving: csrApprovingController,
      csrsigning: csrSigningControllerFactory({ certFile: join(pki, 'ca.crt'), keyFile: join(pki, 'ca.key'), durationMs: 2 * HOUR }),
    },
  });
});

afterAll(async () => {
  await manager?.stop();
  await cp?.stop();
});

describe('kubelet TLS bootstrap', () => {
  it('turns a bootstrap kubeconfig into a node client certificate and kubeconfig', async () => {
    const kubeconfig = join(cp.dir, 'kubelet', 'kubeconfig');
    const certDir = join(cp.dir, 'kubelet', 'pki');
    expect(hasUsableClientCertificate(kubeconfig)).toBe(false);
    const how = await ensureClientCertificate({ kubeconfig, bootstrapKubeconfig: cp.kubeconfig, certDir, nodeName: 'tkube-boot-a', timeoutMs: 20_000, logger: log });
    expect(how).toBe('bootstrapped');

    const conn = loadKubeconfig(kubeconfig);
    expect(conn.server).toBe(cp.url);
    const cert = parseCertificate(conn.cert!);
    expect(cert.commonName).toBe('system:node:tkube-boot-a');
    expect(cert.organizations).toEqual(['system:nodes']);
    expect(await isSignedBy(conn.cert!, ca.cert)).toBe(true);
    // --cluster-signing-duration caps the validity.
    expect(Math.abs(cert.notAfter.getTime() - (Date.now() + 2 * HOUR))).toBeLessThan(5 * 60_000);
    for (const f of ['kubelet-client.key', 'kubelet-client.crt']) expect(statSync(join(certDir, f)).mode & 0o777).toBe(0o600);
    expect(statSync(kubeconfig).mode & 0o777).toBe(0o600);

    // The CSR went through the approver and the signer.
    const csrs = (await cp.client.resource(certificateSigningRequests).list()).items.filter((c) => c.metadata.name!.startsWith('node-csr-'));
    expect(csrs).toHaveLength(1);
    expect(csrs[0]!.status?.conditions?.find((c) => c.type === 'Approved')).toMatchObject({ reason: 'AutoApproved' });

    // A second start finds the certificate and does not ask again.
    expect(await ensureClientCertificate({ kubeconfig, bootstrapKubeconfig: cp.kubeconfig, certDir, nodeName: 'tkube-boot-a', logger: log })).toBe('existing');
  });

  it('gets a serving certificate once someone approves it, and the signer fails a request that does not fit', async () => {
    const certDir = join(cp.dir, 'kubelet-b', 'pki');
    const pending = ensureServingCertificate({ client: cp.client, nodeName: 'tkube-boot-b', dnsNames: ['tkube-boot-b'], ipAddresses: ['10.77.0.2'], certDir, timeoutMs: 20_000, logger: log });
    // The approver leaves it (the requester is not the node): a person approves it.
    const name = await waitFor('the serving CSR', async () =>
      (await cp.client.resource(certificateSigningRequests).list()).items.find((c) => c.spec.signerName === 'kubernetes.io/kubelet-serving' && !c.status?.conditions?.length)?.metadata.name,
    );
    await cp.kubectl(['certificate', 'approve', name]);
    const pair = await pending;
    expect(parseCertificate(pair.cert)).toMatchObject({ commonName: 'system:node:tkube-boot-b', dnsNames: ['tkube-boot-b'], ipAddresses: ['10.77.0.2'] });
    expect(await isSignedBy(pair.cert, ca.cert)).toBe(true);

    const wrong = requestCertificate(
      cp.client,
      { signerName: 'kubernetes.io/kubelet-serving', usages: ['digital signature', 'server auth'], subject: { commonName: 'alice', organizations: ['developers'], dnsNames: ['x'] }, timeoutMs: 20_000 },
      log,
    );
    const wrongName = await waitFor('the mis-fitting CSR', async () =>
      (await cp.client.resource(certificateSigningRequests).list()).items.find((c) => c.metadata.name !== name && c.spec.signerName === 'kubernetes.io/kubelet-serving' && !c.status?.conditions?.length)?.metadata.name,
    );
    await cp.kubectl(['certificate', 'approve', wrongName]);
    await expect(wrong).rejects.toThrow(/failed: subject organization must be exactly \["system:nodes"\]/);
    expect((await cp.kubectl(['get', 'csr', wrongName, '--no-headers'])).stdout).toMatch(/Approved,Failed\s*$/);
  });
});
