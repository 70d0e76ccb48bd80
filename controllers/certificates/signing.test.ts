import { describe, expect, it } from 'vitest';
import { createCA, createCsr, generateKey, isSignedBy, parseCertificate } from '../../api/pki/index.js';
import type { CertificateSigningRequest } from '../../api/types/certificates.js';
import { certificateLifetimeMs, signRequest } from './signing.js';

const HOUR = 3_600_000;

async function approvedCsr(subject: Parameters<typeof createCsr>[1], spec: Partial<CertificateSigningRequest['spec']>): Promise<CertificateSigningRequest> {
  const pem = await createCsr(await generateKey(), subject);
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name: 'c' },
    spec: { request: Buffer.from(pem).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'], ...spec },
    status: { conditions: [{ type: 'Approved', status: 'True' }] },
  };
}

describe('signing a request with the cluster CA', () => {
  it('issues a kubelet client certificate with the request\'s subject, verifiable against the CA, for the requested time', async () => {
    const ca = await createCA('tkube-test-ca');
    const csr = await approvedCsr({ commonName: 'system:node:a', organizations: ['system:nodes'] }, { expirationSeconds: 3600 });
    const out = await signRequest(ca, csr, 24 * HOUR);
    if (!('certificate' in out)) throw new Error(out.failed);
    const cert = parseCertificate(out.certificate);
    expect(cert.commonName).toBe('system:node:a');
    expect(cert.organizations).toEqual(['system:nodes']);
    expect(cert.isCA).toBe(false);
    expect(await isSignedBy(out.certificate, ca.cert)).toBe(true);
    expect(Math.abs(cert.notAfter.getTime() - (Date.now() + HOUR))).toBeLessThan(60_000);
  });

  it('caps the lifetime at the signing duration and the CA\'s expiry', () => {
    const csr = { spec: { request: '', signerName: 'x', expirationSeconds: 10 * 24 * 3600 } };
    const now = Date.now();
    expect(certificateLifetimeMs(csr, 24 * HOUR, new Date(now + 365 * 24 * HOUR), now)).toBe(24 * HOUR);
    expect(certificateLifetimeMs(csr, 100 * 24 * HOUR, new Date(now + 2 * HOUR), now)).toBe(2 * HOUR);
    expect(certificateLifetimeMs({ spec: { request: '', signerName: 'x' } }, 5 * HOUR, new Date(now + 100 * HOUR), now)).toBe(5 * HOUR);
  });

  it('issues serving certificates with the request\'s names', async () => {
    const ca = await createCA('tkube-test-ca');
    const csr = await approvedCsr(
      { commonName: 'system:node:a', organizations: ['system:nodes'], dnsNames: ['a'], ipAddresses: ['10.0.0.5'] },
      { signerName: 'kubernetes.io/kubelet-serving', usages: ['digital signature', 'key encipherment', 'server auth'] },
    );
    const out = await signRequest(ca, csr, 24 * HOUR);
    if (!('certificate' in out)) throw new Error(out.failed);
    expect(parseCertificate(out.certificate)).toMatchObject({ dnsNames: ['a'], ipAddresses: ['10.0.0.5'] });
  });

  it('refuses requests that do not fit the signer or do not parse', async () => {
    const ca = await createCA('tkube-test-ca');
    const wrongSubject = await approvedCsr({ commonName: 'alice', organizations: ['system:masters'] }, {});
    expect(await signRequest(ca, wrongSubject, HOUR)).toEqual({ failed: 'subject organization must be exactly ["system:nodes"]' });
    const garbage = await approvedCsr({ commonName: 'system:node:a', organizations: ['system:nodes'] }, {});
    garbage.spec.request = Buffer.from('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n').toString('base64');
    expect(await signRequest(ca, garbage, HOUR)).toMatchObject({ failed: expect.stringContaining('unable to parse') });
    const clientForServing = await approvedCsr({ commonName: 'system:node:a', organizations: ['system:nodes'] }, { signerName: 'kubernetes.io/kubelet-serving', usages: ['server auth'] });
    expect(await signRequest(ca, clientForServing, HOUR)).toMatchObject({ failed: expect.stringContaining('DNS name or IP') });
  });
});
