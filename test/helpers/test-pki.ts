/**
 * One cluster PKI per test process (api/pki createClusterPki in a temp dir): every
 * secured control plane a test file starts trusts the same CA and serves the same
 * certificate (SANs 127.0.0.1 and localhost), so the keys are generated once. Client
 * certificates issued for a user or a node are cached too. The temp dir is removed when
 * the process exits.
 *
 * `kubeconfigFor` writes a kubeconfig for one of the cluster's identities:
 *   'admin'               kubernetes-admin, O=system:masters
 *   'controller-manager'  system:kube-controller-manager (its own certificate, not admin)
 *   'scheduler'           system:kube-scheduler
 *   { node: 'n1' }        system:node:n1, O=system:nodes (Node authorizer, NodeRestriction)
 *   { user, groups }      any other user
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClusterPki, issueCertificate, type CertAndKey, type ClusterPki } from '../../api/pki/index.js';
import { apiserverSecurityArgs, controllerManagerSecurityArgs, SERVICE_ACCOUNT_ISSUER } from '../../cli/cluster/security.js';
import { writeKubeconfig } from '../../cli/kubeconfig.js';
import { removeAfterThisFile } from './file-temp-dirs.js';

export const TEST_SERVICE_ACCOUNT_ISSUER = SERVICE_ACCOUNT_ISSUER;

export type Identity = 'admin' | 'controller-manager' | 'scheduler' | { node: string } | { user: string; groups?: string[] };

/** TLS material for a raw HTTPS client (PEM). */
export interface TlsCredentials {
  ca: string;
  cert?: string;
  key?: string;
}

export interface TestPki {
  pki: ClusterPki;
  /** The certificate and key of an identity (issued once, then cached). */
  credentials(identity: Identity): Promise<CertAndKey>;
  /** Writes a kubeconfig for `server` with the identity's certificate and the CA. */
  kubeconfigFor(path: string, server: string, identity: Identity): Promise<string>;
  /** The CA and the admin certificate, for raw HTTPS requests. */
  adminTls(): TlsCredentials;
  /** A kubelet serving certificate for a node reached at 127.0.0.1 (cached per node). */
  kubeletServing(nodeName: string): Promise<CertAndKey>;
}

let cached: Promise<TestPki> | undefined;

/** The PKI of this test process, created on first use. */
export function testPki(): Promise<TestPki> {
  cached ??= createTestPki();
  return cached;
}

/** A stable name for an identity (cache key and kubeconfig user name). */
export function identityName(identity: Identity): string {
  if (typeof identity === 'string') return identity;
  if ('node' in identity) return `system:node:${identity.node}`;
  return identity.user;
}

async function createTestPki(): Promise<TestPki> {
  const dir = mkdtempSync(join(tmpdir(), 'tkube-test-pki-'));
  removeAfterThisFile(dir);
  const pki = await createClusterPki(dir, { apiserverSans: { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] } });
  const f = pki.files;
  const fromFiles = (c: { cert: string; key: string }): CertAndKey => ({ cert: readFileSync(c.cert, 'utf8'), key: readFileSync(c.key, 'utf8') });
  const issued = new Map<string, Promise<CertAndKey>>();

  const credentials = (identity: Identity): Promise<CertAndKey> => {
    if (identity === 'admin') return Promise.resolve(fromFiles(f.admin));
    if (identity === 'controller-manager') return Promise.resolve(fromFiles(f.controllerManager));
    if (identity === 'scheduler') return Promise.resolve(fromFiles(f.scheduler));
    const commonName = identityName(identity);
    const organizations = 'node' in identity ? ['system:nodes'] : (identity.groups ?? []);
    const key = `${commonName}|${organizations.join(',')}`;
    let cert = issued.get(key);
    if (!cert) {
      cert = issueCertificate(pki.ca, { commonName, organizations, usage: 'client' });
      issued.set(key, cert);
    }
    return cert;
  };

  return {
    pki,
    credentials,
    async kubeconfigFor(path, server, identity) {
      const c = await credentials(identity);
      writeKubeconfig(path, { server, user: identityName(identity), caCert: pki.ca.cert, clientCert: c.cert, clientKey: c.key });
      return path;
    },
    kubeletServing(nodeName) {
      const key = `serving|${nodeName}`;
      let cert = issued.get(key);
      if (!cert) {
        cert = issueCertificate(pki.ca, { commonName: `system:node:${nodeName}`, organizations: ['system:nodes'], dnsNames: [nodeName, 'localhost'], ipAddresses: ['127.0.0.1'], usage: 'server' });
        issued.set(key, cert);
      }
      return cert;
    },
    adminTls() {
      const admin = fromFiles(f.admin);
      return { ca: pki.ca.cert, cert: admin.cert, key: admin.key };
    },
  };
}

/** The kube-apiserver flags of a secured apiserver using this PKI (for `tkube apiserver`): those `tkube init` uses. */
export function secureApiserverFlags(pki: ClusterPki, tokenAuthFile?: string): string[] {
  return [...apiserverSecurityArgs(pki.dir), ...(tokenAuthFile ? ['--token-auth-file', tokenAuthFile] : [])];
}

/** The kube-controller-manager flags that need the PKI (root CA publisher, CSR signer), as `tkube init` passes them. */
export function secureControllerManagerFlags(pki: ClusterPki): string[] {
  return controllerManagerSecurityArgs(pki.dir);
}
