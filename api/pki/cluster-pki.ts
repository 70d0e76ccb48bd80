/**
 * The certificates of a cluster, in the files kubeadm uses (under one directory):
 * the CA, the apiserver's serving certificate, its client certificate for kubelets, the
 * service-account signing key pair, and client certificates for the admin, the
 * controller-manager and the scheduler. Idempotent: existing files are kept, missing
 * ones are issued, and the serving certificate is re-issued when a SAN is missing.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCA, isSignedBy, issueCertificate, parseCertificate, type CertAndKey, type IssueRequest } from './certificates.js';
import { writePublicFile, writeSecretFile } from './files.js';

export interface ClusterPkiOptions {
  apiserverSans: { dnsNames?: string[]; ipAddresses?: string[] };
  caCommonName?: string;
}

/** Paths of a certificate and its key. */
export interface CertFiles {
  cert: string;
  key: string;
}

export interface ClusterPki {
  dir: string;
  ca: CertAndKey;
  files: {
    ca: CertFiles;
    apiserver: CertFiles;
    apiserverKubeletClient: CertFiles;
    admin: CertFiles;
    controllerManager: CertFiles;
    scheduler: CertFiles;
    /** The service-account signing key (private) and its public key. */
    serviceAccount: { key: string; pub: string };
  };
}

/** Names every in-cluster client uses for the apiserver, as kubeadm puts in its certificate. */
export const DEFAULT_APISERVER_DNS_NAMES = ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'localhost'];
export const DEFAULT_APISERVER_IPS = ['127.0.0.1'];

const CLIENTS: Array<{ file: string; field: 'apiserverKubeletClient' | 'admin' | 'controllerManager' | 'scheduler'; commonName: string; organizations?: string[] }> = [
  { file: 'apiserver-kubelet-client', field: 'apiserverKubeletClient', commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'] },
  { file: 'admin', field: 'admin', commonName: 'kubernetes-admin', organizations: ['system:masters'] },
  { file: 'controller-manager', field: 'controllerManager', commonName: 'system:kube-controller-manager' },
  { file: 'scheduler', field: 'scheduler', commonName: 'system:kube-scheduler' },
];

export async function createClusterPki(dir: string, opts: ClusterPkiOptions): Promise<ClusterPki> {
  const files = (name: string): CertFiles => ({ cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) });
  const ca = await ensureCA(files('ca'), opts.caCommonName ?? 'tkube-ca');

  const wantDns = unique([...DEFAULT_APISERVER_DNS_NAMES, ...(opts.apiserverSans.dnsNames ?? [])]);
  const wantIps = unique([...DEFAULT_APISERVER_IPS, ...(opts.apiserverSans.ipAddresses ?? [])]);
  await ensureLeaf(ca, files('apiserver'), { commonName: 'kube-apiserver', dnsNames: wantDns, ipAddresses: wantIps, usage: 'server' }, (existing) => {
    const p = parseCertificate(existing);
    // Keep the SANs it had, so an address added earlier is not lost.
    return wantDns.every((d) => p.dnsNames.includes(d)) && wantIps.every((ip) => p.ipAddresses.includes(ip))
      ? undefined
      : { dnsNames: unique([...p.dnsNames, ...wantDns]), ipAddresses: unique([...p.ipAddresses, ...wantIps]) };
  });
  for (const c of CLIENTS) {
    await ensureLeaf(ca, files(c.file), { commonName: c.commonName, organizations: c.organizations, usage: 'client' });
  }
  const sa = { key: join(dir, 'sa.key'), pub: join(dir, 'sa.pub') };
  ensureServiceAccountKeys(sa);

  return {
    dir,
    ca,
    files: {
      ca: files('ca'),
      apiserver: files('apiserver'),
      apiserverKubeletClient: files('apiserver-kubelet-client'),
      admin: files('admin'),
      controllerManager: files('controller-manager'),
      scheduler: files('scheduler'),
      serviceAccount: sa,
    },
  };
}

async function ensureCA(f: CertFiles, commonName: string): Promise<CertAndKey> {
  if (existsSync(f.cert) && existsSync(f.key)) return { cert: readFileSync(f.cert, 'utf8'), key: readFileSync(f.key, 'utf8') };
  const ca = await createCA(commonName);
  writeSecretFile(f.key, ca.key);
  writePublicFile(f.cert, ca.cert);
  return ca;
}

/**
 * Issues the certificate unless a valid one signed by this CA exists; `needsReissue` can
 * ask for a re-issue of an existing one with changed SANs.
 */
async function ensureLeaf(
  ca: CertAndKey,
  f: CertFiles,
  req: IssueRequest,
  needsReissue?: (existingPem: string) => Pick<IssueRequest, 'dnsNames' | 'ipAddresses'> | undefined,
): Promise<void> {
  let request = req;
  if (existsSync(f.cert) && existsSync(f.key)) {
    const pem = readFileSync(f.cert, 'utf8');
    const expired = parseCertificate(pem).notAfter.getTime() < Date.now();
    if (!expired && (await isSignedBy(pem, ca.cert))) {
      const change = needsReissue?.(pem);
      if (!change) return;
      request = { ...req, ...change };
    }
  }
  const issued = await issueCertificate(ca, request);
  writeSecretFile(f.key, issued.key);
  writePublicFile(f.cert, issued.cert);
}

/** The service-account token signing pair: RSA 2048, as kubeadm makes (RS256 JWTs). */
function ensureServiceAccountKeys(f: { key: string; pub: string }): void {
  if (existsSync(f.key) && existsSync(f.pub)) return;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  writeSecretFile(f.key, privateKey);
  writePublicFile(f.pub, publicKey);
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
