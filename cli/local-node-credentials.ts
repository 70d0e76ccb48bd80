/**
 * The single-node `tkube up` kubelet's credentials, issued directly from the cluster CA
 * that lies on this same machine: a client certificate for CN=system:node:<name>,
 * O=system:nodes (so the Node authorizer and NodeRestriction treat it as the node it is)
 * and a serving certificate for its API (127.0.0.1, the host name, the node name).
 *
 * Why not TLS bootstrap as `tkube join` does: the CA key is already here, and a
 * bootstrap would make the kubelet wait for the controller-manager to win its lease and
 * to approve and sign two CSRs — seconds on a warm start that must stay under 10 s.
 * Both certificates are kept under <home>/kubelet/pki and re-issued only when missing,
 * expired, signed by another CA or lacking a name.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isSignedBy, issueCertificate, parseCertificate, writePublicFile, writeSecretFile, type CertAndKey, type CertFiles, type IssueRequest } from '../api/pki/index.js';
import { writeKubeconfig } from './kubeconfig.js';

export interface LocalNodeCredentials {
  /** The kubelet's --kubeconfig: the node's client certificate and the CA. */
  kubeconfig: string;
  /** --tls-cert-file / --tls-private-key-file. */
  serving: CertFiles;
  /** --client-ca-file: callers of the kubelet API (the apiserver) present certificates of this CA. */
  clientCaFile: string;
}

export function localNodeCredentialPaths(home: string): { kubeconfig: string; client: CertFiles; serving: CertFiles } {
  const dir = join(home, 'kubelet', 'pki');
  return {
    kubeconfig: join(home, 'kubelet.kubeconfig'),
    client: { cert: join(dir, 'kubelet-client.crt'), key: join(dir, 'kubelet-client.key') },
    serving: { cert: join(dir, 'kubelet-serving.crt'), key: join(dir, 'kubelet-serving.key') },
  };
}

/** Ensures both certificates and (re)writes the kubelet's kubeconfig for `server` (the port may change between runs). */
export async function ensureLocalNodeCredentials(opts: {
  home: string;
  nodeName: string;
  server: string;
  ca: CertFiles;
  /** Names and addresses of the kubelet API besides the node name. */
  servingSans: { dnsNames: string[]; ipAddresses: string[] };
}): Promise<LocalNodeCredentials> {
  const paths = localNodeCredentialPaths(opts.home);
  const ca: CertAndKey = { cert: readFileSync(opts.ca.cert, 'utf8'), key: readFileSync(opts.ca.key, 'utf8') };
  const client = ensureLeaf(ca, paths.client, { commonName: `system:node:${opts.nodeName}`, organizations: ['system:nodes'], usage: 'client' });
  const dnsNames = [...new Set([opts.nodeName, ...opts.servingSans.dnsNames])];
  const serving = ensureLeaf(ca, paths.serving, {
    commonName: `system:node:${opts.nodeName}`,
    organizations: ['system:nodes'],
    dnsNames,
    ipAddresses: opts.servingSans.ipAddresses,
    usage: 'server',
  });
  const [clientPair] = await Promise.all([client, serving]);
  writeKubeconfig(paths.kubeconfig, {
    server: opts.server,
    user: `system:node:${opts.nodeName}`,
    caCert: ca.cert,
    clientCert: clientPair.cert,
    clientKey: clientPair.key,
  });
  return { kubeconfig: paths.kubeconfig, serving: paths.serving, clientCaFile: opts.ca.cert };
}

/** The certificate in `files` when it still fits `req` and this CA; otherwise a new one, written 0600 (key) / 0644. */
async function ensureLeaf(ca: CertAndKey, files: CertFiles, req: IssueRequest): Promise<CertAndKey> {
  if (existsSync(files.cert) && existsSync(files.key)) {
    const kept = { cert: readFileSync(files.cert, 'utf8'), key: readFileSync(files.key, 'utf8') };
    if (await fits(kept.cert, ca.cert, req)) return kept;
  }
  const issued = await issueCertificate(ca, req);
  writeSecretFile(files.key, issued.key);
  writePublicFile(files.cert, issued.cert);
  return issued;
}

async function fits(pem: string, caPem: string, req: IssueRequest): Promise<boolean> {
  let p;
  try {
    p = parseCertificate(pem);
  } catch {
    return false;
  }
  // Re-issued a day before it expires, so a cluster started just before never runs on an expired certificate.
  if (p.notAfter.getTime() < Date.now() + 86_400_000) return false;
  if (p.commonName !== req.commonName) return false;
  if (!(req.organizations ?? []).every((o) => p.organizations.includes(o))) return false;
  if (!(req.dnsNames ?? []).every((d) => p.dnsNames.includes(d))) return false;
  if (!(req.ipAddresses ?? []).every((ip) => p.ipAddresses.includes(ip))) return false;
  return isSignedBy(pem, caPem);
}
