/**
 * The security tests' view of the (secured by default) test control plane of
 * control-plane.ts: the same apiserver, with helpers to act as other users. HTTPS with the
 * test process's PKI, client-certificate, static-token, bootstrap-token and service-account
 * authentication, and authorization Node,RBAC.
 *
 *   const cp = await startSecureControlPlane({ tokens: [{ token: 't0k', user: 'tom', groups: ['dev'] }] });
 *   await cp.kubectl(cp.adminKubeconfig, ['get', 'pods']);          // system:masters
 *   const alice = await cp.userKubeconfig('alice', ['team-a']);      // a client certificate CN=alice, O=team-a
 *   await cp.kubectl(alice, ['auth', 'can-i', 'create', 'pods']);
 *   const t = cp.tokenKubeconfig('t0k');                              // a bearer token
 *   cp.clientFor(alice)                                               // a KubeClient with those credentials
 *   await cp.close();                                                 // removes etcd, the temp dir, everything
 *
 * `apiserver` options override the defaults (e.g. authorizationModes: ['RBAC']).
 */
import { join } from 'node:path';
import type { KubeClient } from '../../api/client/kube-client.js';
import { KubeClient as Client } from '../../api/client/kube-client.js';
import { loadKubeconfig } from '../../api/client/kubeconfig.js';
import { issueCertificate, type CertAndKey, type ClusterPki } from '../../api/pki/index.js';
import type { ApiServer, ApiServerOptions } from '../../apiserver/server.js';
import { writeKubeconfig } from '../../cli/kubeconfig.js';
import { startControlPlane, type StaticToken } from './control-plane.js';
import type { TestEtcd } from './etcd.js';

export { TEST_SERVICE_ACCOUNT_ISSUER } from './test-pki.js';
export type { StaticToken } from './control-plane.js';

export interface SecureControlPlaneOptions {
  /** Written to the --token-auth-file. */
  tokens?: StaticToken[];
  /** Overrides of the apiserver options. */
  apiserver?: Partial<ApiServerOptions>;
  /** Run the serviceaccount and root-ca-cert-publisher controllers in-process (default true). */
  serviceAccountControllers?: boolean;
}

export interface SecureControlPlane {
  etcd: TestEtcd;
  apiserver: ApiServer;
  /** https://127.0.0.1:<port> */
  url: string;
  pki: ClusterPki;
  dir: string;
  /** Kubeconfig of kubernetes-admin (O=system:masters). */
  adminKubeconfig: string;
  /** A KubeClient as the admin. */
  client: KubeClient;
  /** Issues a client certificate CN=name, O=groups and writes a kubeconfig with it. */
  userKubeconfig(name: string, groups?: string[]): Promise<string>;
  /** The certificate and key of a new client certificate (for tests that build their own TLS clients). */
  userCertificate(name: string, groups?: string[]): Promise<CertAndKey>;
  /** A kubeconfig carrying a bearer token (and the CA). */
  tokenKubeconfig(token: string): string;
  /** A kubeconfig with the CA only: requests carry no credentials (kubectl then asks for a user name on stdin). */
  anonymousKubeconfig(): string;
  clientFor(kubeconfig: string): KubeClient;
  /** Runs the real kubectl with this kubeconfig. Rejects (with stderr in the message) on a non-zero exit. */
  kubectl(kubeconfig: string, args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<{ stdout: string; stderr: string }>;
  close(): Promise<void>;
}

let seq = 0;

export async function startSecureControlPlane(opts: SecureControlPlaneOptions = {}): Promise<SecureControlPlane> {
  const cp = await startControlPlane({ tokens: opts.tokens, serviceAccountControllers: opts.serviceAccountControllers, ...opts.apiserver });
  const pki = cp.pki!.pki;
  const url = cp.url;
  const kubeconfigPath = (name: string): string => join(cp.dir, 'kubeconfigs', `${name.replace(/[^a-zA-Z0-9_.-]/g, '_')}-s${++seq}.kubeconfig`);
  const clients: KubeClient[] = [];
  return {
    etcd: cp.etcd,
    get apiserver() {
      return cp.apiserver;
    },
    url,
    pki,
    dir: cp.dir,
    adminKubeconfig: cp.kubeconfig,
    client: cp.client,
    // A fresh certificate each time (tests may compare two of the same name).
    userCertificate: (name, groups = []) => issueCertificate(pki.ca, { commonName: name, organizations: groups, usage: 'client' }),
    userKubeconfig: (name, groups = []) => cp.kubeconfigFor({ user: name, groups }),
    tokenKubeconfig(token) {
      const path = kubeconfigPath('token');
      writeKubeconfig(path, { server: url, user: 'token-user', caCert: pki.ca.cert, token });
      return path;
    },
    anonymousKubeconfig() {
      const path = kubeconfigPath('anonymous');
      writeKubeconfig(path, { server: url, user: 'anonymous', caCert: pki.ca.cert });
      return path;
    },
    clientFor(kubeconfig) {
      const c = new Client(loadKubeconfig(kubeconfig));
      clients.push(c);
      return c;
    },
    kubectl: (kubeconfig, args, o = {}) => cp.kubectl(args, { ...o, kubeconfig }),
    async close() {
      for (const c of clients) c.close();
      await cp.stop();
    },
  };
}
