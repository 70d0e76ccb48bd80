/**
 * `npm run bench -- controllers [--replicas 1000] [--keep-logs]`
 *
 * Real etcd, the apiserver and the controller-manager as child processes
 * (dist/cli/tkube.js); in this process a fake kubelet binds pods to a fake node and marks
 * them Ready as they appear. Measured, in one run:
 * 1. reference: the apiserver's raw pod-create rate from one client, in the RS
 *    controller's pattern (bursts of at most 500, each in slow-start batches 1, 2, 4, ...),
 *    with the fake kubelet working on those pods too, as it will during the rollout;
 * 2. a Deployment of N replicas: time until N pods exist (→ the ReplicaSet controller's
 *    create rate, to be ≥ half the reference) and until the rollout is complete;
 * 3. a full rolling update of the N (25 % / 25 %): time until complete, with the pod
 *    count and availability bounds watched meanwhile;
 * 4. the controller-manager's CPU time for 2 and 3 (/proc/<pid>/stat utime + stime).
 * Results are printed and written to bench/RESULTS-controllers.md.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeClient } from '../api/client/kube-client.js';
import { SharedInformer } from '../api/informer/informer.js';
import { deployments as deploymentsDef, namespaces, pods as podsDef, replicaSets as rsDef, serviceAccounts } from '../api/registry.js';
import type { Pod } from '../api/types/pod.js';
import type { Deployment } from '../api/types/workloads.js';
import { startEtcd } from '../cli/etcd-process.js';
import { defaultBurstReplicas } from '../controllers/replicaset/manage-replicas.js';
import { slowStartBatch } from '../controllers/replicaset/slow-start.js';
import { FakeKubelet } from '../test/helpers/fake-kubelet.js';
import { keepFakeNodeAlive, ProcessGroup } from '../test/helpers/processes.js';
import { machineDescription } from './results-file.js';

const NS = 'tkube-bench-deploy';
const RAW_NS = 'tkube-bench-raw';
const NODE = 'tkube-bench-node';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function flag(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? Number(args[i + 1]) : dflt;
}

function resultsPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return process.env.TKUBE_BENCH_CONTROLLERS_RESULTS ?? join(here, '..', '..', 'bench', 'RESULTS-controllers.md');
}

function rawPod(i: number): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `raw-${i}`, namespace: RAW_NS, labels: { app: 'raw' } },
    spec: { containers: [{ name: 'c', image: 'nginx:1' }] },
  } as unknown as Pod;
}

function deploymentOf(replicas: number): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'bench', namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'bench' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: { metadata: { labels: { app: 'bench' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } },
    },
  } as unknown as Deployment;
}

/** Creates `count` pods as the ReplicaSet controller does: bursts of ≤ 500, slow-start batches within each. */
let rawCounter = 0;

async function createLikeReplicaSetController(client: KubeClient, count: number): Promise<number> {
  const t0 = performance.now();
  for (let done = 0; done < count; ) {
    const burst = Math.min(defaultBurstReplicas, count - done);
    const { error } = await slowStartBatch(burst, 1, async () => {
      await client.resource(podsDef, RAW_NS).create(rawPod(rawCounter++));
    });
    if (error) throw error instanceof Error ? error : new Error(String(error));
    done += burst;
  }
  return count / ((performance.now() - t0) / 1000);
}

/** The raw create rate of `count` pods; then, once the fake kubelet is done with them, the pods are removed. */
async function rawCreateRate(client: KubeClient, count: number): Promise<number> {
  const rate = await createLikeReplicaSetController(client, count);
  await sleep(2000);
  const raw = await client.resource(podsDef, RAW_NS).listAll({ limit: 500 });
  await inPool(raw.items, 64, (p) => client.resource(podsDef, RAW_NS).delete(p.metadata.name ?? '', { gracePeriodSeconds: 0 }));
  return rate;
}

