/** PKCS#10 certificate signing requests: made by a node with its own key, signed by the CA. */
import { x509 } from './x509.js';
import { signPublicKey, subjectAltNames, subjectName, type CertAndKey, type CertPem, type CertUsage, type Subject } from './certificates.js';
import { loadKey, type KeyPem } from './keys.js';

const SAN_OID = '2.5.29.17';

export interface ParsedCsr {
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ipAddresses: string[];
  publicKeyPem: string;
}

export async function createCsr(key: KeyPem, subject: Subject): Promise<string> {
  const { keys, signingAlgorithm } = await loadKey(key);
  const names = subjectAltNames(subject);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: subjectName(subject),
    keys,
    signingAlgorithm,
    extensions: names.length ? [new x509.SubjectAlternativeNameExtension(names)] : [],
  });
  return csr.toString('pem');
}

/** Reads a CSR; throws unless it is well-formed and signed by the key it carries. */
export async function parseCsr(pem: string): Promise<ParsedCsr> {
  const csr = readCsr(pem);
  if (!(await csr.verify())) throw new Error('certificate request signature is invalid');
  const san = csr.getExtension(SAN_OID);
  const items = san instanceof x509.SubjectAlternativeNameExtension ? san.names.items : [];
  return {
    commonName: csr.subjectName.getField('CN')[0] ?? '',
    organizations: csr.subjectName.getField('O'),
    dnsNames: items.filter((n) => n.type === 'dns').map((n) => n.value),
    ipAddresses: items.filter((n) => n.type === 'ip').map((n) => n.value),
    publicKeyPem: csr.publicKey.toString('pem'),
  };
}

/**
 * Issues a certificate for the CSR's key, with the CSR's subject and SANs (the common
 * name can be overridden). The CSR's signature is checked first.
 */
export async function signCsr(ca: CertAndKey, csrPem: string, opts: { usage: CertUsage; validityDays?: number; commonName?: string }): Promise<CertPem> {
  const parsed = await parseCsr(csrPem);
  const csr = readCsr(csrPem);
  return signPublicKey(ca, csr.publicKey, {
    commonName: opts.commonName ?? parsed.commonName,
    organizations: parsed.organizations,
    dnsNames: parsed.dnsNames,
    ipAddresses: parsed.ipAddresses,
    usage: opts.usage,
    validityDays: opts.validityDays,
  });
}

function readCsr(pem: string): x509.Pkcs10CertificateRequest {
  try {
    return new x509.Pkcs10CertificateRequest(pem);
  } catch (err) {
    throw new Error(`not a PEM certificate request: ${(err as Error).message}`);
  }
}
