/**
 * `npm run bench -- kubelet [--pods 30] [--interval-ms 200] [--hollow-nodes 100]
 *   [--hollow-pods-per-node 30] [--skip-real] [--skip-hollow] [--results FILE]`
 *
 * 1. Pod startup latency on one REAL node (root; runc, conmon, reference CNI plugins):
 *    real etcd + apiserver, tkube's CRI runtime and the kubelet in this process. Pods
 *    of busybox `sleep` (image imported beforehand, as the SLO excludes pulls), bound
 *    to the node by spec.nodeName, created one every --interval-ms; latency is from the
 *    create call to the watch event that shows the pod Running (Kubernetes' pod startup
 *    SLI, observed by a watch). p50 and p99; target p99 < 1 s.
 * 2. Hollow nodes: a child process runs N hollow nodes against a control plane (apiserver,
 *    controller-manager, scheduler) in this process. Its RSS before the nodes (after its
 *    imports), with the nodes registered, and with a Deployment of N × pods-per-node
 *    replicas Running on them; memory per node = (RSS − baseline) / N. Also times the
 *    Deployment to all Running (done-means 4 at full scale).
 * Everything is created under a tkube-bench-<id> prefix and removed at the end.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { KubeClient } from '../api/client/kube-client.js';
import { SharedInformer } from '../api/informer/informer.js';
import { deployments, pods as podsDef } from '../api/registry.js';
import type { Pod } from '../api/types/pod.js';
import { startControllerManager } from '../controllers/manager.js';
import { startKubelet } from '../kubelet/kubelet.js';
import { ImageStore } from '../runtime/images/image-store.js';
import { resolveBinary, startRuntime } from '../runtime/server.js';
import { run } from '../runtime/util/exec.js';
import { runScheduler } from '../scheduler/run.js';
import { startControlPlane, type TestControlPlane } from '../test/helpers/control-plane.js';
import { machineDescription, recordResult, sectionHeading } from './results-file.js';
import { percentile, round } from './stats.js';
import { cleanupBenchHost } from './runtime/host-cleanup.js';

const PAUSE_IMAGE = 'tkube/pause:3.10';
const BUSYBOX_IMAGE = 'tkube/busybox:1.36';
const CNI_BIN_DIR = '/usr/lib/cni';
const MiB = 1024 * 1024;

interface Flags {
  pods: number;
  intervalMs: number;
  hollowNodes: number;
  hollowPodsPerNode: number;
  real: boolean;
  hollow: boolean;
  results: string;
}

/** The repository: above this file (dist/bench/), else the working directory (a build elsewhere). */
function repoRoot(): string {
  if (existsSync(path.join(process.cwd(), 'deploy', 'images', 'build.sh'))) return process.cwd();
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'deploy', 'images', 'build.sh'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('repository root (deploy/images/build.sh) not found');
    dir = up;
  }
  return dir;
}

