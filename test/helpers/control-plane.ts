/**
 * A throwaway control plane for integration tests: a real etcd on free ports and the
 * apiserver in this process, a kubeconfig file for kubectl, and a client. Everything is
 * removed by stop(), even after a failure.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { KubeClient } from '../../api/client/kube-client.js';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../../apiserver/server.js';
import { writeKubeconfig } from '../../cli/kubeconfig.js';
import { startTestEtcd, type TestEtcd } from './etcd.js';

const run = promisify(execFile);

export interface TestControlPlane {
  etcd: TestEtcd;
  apiserver: ApiServer;
  url: string;
  kubeconfig: string;
  client: KubeClient;
  dir: string;
  /** Runs the real kubectl against this control plane. Rejects with stderr on a non-zero exit. */
  kubectl(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<{ stdout: string; stderr: string }>;
  /** Restarts the apiserver on the same port (its state lives in etcd). */
  restartApiserver(): Promise<void>;
  stop(): Promise<void>;
}

export async function startControlPlane(opts: Partial<ApiServerOptions> = {}): Promise<TestControlPlane> {
  const dir = mkdtempSync(join(tmpdir(), 'tkube-test-cp-'));
  const etcd = await startTestEtcd();
  const logger = pino({ level: process.env.TKUBE_TEST_LOG ?? 'silent' });
  const serverOpts: ApiServerOptions = { etcdEndpoints: [etcd.endpoint], port: 0, logger, compactionIntervalMs: 0, ...opts };
  let apiserver: ApiServer;
  try {
    apiserver = await startApiServer(serverOpts);
  } catch (err) {
    await etcd.destroy();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const kubeconfig = join(dir, 'kubeconfig');
  writeKubeconfig(kubeconfig, { server: apiserver.url });
  const cp: TestControlPlane = {
    etcd,
    apiserver,
    url: apiserver.url,
    kubeconfig,
    client: new KubeClient({ server: apiserver.url }),
    dir,
    async kubectl(args, o = {}) {
      const child = run('kubectl', ['--kubeconfig', kubeconfig, ...args], {
        timeout: o.timeoutMs ?? 30_000,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir },
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
      await cp.apiserver.close().catch(() => {});
      await etcd.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return cp;
}
