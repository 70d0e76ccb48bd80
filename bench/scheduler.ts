/**
 * `npm run bench -- scheduler [--nodes 1000] [--pods 10000] [--algorithm-only] [--e2e-only] [--in-process]`
 *
 * 1. The algorithm alone: an in-process cache with N nodes, pods scheduled and assumed
 *    one after another (no API), at 100 / 1,000 / 5,000 nodes. Target ≥ 3,000 pods/s at 1,000.
 * 2. End to end: real etcd, the apiserver in a child process (dist/cli/tkube.js; in this
 *    process with --in-process or when the build is missing), 1,000 Nodes and 10,000
 *    pending pods created beforehand, then the scheduler started: time until all are
 *    bound. Target ≥ 500 pods/s. The reference in the same run: the rate at which the
 *    same client created the pods (one write each, as a binding is).
 * Medians of several runs for the algorithm; one run end to end (it takes a while).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { KubeClient } from '../api/client/kube-client.js';
import { nodes as nodesDef, pods as podsDef } from '../api/registry.js';
import { startApiServer, type ApiServer } from '../apiserver/server.js';
import { startEtcd } from '../cli/etcd-process.js';
import { freePort } from '../cli/free-port.js';
import { SchedulingAlgorithm } from '../scheduler/algorithm.js';
import { SchedulerCache } from '../scheduler/cache.js';
import { newPodInfo } from '../scheduler/pod-info.js';
import { defaultProfile } from '../scheduler/plugins/index.js';
import { runScheduler } from '../scheduler/run.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import { makeNode, makePod } from '../scheduler/test-objects.js';

const ZONES = 10;

function benchNode(i: number) {
  return makeNode(`bench-node-${i}`, { cpu: '32', memory: '128Gi', pods: 110, labels: { 'topology.kubernetes.io/zone': `zone-${i % ZONES}` } });
}

function benchPod(i: number) {
  const p = makePod(`bench-pod-${i}`, { cpu: '100m', memory: '128Mi', labels: { app: `app-${i % 50}` } });
  delete p.metadata.uid;
  return p;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Pods per second of schedule + assume, pods pre-parsed as the queue does on arrival. */
export function algorithmThroughput(numNodes: number, numPods: number, owners = 0): number {
  const cache = new SchedulerCache();
  for (let i = 0; i < numNodes; i++) cache.addOrUpdateNode(benchNode(i));
  const algo = new SchedulingAlgorithm(cache, defaultProfile());
  const infos = Array.from({ length: numPods }, (_, i) => {
    const p = benchPod(i);
    p.metadata.uid = `u${i}`;
    // Owned pods get kube-scheduler's default spreading (hostname and zone) in scoring.
    if (owners > 0) p.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `rs-${i % owners}`, uid: `rs-${i % owners}`, controller: true }];
    return newPodInfo(p);
  });
  const t0 = performance.now();
  for (const info of infos) cache.assumePod(info, algo.schedule(info).nodeName);
  return numPods / ((performance.now() - t0) / 1000);
}

