/**
 * Kubelet TLS bootstrap, as the kubelet does it with --bootstrap-kubeconfig: when
 * --kubeconfig has no usable client certificate, the kubelet makes a key, asks for a
 * certificate for CN=system:node:<name>, O=system:nodes with a CertificateSigningRequest
 * (signer kubernetes.io/kube-apiserver-client-kubelet) using the bootstrap credentials,
 * waits until it is approved and signed, and writes the key, the certificate and a
 * kubeconfig that uses them. The same exchange with signer kubernetes.io/kubelet-serving
 * gets the kubelet its serving certificate for its own names and addresses.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { stringify } from 'yaml';
import { KubeClient } from '../api/client/kube-client.js';
import { loadKubeconfig, type ConnectionConfig } from '../api/client/kubeconfig.js';
import { createCsr, generateKey, parseCertificate, writeSecretFile } from '../api/pki/index.js';
import { certificateSigningRequests } from '../api/registry.js';
import {
  type CertificateSigningRequest,
  isApproved,
  isDenied,
  isFailed,
  SIGNER_KUBE_APISERVER_CLIENT_KUBELET,
  SIGNER_KUBELET_SERVING,
} from '../api/types/certificates.js';
import { keyMatchesCertificate, readCertificatePair, writeCertificatePair } from './cert-rotation-files.js';
import type { CertificatePair } from './serving-certificate.js';

export const CLIENT_CERT_FILE = 'kubelet-client.crt';
export const CLIENT_KEY_FILE = 'kubelet-client.key';
export const SERVING_CERT_FILE = 'kubelet-serving.crt';
export const SERVING_KEY_FILE = 'kubelet-serving.key';

/** A certificate with less than this left is renewed rather than used. */
const MIN_REMAINING_MS = 60_000;
const DEFAULT_WAIT_MS = 15 * 60_000;
const POLL_MS = 500;

export const nodeUser = (nodeName: string) => `system:node:${nodeName}`;

/** True when the certificate parses and is valid now and for at least another `minRemainingMs` (default a minute). */
function stillValid(certPem: string, minRemainingMs = MIN_REMAINING_MS, now = Date.now()): boolean {
  try {
    const c = parseCertificate(certPem);
    return c.notBefore.getTime() <= now + MIN_REMAINING_MS && c.notAfter.getTime() > now + minRemainingMs;
  } catch {
    return false;
  }
}

/** The kubeconfig's client certificate and key when both are there, valid and belong together. */
function kubeconfigClientCertificate(kubeconfigPath: string, minRemainingMs = MIN_REMAINING_MS): CertificatePair | undefined {
  if (!existsSync(kubeconfigPath)) return undefined;
  let conn: ConnectionConfig;
  try {
    conn = loadKubeconfig(kubeconfigPath);
  } catch {
    return undefined;
  }
  if (!conn.cert || !conn.key) return undefined;
  const pair = { cert: conn.cert, key: conn.key };
  return stillValid(pair.cert, minRemainingMs) && keyMatchesCertificate(pair) ? pair : undefined;
}

function kubeconfigLoads(kubeconfigPath: string): boolean {
  try {
    loadKubeconfig(kubeconfigPath);
    return true;
  } catch {
    return false;
  }
}

/** Whether a kubeconfig exists and carries a client certificate and key that are still valid. */
export function hasUsableClientCertificate(kubeconfigPath: string): boolean {
  return kubeconfigClientCertificate(kubeconfigPath) !== undefined;
}

/** The client certificate last written to --cert-dir (by bootstrap or rotation), if still valid. */
function certDirClientCertificate(certDir: string, minRemainingMs = MIN_REMAINING_MS): CertificatePair | undefined {
  const pair = readCertificatePair(join(certDir, CLIENT_CERT_FILE), join(certDir, CLIENT_KEY_FILE));
  return pair && stillValid(pair.cert, minRemainingMs) ? pair : undefined;
}

