/**
 * A throwaway secured control plane for security tests (S1–S4 of issue 8 use it):
 * a real etcd and the apiserver in this process serving HTTPS with a freshly generated
 * cluster PKI (api/pki createClusterPki in a temp dir), client-certificate, static-token,
 * bootstrap-token and service-account authentication, and authorization Node,RBAC.
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
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { KubeClient } from '../../api/client/kube-client.js';
import { loadKubeconfig } from '../../api/client/kubeconfig.js';
import { createClusterPki, issueCertificate, writeSecretFile, type CertAndKey, type ClusterPki } from '../../api/pki/index.js';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../../apiserver/server.js';
import { writeKubeconfig } from '../../cli/kubeconfig.js';
import { startTestEtcd, type TestEtcd } from './etcd.js';

const run = promisify(execFile);

export const TEST_SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export interface StaticToken {
  token: string;
  user: string;
  uid?: string;
  groups?: string[];
}

export interface SecureControlPlaneOptions {
  /** Written to the --token-auth-file. */
  tokens?: StaticToken[];
  /** Overrides of the apiserver options. */
  apiserver?: Partial<ApiServerOptions>;
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
  const dir = mkdtempSync(join(tmpdir(), 'tkube-test-secure-'));
  let etcd: TestEtcd | undefined;
  try {
    const pki = await createClusterPki(join(dir, 'pki'), { apiserverSans: { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] } });
    const tokenAuthFile = join(dir, 'tokens.csv');
    writeSecretFile(tokenAuthFile, (opts.tokens ?? []).map((t) => `${t.token},${t.user},${t.uid ?? t.user},"${(t.groups ?? []).join(',')}"`).join('\n') + '\n');
    etcd = await startTestEtcd();
    const f = pki.files;
    const serverOpts: ApiServerOptions = {
      etcdEndpoints: [etcd.endpoint],
      port: 0,
      logger: pino({ level: process.env.TKUBE_TEST_LOG ?? 'silent' }),
      compactionIntervalMs: 0,
      tls: { certFile: f.apiserver.cert, keyFile: f.apiserver.key, clientCAFile: f.ca.cert },
      tokenAuthFile,
      enableBootstrapTokenAuth: true,
      authorizationModes: ['Node', 'RBAC'],
      serviceAccount: { signingKeyFile: f.serviceAccount.key, publicKeyFiles: [f.serviceAccount.pub], issuer: TEST_SERVICE_ACCOUNT_ISSUER },
      kubeletClient: { certFile: f.apiserverKubeletClient.cert, keyFile: f.apiserverKubeletClient.key, caFile: f.ca.cert },
      ...opts.apiserver,
    };
    const apiserver = await startApiServer(serverOpts);
    const url = apiserver.url;
    const kubeconfigPath = (name: string): string => join(dir, 'kubeconfigs', `${name.replace(/[^a-zA-Z0-9_.-]/g, '_')}-${++seq}.kubeconfig`);

    const adminKubeconfig = join(dir, 'admin.kubeconfig');
    writeKubeconfig(adminKubeconfig, { server: url, user: 'kubernetes-admin', caCert: pki.ca.cert, clientCert: readFileSync(f.admin.cert, 'utf8'), clientKey: readFileSync(f.admin.key, 'utf8') });

    const cp: SecureControlPlane = {
      etcd,
      apiserver,
      url,
      pki,
      dir,
      adminKubeconfig,
      client: new KubeClient(loadKubeconfig(adminKubeconfig)),
      userCertificate: (name, groups = []) => issueCertificate(pki.ca, { commonName: name, organizations: groups, usage: 'client' }),
      async userKubeconfig(name, groups = []) {
        const cert = await cp.userCertificate(name, groups);
        const path = kubeconfigPath(name);
        writeKubeconfig(path, { server: url, user: name, caCert: pki.ca.cert, clientCert: cert.cert, clientKey: cert.key });
        return path;
      },
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
      clientFor: (kubeconfig) => new KubeClient(loadKubeconfig(kubeconfig)),
      async kubectl(kubeconfig, args, o = {}) {
        const child = run('kubectl', ['--kubeconfig', kubeconfig, ...args], {
          timeout: o.timeoutMs ?? 30_000,
          maxBuffer: 64 * 1024 * 1024,
          env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir },
        });
        if (o.input !== undefined) child.child.stdin?.end(o.input);
        return child;
      },
      async close() {
        await apiserver.close().catch(() => {});
        await etcd?.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return cp;
  } catch (err) {
    await etcd?.destroy();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
