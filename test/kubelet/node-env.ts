// Shared setup of the kubelet integration tests: a control plane, a runtime from the
// runtime test harness and a kubelet in this process, all removed by stop().
import path from 'node:path';
import { pino } from 'pino';
import type { Pod } from '../../api/types/pod.js';
import { startKubelet, type Kubelet, type KubeletOptions } from '../../kubelet/kubelet.js';
import { ServingCertificate } from '../../kubelet/serving-certificate.js';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';
import { createHarness, type Harness } from '../runtime/harness.js';

export const BUSYBOX = 'tkube-test/busybox:latest';

export interface NodeEnv {
  cp: TestControlPlane;
  h: Harness;
  nodeName: string;
  rootDir: string;
  logsDir: string;
  kubelet?: Kubelet;
  startKubelet(extra?: Partial<KubeletOptions>): Promise<Kubelet>;
  stop(): Promise<void>;
}

export async function createNodeEnv(): Promise<NodeEnv> {
  const cp = await startControlPlane();
  let h: Harness | undefined;
  try {
    h = await createHarness();
    await h.startRuntime();
  } catch (err) {
    await h?.cleanup();
    await cp.stop();
    throw err;
  }
  const harness = h;
  const env: NodeEnv = {
    cp,
    h: harness,
    nodeName: `tkube-test-node-${harness.tag}`,
    rootDir: path.join(harness.dir, 'kubelet'),
    logsDir: path.join(harness.dir, 'pod-logs'),
    async startKubelet(extra = {}) {
      // As a real node: its own identity (Node authorizer, NodeRestriction) and an HTTPS
      // API that only the apiserver's client certificate (or an authorised user) may use.
      const secured = cp.pki && {
        client: await cp.clientFor({ node: env.nodeName }),
        serverTls: { certificate: new ServingCertificate(await cp.pki.kubeletServing(env.nodeName)), clientCA: cp.pki.pki.ca.cert },
      };
      env.kubelet = await startKubelet({
        client: cp.client,
        ...secured,
        nodeName: env.nodeName,
        runtimeEndpoint: `unix://${harness.socket}`,
        rootDir: env.rootDir,
        podLogsDir: env.logsDir,
        nodeIP: '127.0.0.1',
        port: 0,
        address: '127.0.0.1',
        nodeLabels: { 'tkube-test': 'yes' },
        cniConfDir: path.join(harness.dir, 'kubelet-net.d'),
        cniBridge: `${harness.bridge}k`,
        podCIDR: '10.250.0.0/24',
        resyncMs: 3000,
        statusIntervalMs: 2000,
        logger: pino({ level: process.env.TKUBE_TEST_LOG ?? 'silent' }),
        ...extra,
      });
      return env.kubelet;
    },
    async stop() {
      await env.kubelet?.stop().catch(() => undefined);
      await harness.cleanup();
      await cp.stop();
    },
  };
  return env;
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function podObject(nodeName: string, name: string, command: string[], extra: Record<string, unknown> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { nodeName, containers: [{ name: 'main', image: BUSYBOX, command }], ...extra },
  } as Pod;
}