/**
 * The client certificate the kubelet starts with: of the kubeconfig's and the one in
 * --cert-dir (where rotation writes), the one valid longest, as long as it has not expired
 * (rotation renews one close to expiry at once). A kubeconfig that embeds its certificate
 * (single-node `tkube up`) thus does not undo a rotation when the kubelet restarts.
 */
export function currentClientCertificate(kubeconfigPath: string, certDir: string): CertificatePair | undefined {
  const candidates = [kubeconfigClientCertificate(kubeconfigPath, 0), certDirClientCertificate(certDir, 0)].filter((p): p is CertificatePair => !!p);
  candidates.sort((a, b) => parseCertificate(b.cert).notAfter.getTime() - parseCertificate(a.cert).notAfter.getTime());
  return candidates[0];
}

export type CertificateSpec = Pick<CertificateRequest, 'signerName' | 'usages' | 'subject'>;

/** What the kubelet asks for its client certificate (signer kube-apiserver-client-kubelet). */
export function clientCertificateSpec(nodeName: string): CertificateSpec {
  return {
    signerName: SIGNER_KUBE_APISERVER_CLIENT_KUBELET,
    usages: ['digital signature', 'client auth'],
    subject: { commonName: nodeUser(nodeName), organizations: ['system:nodes'] },
  };
}

/** What the kubelet asks for its serving certificate (signer kubelet-serving), for its names and addresses. */
export function servingCertificateSpec(nodeName: string, dnsNames: string[], ipAddresses: string[]): CertificateSpec {
  return {
    signerName: SIGNER_KUBELET_SERVING,
    usages: ['digital signature', 'server auth'],
    subject: { commonName: nodeUser(nodeName), organizations: ['system:nodes'], dnsNames, ipAddresses },
  };
}

