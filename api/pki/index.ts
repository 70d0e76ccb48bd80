/**
 * tkube's PKI: keys, a cluster CA, server and client certificates, CSRs, and the files
 * of a cluster's certificates. Built on @peculiar/x509 over Node's WebCrypto.
 */
export { generateKey, keyMatchesCertificate, publicKeyPemOf, type KeyPem } from './keys.js';
export {
  createCA,
  issueCertificate,
  isSignedBy,
  parseCertificate,
  type CertAndKey,
  type CertPem,
  type CertUsage,
  type IssueRequest,
  type ParsedCertificate,
  type Subject,
} from './certificates.js';
export { createCsr, parseCsr, signCsr, type ParsedCsr } from './csr.js';
export { writePublicFile, writeSecretFile } from './files.js';
export { createClusterPki, DEFAULT_APISERVER_DNS_NAMES, DEFAULT_APISERVER_IPS, type CertFiles, type ClusterPki, type ClusterPkiOptions } from './cluster-pki.js';
