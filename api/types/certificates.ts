/**
 * certificates.k8s.io/v1 CertificateSigningRequest: a request for a certificate signed by
 * a named signer. The requester's identity (spec.username, uid, groups, extra) is set by
 * the apiserver from the authenticated user; approval (Approved/Denied conditions) goes
 * through the approval subresource, the signed certificate through status.
 */
import { z } from 'zod';
import { ObjectMeta } from '../meta/object-meta.js';
import { atomicList, mergeList } from '../meta/patch-meta.js';
import { listOf, typeMeta } from './common.js';

/** The signers Kubernetes' own controllers serve. */
export const SIGNER_KUBE_APISERVER_CLIENT = 'kubernetes.io/kube-apiserver-client';
export const SIGNER_KUBE_APISERVER_CLIENT_KUBELET = 'kubernetes.io/kube-apiserver-client-kubelet';
export const SIGNER_KUBELET_SERVING = 'kubernetes.io/kubelet-serving';
/** Only for CSRs of certificates.k8s.io/v1beta1; v1 refuses it. */
export const SIGNER_LEGACY_UNKNOWN = 'kubernetes.io/legacy-unknown';

/** The key usages of certificates.k8s.io/v1 (KeyUsage). */
export const KEY_USAGES = [
  'signing',
  'digital signature',
  'content commitment',
  'key encipherment',
  'key agreement',
  'data encipherment',
  'cert sign',
  'crl sign',
  'encipher only',
  'decipher only',
  'any',
  'server auth',
  'client auth',
  'code signing',
  'email protection',
  's/mime',
  'ipsec end system',
  'ipsec tunnel',
  'ipsec user',
  'timestamping',
  'ocsp signing',
  'microsoft sgc',
  'netscape sgc',
] as const;
export type KeyUsage = (typeof KEY_USAGES)[number];

export const CertificateSigningRequestSpec = z
  .strictObject({
    request: z.string().describe('The PEM-encoded x509 certificate request (CERTIFICATE REQUEST block), base64-encoded.'),
    signerName: z.string().describe('The signer asked to sign, e.g. "kubernetes.io/kube-apiserver-client-kubelet".'),
    expirationSeconds: z.number().int().optional().describe('Requested validity of the certificate in seconds (at least 600); a signer may issue a shorter one.'),
    usages: atomicList(z.string()).optional().describe('Key usages requested in the certificate, e.g. "digital signature", "client auth".'),
    username: z.string().optional().describe('The user who created the request; set by the server.'),
    uid: z.string().optional().describe('The uid of the user who created the request; set by the server.'),
    groups: atomicList(z.string()).optional().describe('The groups of the user who created the request; set by the server.'),
    extra: z.record(z.string(), z.array(z.string())).optional().describe('Extra attributes of the user who created the request; set by the server.'),
  })
  .describe('The certificate request and what it asks for.');
export type CertificateSigningRequestSpec = z.infer<typeof CertificateSigningRequestSpec>;

export const CertificateSigningRequestCondition = z
  .strictObject({
    type: z.string().describe('Approved, Denied, Failed, or another condition type.'),
    status: z.string().optional().describe('True, False or Unknown; Approved and Denied must be True. Defaults to True.'),
    reason: z.string().optional(),
    message: z.string().optional(),
    lastUpdateTime: z.string().optional().describe('When this condition was last updated.'),
    lastTransitionTime: z.string().optional().describe('When the status of this condition last changed.'),
  })
  .describe('One condition of a certificate signing request.');
export type CertificateSigningRequestCondition = z.infer<typeof CertificateSigningRequestCondition>;

export const CertificateSigningRequestStatus = z
  .strictObject({
    conditions: mergeList(CertificateSigningRequestCondition, 'type').optional(),
    certificate: z.string().optional().describe('The issued certificate chain (PEM CERTIFICATE blocks), base64-encoded; set by the signer once approved.'),
  })
  .describe('Approval conditions and the issued certificate.');
export type CertificateSigningRequestStatus = z.infer<typeof CertificateSigningRequestStatus>;

export const CertificateSigningRequest = z
  .strictObject({
    ...typeMeta('certificates.k8s.io/v1', 'CertificateSigningRequest'),
    metadata: ObjectMeta,
    spec: CertificateSigningRequestSpec,
    status: CertificateSigningRequestStatus.optional(),
  })
  .describe('A request for an x509 certificate, signed by the named signer once approved.');
export type CertificateSigningRequest = z.infer<typeof CertificateSigningRequest>;
export type CertificateSigningRequestInput = z.input<typeof CertificateSigningRequest>;
export const CertificateSigningRequestList = listOf('certificates.k8s.io/v1', 'CertificateSigningRequest', CertificateSigningRequest);

/** Condition types that only the approval subresource may change. */
export const APPROVAL_CONDITIONS = ['Approved', 'Denied'] as const;

export function isApprovalCondition(type: string): boolean {
  return type === 'Approved' || type === 'Denied';
}

function hasTrueCondition(csr: Pick<CertificateSigningRequest, 'status'>, type: string): boolean {
  return (csr.status?.conditions ?? []).some((c) => c.type === type && (c.status ?? 'True') === 'True');
}

export const isApproved = (csr: Pick<CertificateSigningRequest, 'status'>): boolean => hasTrueCondition(csr, 'Approved');
export const isDenied = (csr: Pick<CertificateSigningRequest, 'status'>): boolean => hasTrueCondition(csr, 'Denied');
export const isFailed = (csr: Pick<CertificateSigningRequest, 'status'>): boolean => hasTrueCondition(csr, 'Failed');

/** The PEM text of spec.request (it travels base64-encoded, as Go's []byte does in JSON). */
export function requestPem(csr: Pick<CertificateSigningRequest, 'spec'>): string {
  return Buffer.from(csr.spec.request, 'base64').toString('utf8');
}

/** RFC 3339 with seconds, as metav1.Time serializes. */
function rfc3339Now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Condition defaults (the CSR defaulting and strategy): status True, update/transition times now when unset. */
export function defaultCsrConditions(csr: CertificateSigningRequest): void {
  for (const c of csr.status?.conditions ?? []) {
    c.status ||= 'True';
    c.lastUpdateTime ||= rfc3339Now();
    c.lastTransitionTime ||= c.lastUpdateTime;
  }
}
