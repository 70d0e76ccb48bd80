/**
 * What the built-in signers accept, checked on the parsed request (Kubernetes'
 * certificates/authority validators): a kubelet client certificate is CN=system:node:<name>,
 * O=system:nodes with no subject alternative names and only client usages; a kubelet
 * serving certificate has the same subject, at least one DNS or IP name and only server
 * usages; a kube-apiserver client certificate has a common name and only client usages.
 */
import type { ParsedCsr } from '../../api/pki/index.js';
import {
  type CertificateSigningRequest,
  SIGNER_KUBE_APISERVER_CLIENT,
  SIGNER_KUBE_APISERVER_CLIENT_KUBELET,
  SIGNER_KUBELET_SERVING,
} from '../../api/types/certificates.js';

export const NODE_USER_PREFIX = 'system:node:';
export const NODES_GROUP = 'system:nodes';

const CLIENT_USAGES = new Set(['digital signature', 'key encipherment', 'client auth']);
const SERVING_USAGES = new Set(['digital signature', 'key encipherment', 'server auth']);

/** The signers the csrsigning controller serves, and the usage of certificates they issue. */
export const SERVED_SIGNERS: Record<string, 'client' | 'server'> = {
  [SIGNER_KUBE_APISERVER_CLIENT]: 'client',
  [SIGNER_KUBE_APISERVER_CLIENT_KUBELET]: 'client',
  [SIGNER_KUBELET_SERVING]: 'server',
};

function usagesWithin(usages: string[], allowed: Set<string>, required: string): string | undefined {
  const extra = usages.filter((u) => !allowed.has(u));
  if (extra.length) return `usages not allowed for this signer: ${extra.join(', ')}`;
  if (!usages.includes(required)) return `usage "${required}" is required`;
  return undefined;
}

function isNodeSubject(req: ParsedCsr): string | undefined {
  if (req.organizations.length !== 1 || req.organizations[0] !== NODES_GROUP) return `subject organization must be exactly ["${NODES_GROUP}"]`;
  if (!req.commonName.startsWith(NODE_USER_PREFIX) || req.commonName.length === NODE_USER_PREFIX.length) return `subject common name must begin with "${NODE_USER_PREFIX}"`;
  return undefined;
}

/** Why this signer may not sign this request, or undefined when it may. */
export function signerRefusal(signerName: string, usages: string[], req: ParsedCsr): string | undefined {
  switch (signerName) {
    case SIGNER_KUBE_APISERVER_CLIENT_KUBELET:
      return (
        isNodeSubject(req) ??
        (req.dnsNames.length || req.ipAddresses.length ? 'subject alternative names are not allowed in a kubelet client certificate' : undefined) ??
        usagesWithin(usages, CLIENT_USAGES, 'client auth')
      );
    case SIGNER_KUBELET_SERVING:
      return (
        isNodeSubject(req) ??
        (req.dnsNames.length || req.ipAddresses.length ? undefined : 'a kubelet serving certificate needs at least one DNS name or IP address') ??
        usagesWithin(usages, SERVING_USAGES, 'server auth')
      );
    case SIGNER_KUBE_APISERVER_CLIENT:
      if (!req.commonName) return 'subject common name is required';
      return usagesWithin(usages, CLIENT_USAGES, 'client auth');
    default:
      return `signer ${signerName} is not served here`;
  }
}

/** A kubelet client certificate request (the csrapproving controller's isNodeClientCert). */
export function isNodeClientRequest(csr: CertificateSigningRequest, req: ParsedCsr): boolean {
  return csr.spec.signerName === SIGNER_KUBE_APISERVER_CLIENT_KUBELET && signerRefusal(csr.spec.signerName, csr.spec.usages ?? [], req) === undefined;
}

/** A node renewing its own client certificate: the requester is the node the certificate names. */
export function isSelfNodeClientRequest(csr: CertificateSigningRequest, req: ParsedCsr): boolean {
  return isNodeClientRequest(csr, req) && csr.spec.username === req.commonName;
}

/** A node asking for a serving certificate for itself. */
export function isSelfNodeServingRequest(csr: CertificateSigningRequest, req: ParsedCsr): boolean {
  return (
    csr.spec.signerName === SIGNER_KUBELET_SERVING &&
    csr.spec.username === req.commonName &&
    (csr.spec.groups ?? []).includes(NODES_GROUP) &&
    signerRefusal(csr.spec.signerName, csr.spec.usages ?? [], req) === undefined
  );
}