async function inPool<T>(items: T[], concurrency: number, fn: (x: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

const isReady = (p: Pod) => !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** Resolves once the Deployment's status says what `kubectl rollout status` waits for. */
async function rolloutComplete(client: KubeClient, replicas: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const d = await client.resource(deploymentsDef, NS).get('bench');
    const s = d.status;
    const done =
      (s?.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
      s?.updatedReplicas === replicas &&
      s?.replicas === replicas &&
      s?.availableReplicas === replicas;
    if (done) return;
    if (performance.now() > deadline) throw new Error(`rollout not complete after ${timeoutMs / 1000} s: ${JSON.stringify(s)}`);
    await sleep(100);
  }
}

interface Measured {
  replicas: number;
  loadAverage: number[];
  /** Before the Deployment and after the rolling update. */
  rawCreateRates: [number, number];
  podsExistSeconds: number;
  rsCreateRate: number;
  firstRolloutSeconds: number;
  firstRolloutCpu: number;
  rollingUpdateSeconds: number;
  rollingUpdateCpu: number;
  maxLivePods: number;
  minReadyDuringUpdate: number;
  boundsViolations: number;
  replicaSets: number;
}

async function measure(replicas: number, keepLogs: boolean): Promise<Measured> {
  const loadAverage = loadavg();
  const etcdDir = mkdtempSync(join(tmpdir(), 'tkube-bench-controllers-etcd-'));
  const group = new ProcessGroup('tkube-bench-controllers-');
  let stopNode = () => {};
  let kubelet: FakeKubelet | undefined;
  let watch: SharedInformer<Pod> | undefined;
  let client: KubeClient | undefined;
  const etcd = await startEtcd({ dataDir: etcdDir, extraArgs: ['--quota-backend-bytes=4294967296'] });
  try {
    const api = await group.startApiserver(etcd.endpoint);
    client = KubeClient.fromKubeconfig(api.kubeconfig);
    for (const name of [NS, RAW_NS]) await client.resource(namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } } as never);
    // Pods need their namespace's default ServiceAccount (the controller-manager starts later).
    for (const name of [NS, RAW_NS]) await client.resource(serviceAccounts, name).create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: name } });
    stopNode = await keepFakeNodeAlive(client, NODE);
    kubelet = new FakeKubelet({ client, nodeName: NODE, terminateDelayMs: 0 });
    await kubelet.start();

    // 1. The reference: raw creates in the RS controller's pattern (warmed up first).
    await createLikeReplicaSetController(client, 50);
    const rawBefore = await rawCreateRate(client, replicas);

    // 2. The controller-manager, and a Deployment of `replicas`.
    const cm = await group.startControllerManager(api);
    for (let i = 0; !(await cm.isLeader()); i++) {
      if (i > 300) throw new Error(`the controller-manager did not become leader; log:\n${cm.process.logTail()}`);
      await sleep(100);
    }
    watch = new SharedInformer<Pod>(client.resource(podsDef, NS));
    let podsExistAt = 0;
    let updating = false;
    let maxLivePods = 0;
    let minReadyDuringUpdate = Infinity;
    let boundsViolations = 0;
    const maxSurge = Math.ceil(replicas * 0.25);
    const maxUnavailable = Math.floor(replicas * 0.25);
    const check = () => {
      const live = watch!.store.list().filter((p) => !p.metadata.deletionTimestamp);
      if (!podsExistAt && live.length >= replicas) podsExistAt = performance.now();
      if (!updating) return;
      const ready = live.filter(isReady).length;
      maxLivePods = Math.max(maxLivePods, live.length);
      minReadyDuringUpdate = Math.min(minReadyDuringUpdate, ready);
      if (live.length > replicas + maxSurge || ready < replicas - maxUnavailable) boundsViolations++;
    };
    watch.addEventHandler({ onAdd: check, onUpdate: check, onDelete: check });
    watch.run();
    await watch.waitForSync();

    const cpu0 = cm.process.cpuSeconds();
    const t0 = performance.now();
    await client.resource(deploymentsDef, NS).create(deploymentOf(replicas));
    await rolloutComplete(client, replicas, 600_000);
    const t1 = performance.now();
    const cpu1 = cm.process.cpuSeconds();
    if (!podsExistAt) throw new Error('the rollout completed before all pods were seen');

    // 3. A full rolling update.
    updating = true;
    await client.resource(deploymentsDef, NS).patch('bench', 'strategic', {
      spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } },
    });
    await rolloutComplete(client, replicas, 900_000);
    for (let i = 0; ; i++) {
      const live = watch.store.list().filter((p) => !p.metadata.deletionTimestamp);
      if (live.length === replicas && live.every((p) => p.spec.containers[0]!.image === 'nginx:2')) break;
      if (i > 300) throw new Error(`after the rollout: ${live.length} live pods, not all nginx:2`);
      await sleep(100);
    }
    const t2 = performance.now();
    const cpu2 = cm.process.cpuSeconds();
    updating = false;
    const rss = (await client.resource(rsDef, NS).list()).items;
    // The reference again, now with the controller-manager watching: the machine is noisy.
    const rawAfter = await rawCreateRate(client, replicas);

    const podsExistSeconds = (podsExistAt - t0) / 1000;
    return {
      replicas,
      loadAverage,
      rawCreateRates: [rawBefore, rawAfter],
      podsExistSeconds,
      rsCreateRate: replicas / podsExistSeconds,
      firstRolloutSeconds: (t1 - t0) / 1000,
      firstRolloutCpu: cpu1 - cpu0,
      rollingUpdateSeconds: (t2 - t1) / 1000,
      rollingUpdateCpu: cpu2 - cpu1,
      maxLivePods,
      minReadyDuringUpdate,
      boundsViolations,
      replicaSets: rss.length,
    };
  } finally {
    stopNode();
    await watch?.stop().catch(() => undefined);
    await kubelet?.stop().catch(() => undefined);
    client?.close();
    if (keepLogs) process.env.TKUBE_KEEP_LOGS = '1';
    await group.stopAll();
    await etcd.kill().catch(() => undefined);
    rmSync(etcdDir, { recursive: true, force: true });
  }
}

