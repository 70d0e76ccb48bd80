/**
 * A throwaway control plane for integration tests: a real etcd on free ports and the
 * apiserver in this process, a kubeconfig file for kubectl, and a client. Everything is
 * removed by stop(), even after a failure.
 *
 * Secured by default, as a real cluster is: HTTPS with the test process's PKI
 * (test-pki.ts), client-certificate, static-token, bootstrap-token and service-account
 * authentication, authorization Node,RBAC (with NodeRestriction), the ServiceAccount
 * admission, and a kubelet client certificate. `kubeconfig` and `client` are the admin
 * (O=system:masters); `kubeconfigFor`/`clientFor` give any other identity. As the
 * controller-manager would, the serviceaccount and root-ca-cert-publisher controllers run
 * in this process (with the controller-manager's own certificate), so every namespace gets
 * its `default` ServiceAccount and `kube-root-ca.crt`; start() waits for those of
 * `default`.
 *
 * `startControlPlane({ insecure: true })` is plain HTTP with no authentication, only for
 * tests of plain-HTTP behaviour.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { KubeClient } from '../../api/client/kube-client.js';
import { loadKubeconfig } from '../../api/client/kubeconfig.js';
import { isApiError } from '../../api/meta/errors.js';
import { writeSecretFile } from '../../api/pki/index.js';
import { configMaps, serviceAccounts } from '../../api/registry.js';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../../apiserver/server.js';
import { writeKubeconfig } from '../../cli/kubeconfig.js';
import { startControllerManager, type ControllerManager } from '../../controllers/manager.js';
import { rootCaCertPublisherFactory, NAME as ROOT_CA_PUBLISHER } from '../../controllers/rootcacertpublisher/root-ca-cert-publisher.js';
import { serviceAccountsController } from '../../controllers/serviceaccount/serviceaccount-controller.js';
import { startTestEtcd, type TestEtcd } from './etcd.js';
import { TEST_SERVICE_ACCOUNT_ISSUER, identityName, testPki, type Identity, type TestPki } from './test-pki.js';

const run = promisify(execFile);

export interface StaticToken {
  token: string;
  user: string;
  uid?: string;
  groups?: string[];
}

export interface ControlPlaneOptions extends Partial<ApiServerOptions> {
  /** Plain HTTP, no authentication nor authorization (only for tests of plain-HTTP behaviour). */
  insecure?: boolean;
  /** Written to the --token-auth-file (secured control planes only). */
  tokens?: StaticToken[];
  /** Run the serviceaccount and root-ca-cert-publisher controllers in this process (default true when secured). */
  serviceAccountControllers?: boolean;
}

/** What child-process components need to reach a cluster (a TestControlPlane or an apiserver process). */
export interface ClusterAccess {
  url: string;
  /** The admin's kubeconfig. */
  kubeconfig: string;
  /** Undefined when the cluster is not secured. */
  pki?: TestPki;
  /** A kubeconfig for this identity (the admin's when the cluster is not secured). */
  kubeconfigFor(identity: Identity): Promise<string>;
}

export interface TestControlPlane extends ClusterAccess {
  etcd: TestEtcd;
  apiserver: ApiServer;
  client: KubeClient;
  dir: string;
  secure: boolean;
  /** A KubeClient with this identity's certificate. */
  clientFor(identity: Identity): Promise<KubeClient>;
  /** Runs the real kubectl against this control plane. Rejects with stderr on a non-zero exit. */
  kubectl(args: string[], opts?: { input?: string; timeoutMs?: number; kubeconfig?: string }): Promise<{ stdout: string; stderr: string }>;
  /** Restarts the apiserver on the same port (its state lives in etcd). */
  restartApiserver(): Promise<void>;
  stop(): Promise<void>;
}

let seq = 0;

/** kubeconfigFor of a cluster whose kubeconfig files go to `dir`. */
export function kubeconfigWriter(dir: string, url: string, pki: TestPki | undefined, adminKubeconfig: string): (identity: Identity) => Promise<string> {
  return async (identity) => {
    if (!pki) return adminKubeconfig;
    const file = join(dir, 'kubeconfigs', `${identityName(identity).replace(/[^a-zA-Z0-9_.-]/g, '_')}-${++seq}.kubeconfig`);
    return pki.kubeconfigFor(file, url, identity);
  };
}

