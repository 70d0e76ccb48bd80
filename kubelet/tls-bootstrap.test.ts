import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCA, issueCertificate, type CertAndKey } from '../api/pki/index.js';
import { writeKubeconfig } from '../cli/kubeconfig.js';
import { writeCertificatePair } from './cert-rotation-files.js';
import { CLIENT_CERT_FILE, CLIENT_KEY_FILE, clientCertificateSpec, currentClientCertificate, ensureClientCertificate, servingCertificateSpec } from './tls-bootstrap.js';

let dir: string;
let ca: CertAndKey;
const DAY = 86_400_000;
const node = (validityMs: number) => issueCertificate(ca, { commonName: 'system:node:tkube-n1', organizations: ['system:nodes'], usage: 'client', validityMs });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tkube-test-tlsboot-'));
  ca = await createCA('tkube-test-boot-ca');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function setup(name: string, kubeconfigPair: CertAndKey | undefined, certDirPair: CertAndKey | undefined): { kubeconfig: string; certDir: string } {
  const kubeconfig = join(dir, name, 'kubelet.kubeconfig');
  const certDir = join(dir, name, 'pki');
  writeKubeconfig(kubeconfig, { server: 'https://127.0.0.1:1', user: 'system:node:tkube-n1', caCert: ca.cert, ...(kubeconfigPair ? { clientCert: kubeconfigPair.cert, clientKey: kubeconfigPair.key } : { token: 'x' }) });
  if (certDirPair) writeCertificatePair(join(certDir, CLIENT_CERT_FILE), join(certDir, CLIENT_KEY_FILE), certDirPair);
  return { kubeconfig, certDir };
}

describe('currentClientCertificate', () => {
  it('prefers the pair valid longest, so a rotated pair in the cert dir wins over an embedded older one', async () => {
    const older = await node(10 * DAY);
    const rotated = await node(300 * DAY);
    const s = setup('rotated', older, rotated);
    expect(currentClientCertificate(s.kubeconfig, s.certDir)).toEqual(rotated);
    const t = setup('kubeconfig-newer', rotated, older);
    expect(currentClientCertificate(t.kubeconfig, t.certDir)).toEqual(rotated);
  });

  it('takes a certificate close to expiry (rotation renews it) but not an expired one', async () => {
    const soon = await node(20_000);
    const s = setup('soon', soon, undefined);
    expect(currentClientCertificate(s.kubeconfig, s.certDir)).toEqual(soon);
    const expired = await issueCertificate(ca, { commonName: 'system:node:tkube-n1', organizations: ['system:nodes'], usage: 'client', validityMs: -1000 });
    const e = setup('expired', expired, undefined);
    expect(currentClientCertificate(e.kubeconfig, e.certDir)).toBeUndefined();
  });

  it('lets a kubelet whose kubeconfig certificate expired start on the rotated pair without bootstrapping', async () => {
    const expired = await issueCertificate(ca, { commonName: 'system:node:tkube-n1', organizations: ['system:nodes'], usage: 'client', validityMs: -1000 });
    const rotated = await node(300 * DAY);
    const s = setup('restart', expired, rotated);
    const how = await ensureClientCertificate({ kubeconfig: s.kubeconfig, certDir: s.certDir, nodeName: 'tkube-n1', logger: pino({ level: 'silent' }) });
    expect(how).toBe('existing');
    const none = setup('nothing', expired, undefined);
    await expect(ensureClientCertificate({ kubeconfig: none.kubeconfig, certDir: none.certDir, nodeName: 'tkube-n1', logger: pino({ level: 'silent' }) })).rejects.toThrow(/no usable client certificate/);
    writeFileSync(join(dir, 'broken.kubeconfig'), 'not: [a kubeconfig');
    await expect(ensureClientCertificate({ kubeconfig: join(dir, 'broken.kubeconfig'), certDir: s.certDir, nodeName: 'tkube-n1', logger: pino({ level: 'silent' }) })).rejects.toThrow(/no usable client certificate/);
  });
});

describe('certificate specs', () => {
  it('ask for the node identity with the signers and usages the approver expects', () => {
    expect(clientCertificateSpec('n1')).toEqual({
      signerName: 'kubernetes.io/kube-apiserver-client-kubelet',
      usages: ['digital signature', 'client auth'],
      subject: { commonName: 'system:node:n1', organizations: ['system:nodes'] },
    });
    expect(servingCertificateSpec('n1', ['n1'], ['10.0.0.1'])).toMatchObject({
      signerName: 'kubernetes.io/kubelet-serving',
      usages: ['digital signature', 'server auth'],
      subject: { commonName: 'system:node:n1', dnsNames: ['n1'], ipAddresses: ['10.0.0.1'] },
    });
  });
});