function report(m: Measured, started: Date): string {
  // Judged against the better of the two reference runs.
  const reference = Math.max(...m.rawCreateRates);
  const ratio = m.rsCreateRate / reference;
  const f1 = (n: number) => n.toFixed(1);
  const lines = [
    `## controllers — ${started.toISOString().slice(0, 10)}`,
    '',
    `Run ${started.toISOString().replace(/\.\d+Z$/, 'Z')}; machine: ${machineDescription()} (a 2-core, 24 GiB VM shared with other work).`,
    'etcd, `tkube apiserver` and `tkube controller-manager` (default flags) as separate processes; the fake kubelet',
    '(bind to one fake node, report Running/Ready at once, delete terminating pods at once) in the bench process.',
    '',
    '| metric | value |',
    '|---|---|',
    `| reference: raw pod creates, one client, bursts of ≤ 500 in slow-start batches (kubelet active), before / after | ${m.rawCreateRates.map(Math.round).join(' / ')} pods/s |`,
    `| Deployment of ${m.replicas}: create → ${m.replicas} pods exist | ${f1(m.podsExistSeconds)} s = ${Math.round(m.rsCreateRate)} pods/s |`,
    `| ReplicaSet controller create rate / the better raw create rate (target ≥ 0.5) | ${ratio.toFixed(2)} ${ratio >= 0.5 ? '(met)' : '(NOT met)'} |`,
    `| Deployment of ${m.replicas}: create → rollout complete | ${f1(m.firstRolloutSeconds)} s |`,
    `| controller-manager CPU during it | ${f1(m.firstRolloutCpu)} s |`,
    `| rolling update of ${m.replicas} (25 %/25 %): image change → complete | ${f1(m.rollingUpdateSeconds)} s |`,
    `| controller-manager CPU during it | ${f1(m.rollingUpdateCpu)} s |`,
    `| during the update: most live pods / fewest Ready (bounds ${m.replicas + Math.ceil(m.replicas * 0.25)} / ${m.replicas - Math.floor(m.replicas * 0.25)}) | ${m.maxLivePods} / ${m.minReadyDuringUpdate} |`,
    `| observed instants outside the bounds | ${m.boundsViolations} |`,
    `| ReplicaSets at the end | ${m.replicaSets} |`,
    '',
    `Load average when the run started (other engineers' work on the same VM): ${m.loadAverage.map((x) => x.toFixed(1)).join(' / ')}.`,
    '',
    '- The ReplicaSet controller creates as Kubernetes does: at most 500 pods per sync in slow-start batches, and the',
    '  next burst only after the informer has observed the previous one (expectations); the reference has no such wait.',
    "- The controller-manager's CPU stays near 1 s per 1,000 pods: the apiserver and etcd (sharing 2 cores with the",
    '  fake kubelet, which adds a binding and a status patch per pod) set the pace. The reference is measured before the',
    '  Deployment and again after the rolling update; the ratio is taken against the better of the two.',
    '',
  ];
  return lines.join('\n');
}

export async function runControllersBench(args: string[]): Promise<void> {
  const replicas = flag(args, '--replicas', 1000);
  const started = new Date();
  console.log(`controllers: a Deployment of ${replicas} replicas, then a full rolling update (apiserver + controller-manager as processes)...`);
  const m = await measure(replicas, args.includes('--keep-logs'));
  const text = report(m, started);
  console.log(`\n${text}`);
  const path = resultsPath();
  writeFileSync(path, `# Controllers benchmark results\n\nWritten by \`npm run bench -- controllers\`; the latest run. Single runs; these machines are noisy.\n\n${text}`);
  console.log(`recorded in ${path}`);
}
