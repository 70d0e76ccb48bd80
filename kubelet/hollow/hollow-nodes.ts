/**
 * N hollow nodes in one process (kubemark's idea): each is the real kubelet
 * (startKubelet: registration, lease, pod workers, status, PLEG) on its own in-memory
 * FakeCri. They share one API client, one temporary root directory and one pod-IP
 * counter (addresses in 10.128.0.0/9, never configured on any interface).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { KubeClient } from '../../api/client/kube-client.js';
import { CriClient } from '../cri-client.js';
import { startKubelet, type Kubelet } from '../kubelet.js';
import { FakeCri } from './fake-cri.js';

export interface HollowNodesOptions {
  client: KubeClient;
  count: number;
  namePrefix?: string;
  podStartDelayMs?: number;
  podStopDelayMs?: number;
  /** Nodes registered at once (bounds the start-up burst on the apiserver). Default 20. */
  startConcurrency?: number;
  /** Period of each node's status post (default 10 s, as the kubelet). */
  statusIntervalMs?: number;
  logger?: Logger;
}

export interface HollowNode {
  name: string;
  cri: FakeCri;
  kubelet: Kubelet;
}

export interface HollowNodes {
  nodes: HollowNode[];
  rootDir: string;
  stop(): Promise<void>;
}

/** The i-th address of 10.128.0.0/9 (skipping .0 and .255 host parts for readability). */
export function hollowPodIP(i: number): string {
  const n = (10 << 24) + (128 << 16) + Math.floor(i / 254) * 256 + (i % 254) + 1;
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Node i's own (fake) InternalIP, in 10.127.0.0/16. */
export function hollowNodeIP(i: number): string {
  return `10.127.${Math.floor(i / 254)}.${(i % 254) + 1}`;
}

export async function startHollowNodes(o: HollowNodesOptions): Promise<HollowNodes> {
  const log = o.logger ?? pino({ level: 'silent' });
  const prefix = o.namePrefix ?? 'hollow-';
  const rootDir = await mkdtemp(path.join(os.tmpdir(), 'tkube-hollow-'));
  let ips = 0;
  const allocateIP = () => hollowPodIP(ips++ % (127 * 256 * 254));
  const nodes: HollowNode[] = [];

  const startOne = async (i: number): Promise<HollowNode> => {
    const name = `${prefix}${i}`;
    const cri = new FakeCri({ startDelayMs: o.podStartDelayMs, stopDelayMs: o.podStopDelayMs, allocateIP });
    const kubelet = await startKubelet({
      client: o.client,
      nodeName: name,
      runtimeEndpoint: 'in-process',
      cri: new CriClient({ endpoint: 'in-process', inProcess: cri.services() }),
      rootDir: path.join(rootDir, name),
      podLogsDir: path.join(rootDir, name, 'logs'),
      nodeIP: hollowNodeIP(i),
      port: 0,
      address: '127.0.0.1',
      nodeLabels: { 'tkube.io/hollow': 'true' },
      statusIntervalMs: o.statusIntervalMs,
      logger: log.child({ node: name }),
    });
    return { name, cri, kubelet };
  };

  const stop = async () => {
    await Promise.all(nodes.map((n) => n.kubelet.stop().catch((err: unknown) => log.warn({ err, node: n.name }, 'hollow node stop failed'))));
    await rm(rootDir, { recursive: true, force: true });
  };

  try {
    const concurrency = Math.max(1, o.startConcurrency ?? 20);
    for (let i = 0; i < o.count; i += concurrency) {
      const batch = await Promise.allSettled(
        Array.from({ length: Math.min(concurrency, o.count - i) }, (_, k) => startOne(i + k)),
      );
      for (const r of batch) if (r.status === 'fulfilled') nodes.push(r.value);
      const failed = batch.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
  } catch (err) {
    await stop();
    throw err;
  }
  log.info({ count: nodes.length }, 'hollow nodes started');
  return { nodes, rootDir, stop };
}
