/**
 * Done-means 4 of the kubelet issue: 100 hollow nodes (the real kubelet on an in-memory
 * CRI) register, and a Deployment of 3,000 replicas (30 per node) reaches Running on
 * them through the real controller-manager and scheduler. Then the Deployment is scaled
 * to 0: the hollow kubelets stop every container and all 3,000 pods go away.
 *
 * As in a real cluster, the apiserver, the controller-manager and the scheduler are
 * `tkube` processes (dist/ must be built: npm run build) on a real etcd; the hollow
 * nodes run in this process so the test can read their fake runtimes. One process for
 * everything would put all of it on one core, with an event loop lagging by seconds.
 *
 * The controller-manager and the scheduler run without leader election: one replica of
 * each, and a component that loses its lease exits (kube-controller-manager does too)
 * with nothing here to restart it. Leader election has its own tests
 * (test/controllers/process-leader.test.ts).
 *
 * Sizes can be lowered with $TKUBE_HOLLOW_NODES and $TKUBE_HOLLOW_PODS_PER_NODE;
 * $TKUBE_HOLLOW_PROGRESS prints the counts while waiting; $TKUBE_KEEP_LOGS keeps the
 * components' logs.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { KubeClient } from '../../api/client/kube-client.js';
import { SharedInformer } from '../../api/informer/informer.js';
import { deployments, leases, nodes, pods } from '../../api/registry.js';
import type { Pod } from '../../api/types/pod.js';
import { startHollowNodes, type HollowNodes } from '../../kubelet/hollow/hollow-nodes.js';
import { startTestEtcd, type TestEtcd } from '../helpers/etcd.js';
import { ProcessGroup, type ApiserverProcess, type ComponentProcess, type ControllerManagerProcess } from '../helpers/processes.js';

const NODES = Number(process.env.TKUBE_HOLLOW_NODES ?? 100);
const PODS_PER_NODE = Number(process.env.TKUBE_HOLLOW_PODS_PER_NODE ?? 30);
const REPLICAS = NODES * PODS_PER_NODE;
const RUNNING_TIMEOUT_MS = 300_000;
const GONE_TIMEOUT_MS = 240_000;
const logger = pino({ level: process.env.TKUBE_TEST_LOG ?? 'silent' });
const progress = (msg: string) => {
  if (process.env.TKUBE_HOLLOW_PROGRESS) console.log(msg);
};

let etcd: TestEtcd | undefined;
let group: ProcessGroup | undefined;
let api: ApiserverProcess;
let cm: ControllerManagerProcess | undefined;
let scheduler: ComponentProcess | undefined;
let client: KubeClient;
let hollow: HollowNodes | undefined;
// The test's own view of the Deployment's pods: a watch, not a 3,000-pod list every second.
let watched: SharedInformer<Pod> | undefined;
const clients: KubeClient[] = [];

function newClient(): KubeClient {
  const c = KubeClient.fromKubeconfig(api.kubeconfig);
  clients.push(c);
  return c;
}

async function waitFor<T>(what: string, timeoutMs: number, fn: () => T | undefined | Promise<T | undefined>, state: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${state()}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function appPods(): Promise<Pod[]> {
  return (await client.resource(pods, 'default').list({ labelSelector: 'app=hollow-load' })).items;
}

const isRunning = (p: Pod) => p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready === true;
const runningOnFakes = () => hollow!.nodes.reduce((n, h) => n + h.cri.counts.running, 0);

function counts(): string {
  const items = watched!.store.list();
  const bound = items.filter((p) => p.spec.nodeName).length;
  const terminating = items.filter((p) => p.metadata.deletionTimestamp).length;
  return `${items.length} pods, ${bound} bound, ${items.filter(isRunning).length} running, ${terminating} terminating, ` +
    `${runningOnFakes()} containers on the fake CRIs; controller-manager running: ${cm?.process.running}, scheduler running: ${scheduler?.running}`;
}

/** CPU seconds used so far by each component: where the time of a slow run went. */
function cpuReport(): string {
  const { user, system } = process.cpuUsage();
  const own = (user + system) / 1e6;
  return `CPU s: apiserver ${api.process.cpuSeconds().toFixed(0)}, controller-manager ${cm!.process.cpuSeconds().toFixed(0)}, ` +
    `scheduler ${scheduler!.cpuSeconds().toFixed(0)}, hollow nodes + test ${own.toFixed(0)}`;
}

