/** The writes the certificate controllers make: approval (through /approval) and status (through /status). */
import { objectPath, type KubeClient } from '../../api/client/kube-client.js';
import { certificateSigningRequests } from '../../api/registry.js';
import type { CertificateSigningRequest, CertificateSigningRequestCondition } from '../../api/types/certificates.js';

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function withCondition(csr: CertificateSigningRequest, condition: CertificateSigningRequestCondition): CertificateSigningRequest {
  const conditions = (csr.status?.conditions ?? []).filter((c) => c.type !== condition.type);
  return { ...csr, status: { ...(csr.status ?? {}), conditions: [...conditions, condition] } };
}

/** PUT .../approval with an Approved condition; the resourceVersion makes a stale copy a Conflict. */
export async function approveCsr(client: KubeClient, csr: CertificateSigningRequest, reason: string, message: string): Promise<CertificateSigningRequest> {
  const t = now();
  const body = withCondition(csr, { type: 'Approved', status: 'True', reason, message, lastUpdateTime: t, lastTransitionTime: t });
  return client.request<CertificateSigningRequest>({
    method: 'PUT',
    path: objectPath(certificateSigningRequests, undefined, csr.metadata.name!, 'approval'),
    body,
    idempotent: true,
  });
}

/** PUT .../status with the issued certificate chain (PEM). */
export function issueCertificate(client: KubeClient, csr: CertificateSigningRequest, certificatePem: string): Promise<CertificateSigningRequest> {
  return client.resource(certificateSigningRequests).updateStatus({ ...csr, status: { ...(csr.status ?? {}), certificate: Buffer.from(certificatePem).toString('base64') } });
}

/** PUT .../status with a Failed condition: the signer will not sign this request. */
export function failCsr(client: KubeClient, csr: CertificateSigningRequest, reason: string, message: string): Promise<CertificateSigningRequest> {
  const t = now();
  return client.resource(certificateSigningRequests).updateStatus(withCondition(csr, { type: 'Failed', status: 'True', reason, message, lastUpdateTime: t, lastTransitionTime: t }));
}