async function inPool<T>(items: T[], concurrency: number, fn: (x: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

interface ApiHandle {
  url: string;
  mode: string;
  close(): Promise<void>;
}

async function startApi(etcdEndpoint: string, inProcess: boolean): Promise<ApiHandle> {
  const here = dirname(fileURLToPath(import.meta.url));
  const cli = join(here, '..', 'cli', 'tkube.js');
  if (!inProcess && existsSync(cli)) {
    const port = await freePort();
    const child: ChildProcess = spawn(process.execPath, [cli, 'apiserver', '--etcd-servers', etcdEndpoint, '--port', String(port), '--etcd-compaction-interval', '0'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, TKUBE_LOG_LEVEL: 'warn' },
    });
    const url = `http://127.0.0.1:${port}`;
    const deadline = performance.now() + 30_000;
    for (;;) {
      const ok = await fetch(`${url}/api`).then((r) => r.ok, () => false);
      if (ok) break;
      if (child.exitCode !== null || performance.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error('the apiserver child process did not come up');
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return {
      url,
      mode: 'apiserver in a child process',
      close: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    };
  }
  const api: ApiServer = await startApiServer({ etcdEndpoints: [etcdEndpoint], port: 0, logger: pino({ level: 'silent' }), compactionIntervalMs: 0 });
  return { url: api.url, mode: 'apiserver in the bench process', close: () => api.close() };
}

export interface EndToEndResult {
  mode: string;
  createPodsPerSecond: number;
  bindSeconds: number;
  podsPerSecond: number;
  syncSeconds: number;
  /** CPU seconds this process (the scheduler; the apiserver too with --in-process) used while binding. */
  schedulerCpuSeconds: number;
}

export async function endToEnd(numNodes: number, numPods: number, inProcess: boolean): Promise<EndToEndResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tkube-bench-scheduler-'));
  const etcd = await startEtcd({ dataDir, extraArgs: ['--quota-backend-bytes=8589934592'] });
  let api: ApiHandle | undefined;
  const stop = new AbortController();
  let run: Promise<unknown> | undefined;
  try {
    api = await startApi(etcd.endpoint, inProcess);
    const client = new KubeClient({ server: api.url });
    await inPool(Array.from({ length: numNodes }, (_, i) => i), 32, (i) => client.resource(nodesDef).create(benchNode(i)));
    const c0 = performance.now();
    await inPool(Array.from({ length: numPods }, (_, i) => i), 64, (i) => client.resource(podsDef, 'default').create(benchPod(i)));
    const createPodsPerSecond = numPods / ((performance.now() - c0) / 1000);

    let scheduler: Scheduler | undefined;
    const schedClient = new KubeClient({ server: api.url });
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let synced = 0;
    run = runScheduler({ client: schedClient, onReady: (s) => (scheduler = s) }, stop.signal);
    for (;;) {
      const s = scheduler;
      if (s && !synced && s.stats.scheduled > 0) synced = performance.now();
      if (s && s.stats.bound >= numPods) break;
      if (performance.now() - t0 > 600_000) throw new Error(`timed out: ${s?.stats.bound ?? 0} of ${numPods} bound`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const bindSeconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const schedulerCpuSeconds = (cpu.user + cpu.system) / 1e6;
    // Check against the apiserver that every pod is bound and no node is over-full.
    const list = await client.resource(podsDef, 'default').listAll({ limit: 5000 });
    const perNode = new Map<string, number>();
    for (const p of list.items) if (p.spec.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
    const bound = [...perNode.values()].reduce((a, b) => a + b, 0);
    if (bound !== numPods) throw new Error(`only ${bound} of ${numPods} pods are bound on the apiserver`);
    if ([...perNode.values()].some((n) => n > 110)) throw new Error('a node got more than 110 pods');
    client.close();
    return { mode: api.mode, createPodsPerSecond, bindSeconds, podsPerSecond: numPods / bindSeconds, syncSeconds: (synced - t0) / 1000, schedulerCpuSeconds };
  } finally {
    stop.abort();
    await run?.catch(() => undefined);
    await api?.close().catch(() => undefined);
    await etcd.kill().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function flag(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? Number(args[i + 1]) : dflt;
}

export async function runSchedulerBench(args: string[]): Promise<void> {
  const numNodes = flag(args, '--nodes', 1000);
  const numPods = flag(args, '--pods', 10_000);
  const runs = flag(args, '--runs', 3);
  if (!args.includes('--e2e-only')) {
    console.log(`scheduler algorithm alone (in-process cache, no API), ${numPods} pods, median of ${runs} runs:`);
    // Warm the JIT once.
    algorithmThroughput(100, 2000);
    for (const n of [100, 1000, 5000]) {
      const rates = Array.from({ length: runs }, () => algorithmThroughput(n, numPods));
      const m = median(rates);
      const target = n === 1000 ? `   (target ≥ 3000: ${m >= 3000 ? 'met' : 'NOT met'})` : '';
      console.log(`  ${String(n).padStart(5)} nodes: ${Math.round(m)} pods/s  [runs: ${rates.map(Math.round).join(', ')}]${target}`);
    }
    const owned = algorithmThroughput(1000, numPods, 10);
    console.log(`  1000 nodes, pods of 10 ReplicaSets (default topology spreading scored): ${Math.round(owned)} pods/s (one run)`);
  }
  if (!args.includes('--algorithm-only')) {
    console.log(`scheduler end to end: ${numNodes} nodes, ${numPods} pending pods, etcd + apiserver in the loop:`);
    const r = await endToEnd(numNodes, numPods, args.includes('--in-process'));
    console.log(`  ${r.mode}`);
    console.log(`  reference: creating the pods with the same client (64 in flight): ${Math.round(r.createPodsPerSecond)} pods/s`);
    console.log(`  scheduler start → informers synced and first pod scheduled: ${r.syncSeconds.toFixed(2)} s`);
    console.log(`  CPU used by this process meanwhile: ${r.schedulerCpuSeconds.toFixed(2)} s (${Math.round((100 * r.schedulerCpuSeconds) / r.bindSeconds)}% of one core)`);
    console.log(
      `  scheduler start → all ${numPods} bound: ${r.bindSeconds.toFixed(2)} s = ${Math.round(r.podsPerSecond)} pods/s   (target ≥ 500: ${r.podsPerSecond >= 500 ? 'met' : 'NOT met'}; ${(r.podsPerSecond / r.createPodsPerSecond).toFixed(2)}× the create rate)`,
    );
  }
}