beforeAll(async () => {
  etcd = await startTestEtcd();
  group = new ProcessGroup('tkube-test-hollow-');
  api = await group.startApiserver(etcd.endpoint);
  client = newClient();
  cm = await group.startControllerManager(api, { args: ['--leader-elect', 'false'] });
  scheduler = await group.start({
    name: 'scheduler',
    args: ['scheduler', '--kubeconfig', await api.kubeconfigFor('scheduler'), '--no-leader-elect'],
    // No health endpoint: ready once it runs; it lists nodes and pods before scheduling.
    ready: async () => true,
  });
  hollow = await startHollowNodes({
    client: newClient(), count: NODES, namePrefix: 'tkube-hollow-', podStartDelayMs: 100, podStopDelayMs: 100, logger,
  });
  watched = new SharedInformer<Pod>(newClient().resource(pods, 'default'), { labelSelector: 'app=hollow-load' });
  watched.run();
  await watched.waitForSync();
}, 120_000);

afterAll(async () => {
  try {
    await watched?.stop();
    // Bounded: kubelets stuck on a slow apiserver must not keep the rest from being removed.
    await Promise.race([hollow?.stop(), new Promise((r) => setTimeout(r, 30_000))]);
  } finally {
    await group?.stopAll();
    for (const c of clients) c.close();
    await etcd?.destroy();
    if (hollow) await rm(hollow.rootDir, { recursive: true, force: true });
  }
}, 90_000);

describe(`hollow nodes: ${NODES} nodes × ${PODS_PER_NODE} pods`, () => {
  it('register Ready nodes with leases', async () => {
    const list = await client.resource(nodes).list({ labelSelector: 'tkube.io/hollow=true' });
    expect(list.items).toHaveLength(NODES);
    for (const n of list.items) {
      expect(n.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(n.metadata.labels?.['kubernetes.io/hostname']).toBe(n.metadata.name);
    }
    const held = await client.resource(leases, 'kube-node-lease').list();
    const names = new Set(held.items.map((l) => l.metadata.name));
    for (const n of list.items) expect(names.has(n.metadata.name!)).toBe(true);
  });

  it(`run a Deployment of ${REPLICAS} replicas to Running through the scheduler and controllers`, async () => {
    const t0 = Date.now();
    await client.resource(deployments, 'default').create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'hollow-load' },
      spec: {
        replicas: REPLICAS,
        selector: { matchLabels: { app: 'hollow-load' } },
        template: {
          metadata: { labels: { app: 'hollow-load' } },
          spec: { containers: [{ name: 'app', image: 'registry.invalid/tkube-hollow:1' }] },
        },
      },
    } as never);
    let lastReport = 0;
    await waitFor('all pods Running', RUNNING_TIMEOUT_MS, async () => {
      if (Date.now() - lastReport < 10_000) return watched!.store.list().filter(isRunning).length === REPLICAS ? true : undefined;
      lastReport = Date.now();
      progress(`${Date.now() - t0} ms: ${counts()}`);
      // Every 10 s the apiserver's own answer: on an overloaded machine the watch of this
      // process has been seen lagging behind it.
      return (await appPods()).filter(isRunning).length === REPLICAS ? true : undefined;
    }, counts);
    const elapsed = Date.now() - t0;
    // The apiserver's view, not only the watch's.
    const running = (await appPods()).filter(isRunning);
    expect(running).toHaveLength(REPLICAS);
    const perNode = new Map<string, number>();
    for (const p of running) perNode.set(p.spec.nodeName!, (perNode.get(p.spec.nodeName!) ?? 0) + 1);
    expect([...perNode.keys()].every((n) => n.startsWith('tkube-hollow-'))).toBe(true);
    expect(perNode.size).toBe(NODES);
    // Every pod got a distinct (fake) IP from its node's CRI.
    expect(new Set(running.map((p) => p.status?.podIP)).size).toBe(REPLICAS);
    expect(runningOnFakes()).toBe(REPLICAS);
    expect(cm!.process.running && scheduler!.running).toBe(true);
    console.log(`hollow: ${REPLICAS} pods on ${NODES} nodes Running in ${elapsed} ms; ${cpuReport()}`);
  }, RUNNING_TIMEOUT_MS + 60_000);

  it('scale to 0: the hollow kubelets stop every container and all pods go away', async () => {
    const t0 = Date.now();
    await client.resource(deployments, 'default').patch('hollow-load', 'merge', { spec: { replicas: 0 } });
    let lastReport = 0;
    await waitFor('pods deleted and containers stopped', GONE_TIMEOUT_MS, async () => {
      if (runningOnFakes() > 0) return undefined;
      if (Date.now() - lastReport < 10_000) return watched!.store.size === 0 ? true : undefined;
      lastReport = Date.now();
      progress(`${Date.now() - t0} ms: ${counts()}`);
      return (await appPods()).length === 0 ? true : undefined;
    }, counts);
    const elapsed = Date.now() - t0;
    expect(await appPods()).toHaveLength(0);
    expect(cm!.process.running && scheduler!.running).toBe(true);
    console.log(`hollow: ${REPLICAS} pods scaled to 0 and gone in ${elapsed} ms; ${cpuReport()}`);
  }, GONE_TIMEOUT_MS + 60_000);
});