export interface CertificateRequest {
  signerName: string;
  usages: string[];
  subject: { commonName: string; organizations: string[]; dnsNames?: string[]; ipAddresses?: string[] };
  /** Stop waiting for the certificate after this long (default 15 minutes). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Creates a CSR for a new key and waits for its certificate. Throws when the request is
 * denied or fails, or nothing is issued in time.
 */
export async function requestCertificate(client: KubeClient, req: CertificateRequest, log: Logger): Promise<CertificatePair> {
  const key = await generateKey();
  const pem = await createCsr(key, req.subject);
  const csrs = client.resource(certificateSigningRequests);
  const created = await csrs.create({
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { generateName: req.signerName === SIGNER_KUBELET_SERVING ? 'csr-' : 'node-csr-' },
    spec: { request: Buffer.from(pem).toString('base64'), signerName: req.signerName, usages: req.usages },
  }, { signal: req.signal });
  const name = created.metadata.name!;
  log.info({ csr: name, signer: req.signerName, subject: req.subject.commonName }, 'waiting for the certificate signing request to be approved and signed');
  const deadline = Date.now() + (req.timeoutMs ?? DEFAULT_WAIT_MS);
  for (;;) {
    const csr: CertificateSigningRequest = await csrs.get(name, { signal: req.signal });
    if (isDenied(csr)) throw new Error(`certificate signing request ${name} was denied`);
    if (isFailed(csr)) {
      const why = csr.status?.conditions?.find((c) => c.type === 'Failed')?.message ?? '';
      throw new Error(`certificate signing request ${name} failed: ${why}`);
    }
    if (csr.status?.certificate && isApproved(csr)) {
      log.info({ csr: name }, 'certificate issued');
      return { cert: Buffer.from(csr.status.certificate, 'base64').toString('utf8'), key };
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for certificate signing request ${name} to be signed`);
    if (req.signal?.aborted) throw new Error('aborted');
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** A kubeconfig for the node: the cluster of the bootstrap kubeconfig, the node's certificate files as the user. */
export function nodeKubeconfigYaml(cluster: ConnectionConfig, certFile: string, keyFile: string, nodeName: string): string {
  const c: Record<string, unknown> = { server: cluster.server };
  if (cluster.ca) c['certificate-authority-data'] = Buffer.from(cluster.ca).toString('base64');
  if (cluster.insecureSkipTLSVerify) c['insecure-skip-tls-verify'] = true;
  if (cluster.tlsServerName) c['tls-server-name'] = cluster.tlsServerName;
  const user = nodeUser(nodeName);
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'default-cluster', cluster: c }],
    users: [{ name: user, user: { 'client-certificate': resolve(certFile), 'client-key': resolve(keyFile) } }],
    contexts: [{ name: 'default-context', context: { cluster: 'default-cluster', user, namespace: 'default' } }],
    'current-context': 'default-context',
    preferences: {},
  });
}

export interface ClientBootstrapOptions {
  /** --kubeconfig: read if usable, else written after the bootstrap. */
  kubeconfig: string;
  /** --bootstrap-kubeconfig: credentials allowed to create CSRs (a bootstrap token). */
  bootstrapKubeconfig?: string;
  /** --cert-dir */
  certDir: string;
  nodeName: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  logger: Logger;
}

/**
 * Makes sure --kubeconfig holds a usable client certificate for the node, bootstrapping
 * one when it does not. Returns what happened.
 */
export async function ensureClientCertificate(o: ClientBootstrapOptions): Promise<'existing' | 'bootstrapped'> {
  // A rotated pair in --cert-dir serves as well, with the kubeconfig for the server and CA.
  if (hasUsableClientCertificate(o.kubeconfig) || (kubeconfigLoads(o.kubeconfig) && certDirClientCertificate(o.certDir))) return 'existing';
  if (!o.bootstrapKubeconfig) throw new Error(`${o.kubeconfig} has no usable client certificate and no --bootstrap-kubeconfig was given`);
  const bootstrap = loadKubeconfig(o.bootstrapKubeconfig);
  const client = new KubeClient({ ...bootstrap, userAgent: 'tkube-kubelet-bootstrap' });
  try {
    o.logger.info({ node: o.nodeName }, 'no usable client certificate: bootstrapping one with the bootstrap kubeconfig');
    const pair = await requestCertificate(client, { ...clientCertificateSpec(o.nodeName), timeoutMs: o.timeoutMs, signal: o.signal }, o.logger);
    const certFile = join(o.certDir, CLIENT_CERT_FILE);
    const keyFile = join(o.certDir, CLIENT_KEY_FILE);
    writeCertificatePair(certFile, keyFile, pair);
    writeSecretFile(o.kubeconfig, nodeKubeconfigYaml(bootstrap, certFile, keyFile, o.nodeName));
    return 'bootstrapped';
  } finally {
    client.close();
  }
}

export interface ServingBootstrapOptions {
  client: KubeClient;
  nodeName: string;
  dnsNames: string[];
  ipAddresses: string[];
  certDir: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  logger: Logger;
}

/** The serving certificate in --cert-dir if it is still valid and names every address; else a new one through a kubelet-serving CSR. */
export async function ensureServingCertificate(o: ServingBootstrapOptions): Promise<CertificatePair> {
  const certFile = join(o.certDir, SERVING_CERT_FILE);
  const keyFile = join(o.certDir, SERVING_KEY_FILE);
  const kept = readCertificatePair(certFile, keyFile);
  if (kept && stillValid(kept.cert)) {
    const parsed = parseCertificate(kept.cert);
    const covers = o.dnsNames.every((n) => parsed.dnsNames.includes(n)) && o.ipAddresses.every((ip) => parsed.ipAddresses.includes(ip));
    if (covers) return kept;
  }
  const pair = await requestCertificate(
    o.client,
    { ...servingCertificateSpec(o.nodeName, o.dnsNames, o.ipAddresses), timeoutMs: o.timeoutMs, signal: o.signal },
    o.logger,
  );
  writeCertificatePair(certFile, keyFile, pair);
  return pair;
}
