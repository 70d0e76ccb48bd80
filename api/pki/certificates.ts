/**
 * Issuing and reading X.509 certificates: a self-signed CA, leaf certificates for
 * servers and clients (the subject is the Kubernetes identity: CN = user, O = groups),
 * and certificates for a CSR's public key.
 */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { x509 } from './x509.js';
import { generateKey, loadKey, type KeyPem } from './keys.js';

export type CertPem = string;

export interface CertAndKey {
  cert: CertPem;
  key: KeyPem;
}

export type CertUsage = 'server' | 'client' | 'server+client';

export interface Subject {
  commonName: string;
  organizations?: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
}

export interface IssueRequest extends Subject {
  usage: CertUsage;
  validityDays?: number;
  /** Validity in milliseconds from now; overrides validityDays (e.g. short-lived certificates in tests). */
  validityMs?: number;
  /** How far notBefore lies in the past (default 5 minutes, for peers whose clocks are behind). */
  backdateMs?: number;
}

export interface ParsedCertificate {
  commonName: string;
  organizations: string[];
  notBefore: Date;
  notAfter: Date;
  dnsNames: string[];
  ipAddresses: string[];
  /** The issuer's distinguished name, e.g. "CN=tkube-ca". */
  issuer: string;
  isCA: boolean;
}

const CA_VALIDITY_DAYS = 3650;
const LEAF_VALIDITY_DAYS = 365;
// Backdated so that a peer whose clock is slightly behind accepts a fresh certificate.
const CLOCK_SKEW_MS = 5 * 60_000;
const DAY_MS = 86_400_000;

export async function createCA(commonName: string, validityDays = CA_VALIDITY_DAYS): Promise<CertAndKey> {
  const key = await generateKey();
  const { keys, signingAlgorithm } = await loadKey(key);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: subjectName({ commonName }),
    ...validity(validityDays * DAY_MS),
    keys,
    signingAlgorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key };
}

/** A new key and a certificate for it, signed by the CA. */
export async function issueCertificate(ca: CertAndKey, req: IssueRequest): Promise<CertAndKey> {
  const key = await generateKey();
  const { keys } = await loadKey(key);
  const cert = await signPublicKey(ca, keys.publicKey, req);
  return { cert, key };
}

/**
 * Signs a certificate for `publicKey` with the CA. The subject and SANs come from `subject`
 * as given: the caller decides what of a request to trust.
 */
export async function signPublicKey(ca: CertAndKey, publicKey: x509.PublicKeyType, req: IssueRequest): Promise<CertPem> {
  const caCert = new x509.X509Certificate(ca.cert);
  const { keys: caKeys, signingAlgorithm } = await loadKey(ca.key);
  const eku: string[] = [];
  if (req.usage === 'server' || req.usage === 'server+client') eku.push(x509.ExtendedKeyUsage.serverAuth);
  if (req.usage === 'client' || req.usage === 'server+client') eku.push(x509.ExtendedKeyUsage.clientAuth);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(eku),
    await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
  ];
  const names = subjectAltNames(req);
  if (names.length) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: subjectName(req),
    issuer: caCert.subjectName,
    ...validity(req.validityMs ?? (req.validityDays ?? LEAF_VALIDITY_DAYS) * DAY_MS, req.backdateMs),
    publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm,
    extensions,
  });
  return cert.toString('pem');
}

export function parseCertificate(pem: CertPem): ParsedCertificate {
  const cert = new x509.X509Certificate(pem);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const items = san?.names.items ?? [];
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  return {
    commonName: cert.subjectName.getField('CN')[0] ?? '',
    organizations: cert.subjectName.getField('O'),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    dnsNames: items.filter((n) => n.type === 'dns').map((n) => n.value),
    ipAddresses: items.filter((n) => n.type === 'ip').map((n) => n.value),
    issuer: cert.issuer,
    isCA: bc?.ca ?? false,
  };
}

/** True when `pem` carries a valid signature of the CA certificate's key. */
export async function isSignedBy(pem: CertPem, caPem: CertPem): Promise<boolean> {
  const cert = new x509.X509Certificate(pem);
  const ca = new x509.X509Certificate(caPem);
  if (cert.issuer !== ca.subject) return false;
  return cert.verify({ publicKey: ca.publicKey, signatureOnly: true });
}

/** Subject as JSON relative distinguished names: no escaping rules to get wrong. */
export function subjectName(s: Pick<Subject, 'commonName' | 'organizations'>): x509.JsonName {
  return [...(s.organizations ?? []).map((o) => ({ O: [o] })), { CN: [s.commonName] }];
}

export function subjectAltNames(s: Pick<Subject, 'dnsNames' | 'ipAddresses'>): x509.JsonGeneralName[] {
  for (const ip of s.ipAddresses ?? []) if (!isIP(ip)) throw new Error(`"${ip}" is not an IP address`);
  return [...(s.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })), ...(s.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value }))];
}

function validity(durationMs: number, backdateMs = CLOCK_SKEW_MS): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - backdateMs), notAfter: new Date(now + durationMs) };
}

/** 128 random bits, high bit clear so the DER integer is positive. */
function serialNumber(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}