export function parseKubeletBenchFlags(args: string[], repo: string): Flags {
  const f: Flags = { pods: 30, intervalMs: 200, hollowNodes: 100, hollowPodsPerNode: 30, real: true, hollow: true, results: path.join(repo, 'bench', 'RESULTS-kubelet.md') };
  const num = (name: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} needs an integer >= ${min}, got ${JSON.stringify(v)}`);
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--pods') f.pods = num(a, args[++i], 1);
    else if (a === '--interval-ms') f.intervalMs = num(a, args[++i], 0);
    else if (a === '--hollow-nodes') f.hollowNodes = num(a, args[++i], 1);
    else if (a === '--hollow-pods-per-node') f.hollowPodsPerNode = num(a, args[++i], 0);
    else if (a === '--skip-real') f.real = false;
    else if (a === '--skip-hollow') f.hollow = false;
    else if (a === '--results') f.results = path.resolve(args[++i] ?? '');
    else throw new Error(`unknown flag ${a}`);
  }
  return f;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const ms = (n: number) => `${Math.round(n)} ms`;

function isRunning(p: Pod): boolean {
  const cs = p.status?.containerStatuses ?? [];
  return p.status?.phase === 'Running' && cs.length > 0 && cs.every((c) => c.state?.running);
}

/** Watches pods with a label and resolves, per pod name, the time it was first seen Running. */
function watchRunning(client: KubeClient, namespace: string, labelSelector: string): { seen: Map<string, number>; informer: SharedInformer<Pod> } {
  const seen = new Map<string, number>();
  const informer = new SharedInformer<Pod>(client.resource(podsDef, namespace), { labelSelector, logger: pino({ level: 'silent' }) });
  const look = (p: Pod) => {
    if (isRunning(p) && !seen.has(p.metadata.name!)) seen.set(p.metadata.name!, performance.now());
  };
  informer.addEventHandler({ onAdd: look, onUpdate: (_o, p) => look(p), onDelete: () => undefined });
  informer.run();
  return { seen, informer };
}

async function waitUntil(what: string, timeoutMs: number, cond: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function realNodeLatency(f: Flags, repo: string): Promise<string[]> {
  if (process.getuid?.() !== 0) throw new Error('the real-node part needs root (namespaces, mounts, runc); use --skip-real');
  const runc = resolveBinary('runc');
  const conmon = resolveBinary('conmon');
  const tag = randomBytes(3).toString('hex');
  const prefix = `tkube-bench-${tag}-`;
  const workDir = await fs.mkdtemp(`/tmp/${prefix}`);
  const stateDir = path.join(workDir, 'state');
  const bridge = `tkk${tag}`;
  const subnet = `10.${200 + (parseInt(tag.slice(0, 2), 16) % 50)}.${parseInt(tag.slice(2, 4), 16)}.0/24`;
  const log = pino({ level: process.env.TKUBE_BENCH_LOG ?? 'warn' }, pino.destination(2));
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    await run(path.join(repo, 'deploy', 'images', 'build.sh'), [path.join(workDir, 'archives')]);
    const images = new ImageStore({ root: path.join(workDir, 'images'), logger: log });
    await images.importArchive(path.join(workDir, 'archives', 'pause.tar'));
    await images.importArchive(path.join(workDir, 'archives', 'busybox.tar'));
    const confDir = path.join(workDir, 'net.d');
    await fs.mkdir(confDir);
    await fs.writeFile(path.join(confDir, '10-bench.conflist'), JSON.stringify({
      cniVersion: '1.0.0',
      name: `tkube-bench-${tag}`,
      plugins: [
        { type: 'bridge', bridge, isGateway: true, ipMasq: false, hairpinMode: true, ipam: { type: 'host-local', ranges: [[{ subnet }]], dataDir: path.join(workDir, 'ipam') } },
        { type: 'loopback' },
      ],
    }));
    cleanups.push(() => cleanupBenchHost({ workDir, stateDir, runc, runcRoots: [path.join(stateDir, 'oci')], netnsPrefix: prefix, bridge, cgroupRoot: prefix.replace(/-+$/, '') }));
    const rt = await startRuntime({
      socket: path.join(workDir, 'cri.sock'), stateDir, cniConfDir: confDir, cniBinDirs: [CNI_BIN_DIR], ociRuntime: runc, conmonPath: conmon,
      pauseImage: PAUSE_IMAGE, streamingAddr: '127.0.0.1:0', imageStore: images, logger: log, namePrefix: prefix,
    });
    cleanups.push(() => rt.stop());
    const cp = await startControlPlane();
    cleanups.push(() => cp.stop());
    const nodeName = `${prefix}node`;
    const kubelet = await startKubelet({
      client: cp.client, nodeName, runtimeEndpoint: `unix://${path.join(workDir, 'cri.sock')}`, rootDir: path.join(workDir, 'kubelet'),
      podLogsDir: path.join(workDir, 'pod-logs'), nodeIP: '127.0.0.1', port: 0, address: '127.0.0.1', cgroupRoot: prefix.replace(/-+$/, ''), logger: log,
    });
    cleanups.push(() => kubelet.stop());
    const { seen, informer } = watchRunning(cp.client, 'default', 'tkube-bench=kubelet');
    cleanups.push(() => informer.stop());
    await informer.waitForSync();
    const created = new Map<string, number>();
    const api = cp.client.resource(podsDef, 'default');
    const loadStart = loadavg()[0]!;
    const creates: Promise<unknown>[] = [];
    for (let i = 0; i < f.pods; i++) {
      const name = `bench-pod-${i}`;
      created.set(name, performance.now());
      creates.push(api.create({
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name, labels: { 'tkube-bench': 'kubelet' } },
        spec: {
          nodeName, terminationGracePeriodSeconds: 1,
          containers: [{ name: 'app', image: BUSYBOX_IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }],
        },
      } as never));
      await sleep(f.intervalMs);
    }
    await Promise.all(creates);
    await waitUntil('all bench pods Running', 120_000, () => seen.size === f.pods);
    const lat = [...created].map(([n, t]) => seen.get(n)! - t);
    const p50 = percentile(lat, 50);
    const p99 = percentile(lat, 99);
    // Stop the pods through the kubelet before tearing down.
    await Promise.all([...created.keys()].map((n) => api.delete(n).catch(() => undefined)));
    await waitUntil('bench pods deleted', 90_000, async () => (await api.list({ labelSelector: 'tkube-bench=kubelet' })).items.length === 0).catch(() => undefined);
    return [
      '### Pod startup latency on one real node (creation → Running seen by a watch)',
      '',
      `${f.pods} pods of busybox \`sleep\` (image present), bound by spec.nodeName, one created every ${f.intervalMs} ms; runc, conmon, bridge CNI. Load average ${loadStart.toFixed(1)} at the start.`,
      '',
      '| metric | value | target | |',
      '|---|---|---|---|',
      `| p50 | ${ms(p50)} | | |`,
      `| p99 | ${ms(p99)} | < 1 s | ${p99 < 1000 ? 'met' : 'MISSED'} |`,
      `| min / max | ${ms(Math.min(...lat))} / ${ms(Math.max(...lat))} | | |`,
      '',
    ];
  } finally {
    for (const c of cleanups.reverse()) await c().catch((err: unknown) => log.warn({ err }, 'cleanup step failed'));
    await fs.rm(workDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** The child: N hollow nodes; prints its RSS as JSON lines at each phase the parent asks for. */
function hollowChildScript(distRoot: string): string {
  const mod = (p: string) => JSON.stringify(pathToFileURL(path.join(distRoot, p)).href);
  return `
const { KubeClient } = await import(${mod('api/client/kube-client.js')});
const { loadKubeconfig } = await import(${mod('api/client/kubeconfig.js')});
const { startHollowNodes } = await import(${mod('kubelet/hollow/hollow-nodes.js')});
const rss = () => { globalThis.gc?.(); globalThis.gc?.(); return process.memoryUsage().rss; };
const say = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
const client = new KubeClient(loadKubeconfig(process.env.TKUBE_BENCH_KUBECONFIG));
await new Promise((r) => setTimeout(r, 500));
say({ phase: 'baseline', rss: rss() });
const hollow = await startHollowNodes({ client, count: Number(process.env.TKUBE_BENCH_NODES), namePrefix: 'tkube-bench-hollow-', podStartDelayMs: 100, podStopDelayMs: 100 });
await new Promise((r) => setTimeout(r, 5000));
say({ phase: 'nodes', rss: rss() });
for await (const line of (await import('node:readline')).createInterface({ input: process.stdin })) {
  if (line === 'measure') say({ phase: 'measure', rss: rss() });
  if (line === 'exit') break;
}
await hollow.stop();
client.close();
process.exit(0);
`;
}

async function hollowNodes(f: Flags): Promise<string[]> {
  const distRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const logger = pino({ level: 'silent' });
  let cp: TestControlPlane | undefined;
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    cp = await startControlPlane();
    const cpRef = cp;
    cleanups.push(() => cpRef.stop());
    // Each component with its own identity, as on a secured cluster.
    const cmClient = await cp.clientFor('controller-manager');
    const cm = await startControllerManager({ client: cmClient, logger, leaderElect: false });
    cleanups.push(async () => { await cm.stop(); cmClient.close(); });
    const schedClient = await cp.clientFor('scheduler');
    const stopSched = new AbortController();
    const sched = runScheduler({ client: schedClient, logger }, stopSched.signal);
    cleanups.push(async () => { stopSched.abort(); await sched.catch(() => undefined); schedClient.close(); });

    const child = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', hollowChildScript(distRoot)], {
      env: { ...process.env, TKUBE_BENCH_KUBECONFIG: await cp.kubeconfigFor('admin'), TKUBE_BENCH_NODES: String(f.hollowNodes) },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    cleanups.push(async () => {
      child.stdin.write('exit\n');
      await Promise.race([exited, sleep(30_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const lines = createInterface({ input: child.stdout });
    const it = lines[Symbol.asyncIterator]();
    const next = async (phase: string): Promise<number> => {
      const r = await it.next();
      if (r.done) throw new Error(`hollow child exited before ${phase}`);
      const o = JSON.parse(r.value as string) as { phase: string; rss: number };
      if (o.phase !== phase) throw new Error(`hollow child said ${o.phase}, expected ${phase}`);
      return o.rss;
    };
    const baseline = await next('baseline');
    const t0 = performance.now();
    const withNodes = await next('nodes');
    const startupS = (performance.now() - t0) / 1000 - 5;
    const replicas = f.hollowNodes * f.hollowPodsPerNode;
    const out = [
      `### Hollow nodes: ${f.hollowNodes} in one process`,
      '',
      `Child process RSS after its imports: ${round(baseline / MiB)} MiB. Nodes registered (and leases) in ${round(startupS)} s.`,
      '',
      '| state | RSS | per node (RSS − baseline) / N | target |',
      '|---|---|---|---|',
      `| ${f.hollowNodes} nodes, no pods | ${round(withNodes / MiB)} MiB | ${round((withNodes - baseline) / f.hollowNodes / MiB)} MiB | a few MB |`,
    ];
    if (replicas > 0) {
      const { seen, informer } = watchRunning(cp.client, 'default', 'app=hollow-bench');
      cleanups.push(() => informer.stop());
      await informer.waitForSync();
      const t1 = performance.now();
      await cp.client.resource(deployments, 'default').create({
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'hollow-bench' },
        spec: {
          replicas, selector: { matchLabels: { app: 'hollow-bench' } },
          template: { metadata: { labels: { app: 'hollow-bench' } }, spec: { containers: [{ name: 'app', image: 'registry.invalid/tkube-hollow:1' }] } },
        },
      } as never);
      let allRunningS: number | undefined;
      try {
        await waitUntil(`${replicas} hollow pods Running`, 300_000, () => seen.size >= replicas);
        allRunningS = (performance.now() - t1) / 1000;
      } catch {
        /* reported below */
      }
      child.stdin.write('measure\n');
      const withPods = await next('measure');
      out.push(`| ${f.hollowNodes} nodes, ${seen.size} pods Running | ${round(withPods / MiB)} MiB | ${round((withPods - baseline) / f.hollowNodes / MiB)} MiB | a few MB |`);
      out.push('', allRunningS !== undefined
        ? `Deployment of ${replicas} replicas (${f.hollowPodsPerNode} per node) to all Running through the real controller-manager and scheduler: ${round(allRunningS)} s (control plane in the parent process, hollow nodes in the child, 2 cores).`
        : `Deployment of ${replicas} replicas: only ${seen.size} Running after 300 s.`);
    }
    out.push('');
    return out;
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  }
}

export async function runKubeletBench(args: string[]): Promise<void> {
  const repo = repoRoot();
  const f = parseKubeletBenchFlags(args, repo);
  const started = new Date();
  const body: string[] = [`Run ${started.toISOString().replace(/\.\d+Z$/, 'Z')}${args.length ? ` with \`${args.join(' ')}\`` : ''}; machine: ${machineDescription()}.`, ''];
  if (f.real) body.push(...(await realNodeLatency(f, repo)));
  if (f.hollow) body.push(...(await hollowNodes(f)));
  const text = body.join('\n');
  console.log(text);
  recordResult(f.results, sectionHeading('kubelet', started.toISOString().slice(0, 10)), text);
  console.log(`\nrecorded in ${f.results}`);
}