/** The apiserver options of a control plane secured with this PKI. */
export function secureApiServerOptions(pki: TestPki, tokenAuthFile: string): Partial<ApiServerOptions> {
  const f = pki.pki.files;
  return {
    tls: { certFile: f.apiserver.cert, keyFile: f.apiserver.key, clientCAFile: f.ca.cert },
    tokenAuthFile,
    enableBootstrapTokenAuth: true,
    authorizationModes: ['Node', 'RBAC'],
    serviceAccount: { signingKeyFile: f.serviceAccount.key, publicKeyFiles: [f.serviceAccount.pub], issuer: TEST_SERVICE_ACCOUNT_ISSUER },
    kubeletClient: { certFile: f.apiserverKubeletClient.cert, keyFile: f.apiserverKubeletClient.key, caFile: f.ca.cert },
  };
}

export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<TestControlPlane> {
  const { insecure = false, tokens = [], serviceAccountControllers, ...apiOverrides } = opts;
  const dir = mkdtempSync(join(tmpdir(), 'tkube-test-cp-'));
  let etcd: TestEtcd | undefined;
  let apiserver: ApiServer | undefined;
  try {
    const pki = insecure ? undefined : await testPki();
    const tokenAuthFile = join(dir, 'tokens.csv');
    if (pki) writeSecretFile(tokenAuthFile, tokens.map((t) => `${t.token},${t.user},${t.uid ?? t.user},"${(t.groups ?? []).join(',')}"`).join('\n') + '\n');
    etcd = await startTestEtcd();
    const logger = pino({ level: process.env.TKUBE_TEST_LOG ?? 'silent' });
    const serverOpts: ApiServerOptions = {
      etcdEndpoints: [etcd.endpoint],
      port: 0,
      logger,
      compactionIntervalMs: 0,
      ...(pki ? secureApiServerOptions(pki, tokenAuthFile) : {}),
      ...apiOverrides,
    };
    apiserver = await startApiServer(serverOpts);
    const url = apiserver.url;
    const kubeconfig = join(dir, 'kubeconfig');
    if (pki) await pki.kubeconfigFor(kubeconfig, url, 'admin');
    else writeKubeconfig(kubeconfig, { server: url });
    const kubeconfigFor = kubeconfigWriter(dir, url, pki, kubeconfig);
    const clients: KubeClient[] = [];
    const clientFor = async (identity: Identity): Promise<KubeClient> => {
      const c = new KubeClient(loadKubeconfig(await kubeconfigFor(identity)));
      clients.push(c);
      return c;
    };
    const sa = pki && serviceAccountControllers !== false ? await startServiceAccountControllers(await clientFor('controller-manager'), pki, logger) : undefined;
    const runningEtcd = etcd;
    const cp: TestControlPlane = {
      etcd,
      apiserver,
      url,
      kubeconfig,
      pki,
      secure: pki !== undefined,
      client: new KubeClient(loadKubeconfig(kubeconfig)),
      dir,
      kubeconfigFor,
      clientFor,
      async kubectl(args, o = {}) {
        const config = o.kubeconfig ?? kubeconfig;
        const child = run('kubectl', ['--kubeconfig', config, ...args], {
          timeout: o.timeoutMs ?? 30_000,
          maxBuffer: 64 * 1024 * 1024,
          env: { ...process.env, KUBECONFIG: config, HOME: dir },
        });
        if (o.input !== undefined) {
          child.child.stdin?.end(o.input);
        }
        return child;
      },
      async restartApiserver() {
        const port = cp.apiserver.port;
        await cp.apiserver.close();
        cp.apiserver = await startApiServer({ ...serverOpts, port });
      },
      async stop() {
        await sa?.stop().catch(() => {});
        for (const c of clients) c.close();
        cp.client.close();
        await cp.apiserver.close().catch(() => {});
        await runningEtcd.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
    if (sa) await waitForServiceAccountOf(cp.client, 'default');
    return cp;
  } catch (err) {
    await apiserver?.close().catch(() => {});
    await etcd?.destroy();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** The two controllers of the controller-manager that every pod depends on once service accounts are on. */
async function startServiceAccountControllers(client: KubeClient, pki: TestPki, logger: pino.Logger): Promise<ControllerManager> {
  return startControllerManager({
    client,
    logger,
    leaderElect: false,
    available: { serviceaccount: serviceAccountsController, [ROOT_CA_PUBLISHER]: rootCaCertPublisherFactory(pki.pki.ca.cert) },
  });
}

/** Waits until the namespace has its `default` ServiceAccount and `kube-root-ca.crt` (pods can be created there). */
export async function waitForServiceAccountOf(client: KubeClient, namespace: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await client.resource(serviceAccounts, namespace).get('default');
      await client.resource(configMaps, namespace).get('kube-root-ca.crt');
      return;
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
    }
    if (Date.now() > deadline) throw new Error(`namespace ${namespace} has no default ServiceAccount or kube-root-ca.crt after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
