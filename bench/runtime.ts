/**
 * `npm run bench -- runtime`: pod start latency through tkube's CRI runtime against the
 * floor by hand, in one run (root only; runc, conmon and the reference CNI plugins).
 *
 *   CRI:   RunPodSandbox + CreateContainer + StartContainer of busybox `sleep`, timed from
 *          the RunPodSandbox call to StartContainer returning; p50 and p99 of N sequential pods.
 *   floor: `ip netns add` + CNI ADD of the same conflist (reference bridge + host-local +
 *          loopback, plugins exec'd directly) + `runc run -d` of the pause and app bundles
 *          (same image layers as overlay rootfs, prepared untimed). See runtime/floor.ts.
 *
 * The two kinds of pod alternate, so that the load of this shared machine falls on both
 * alike. Targets: CRI p50 within 2× the floor's p50, CRI p99 under 500 ms.
 * Flags: --pods N (50), --warmup N (3), --results FILE (bench/RESULTS-runtime.md), --oci-runtime NAME.
 * Everything is created under a tkube-bench-<id> prefix and removed at the end, even on failure.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { detectCgroupVersion } from '../runtime/cgroups/cgroups.js';
import type { ContainerConfig, PodSandboxConfig } from '../runtime/cri/types.js';
import { ImageStore } from '../runtime/images/image-store.js';
import { resolveArgs } from '../runtime/container/process-args.js';
import { resolveBinary, startRuntime } from '../runtime/server.js';
import { run } from '../runtime/util/exec.js';
import { machineDescription, recordResult, sectionHeading } from './results-file.js';
import { median, percentile, round } from './stats.js';
import { BenchCriClient } from './runtime/cri-client.js';
import { FloorPod, type FloorConfig, type FloorTimes } from './runtime/floor.js';
import { cleanupBenchHost } from './runtime/host-cleanup.js';

const PAUSE_IMAGE = 'tkube/pause:3.10';
const BUSYBOX_IMAGE = 'tkube/busybox:1.36';
const CNI_BIN_DIR = '/usr/lib/cni';

interface Flags {
  pods: number;
  warmup: number;
  results: string;
  ociRuntime: string;
}

/** The repository root from here, in source (bench/) or compiled (dist/bench/). */
function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'deploy', 'images', 'build.sh'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('repository root (deploy/images/build.sh) not found');
    dir = up;
  }
  return dir;
}

export function parseRuntimeBenchFlags(args: string[], repo: string): Flags {
  const f: Flags = { pods: 50, warmup: 3, results: path.join(repo, 'bench', 'RESULTS-runtime.md'), ociRuntime: 'runc' };
  const num = (name: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} needs an integer >= ${min}, got ${JSON.stringify(v)}`);
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const v = args[i + 1];
    if (a === '--pods') f.pods = num(a, v, 1);
    else if (a === '--warmup') f.warmup = num(a, v, 0);
    else if (a === '--results' && v) f.results = path.resolve(v);
    else if (a === '--oci-runtime' && v) f.ociRuntime = v;
    else throw new Error(`unknown flag ${a} (known: --pods N, --warmup N, --results FILE, --oci-runtime NAME)`);
    i++;
  }
  return f;
}

interface CriTimes {
  runSandboxMs: number;
  createMs: number;
  startMs: number;
  totalMs: number;
}

function sandboxConfig(i: number, logDir: string): PodSandboxConfig {
  return {
    metadata: { name: `bench-${i}`, uid: `uid-bench-${i}`, namespace: 'default', attempt: 0 },
    hostname: `bench-${i}`,
    log_directory: path.join(logDir, `bench-${i}`),
    labels: { 'tkube-bench': 'runtime' },
  } as Partial<PodSandboxConfig> as PodSandboxConfig;
}

async function criPod(client: BenchCriClient, i: number, logDir: string): Promise<CriTimes> {
  const config = sandboxConfig(i, logDir);
  const container = {
    metadata: { name: 'sleep', attempt: 0 },
    image: { image: BUSYBOX_IMAGE, annotations: {} },
    command: ['sleep', '3600'],
    log_path: 'sleep/0.log',
  } as Partial<ContainerConfig> as ContainerConfig;
  const t0 = performance.now();
  const { pod_sandbox_id } = await client.call('RunPodSandbox', { config });
  const t1 = performance.now();
  const { container_id } = await client.call('CreateContainer', { pod_sandbox_id, config: container, sandbox_config: config });
  const t2 = performance.now();
  await client.call('StartContainer', { container_id });
  const t3 = performance.now();
  // Teardown, untimed.
  await client.call('StopPodSandbox', { pod_sandbox_id });
  await client.call('RemovePodSandbox', { pod_sandbox_id });
  return { runSandboxMs: t1 - t0, createMs: t2 - t1, startMs: t3 - t2, totalMs: t3 - t0 };
}

async function floorPod(cfg: FloorConfig, i: number): Promise<FloorTimes> {
  const pod = new FloorPod(cfg, i);
  try {
    await pod.prepare();
    return await pod.start();
  } finally {
    await pod.teardown();
  }
}

const ms = (n: number): string => `${round(n)} ms`;

/** Where the tail comes from: the three slowest CRI pods, step by step. */
function slowest(cri: CriTimes[]): string {
  return [...cri]
    .sort((a, b) => b.totalMs - a.totalMs)
    .slice(0, 3)
    .map((t) => `${round(t.totalMs)} = ${round(t.runSandboxMs)} + ${round(t.createMs)} + ${round(t.startMs)} ms`)
    .join('; ');
}

function report(flags: Flags, cri: CriTimes[], floor: FloorTimes[], load: [number, number]): { text: string; pass: boolean } {
  const col = <T>(rows: T[], k: keyof T): number[] => rows.map((r) => r[k] as number);
  const criP50 = median(col(cri, 'totalMs'));
  const criP99 = percentile(col(cri, 'totalMs'), 99);
  const floorP50 = median(col(floor, 'totalMs'));
  const floorP99 = percentile(col(floor, 'totalMs'), 99);
  const ratio = criP50 / floorP50;
  const ratioOk = ratio <= 2;
  const p99Ok = criP99 < 500;
  const lines = [
    `${flags.pods} sequential pods each way (after ${flags.warmup} warm-up pods each), CRI and floor pods alternating; OCI runtime ${flags.ociRuntime}; load average ${load[0].toFixed(1)} at start, ${load[1].toFixed(1)} at end.`,
    '',
    '| | p50 | p99 | target | |',
    '|---|---|---|---|---|',
    `| CRI: RunPodSandbox → StartContainer returned | ${ms(criP50)} | ${ms(criP99)} | p99 < 500 ms | ${p99Ok ? 'ok' : 'MISSED'} |`,
    `| floor: netns + CNI ADD + runc run -d ×2 | ${ms(floorP50)} | ${ms(floorP99)} | | |`,
    `| ratio CRI / floor (p50) | ${round(ratio)}× | | ≤ 2× | ${ratioOk ? 'ok' : 'MISSED'} |`,
    '',
    'Medians of the steps:',
    '',
    '| CRI step | p50 | | floor step | p50 |',
    '|---|---|---|---|---|',
    `| RunPodSandbox | ${ms(median(col(cri, 'runSandboxMs')))} | | ip netns add | ${ms(median(col(floor, 'netnsMs')))} |`,
    `| CreateContainer | ${ms(median(col(cri, 'createMs')))} | | CNI ADD (bridge, loopback) | ${ms(median(col(floor, 'cniMs')))} |`,
    `| StartContainer | ${ms(median(col(cri, 'startMs')))} | | runc run -d pause | ${ms(median(col(floor, 'runPauseMs')))} |`,
    `| | | | runc run -d busybox | ${ms(median(col(floor, 'runAppMs')))} |`,
    '',
    `p95: CRI ${ms(percentile(col(cri, 'totalMs'), 95))}, floor ${ms(percentile(col(floor, 'totalMs'), 95))}. Slowest CRI pods (RunPodSandbox + CreateContainer + StartContainer): ${slowest(cri)}.`,
  ];
  return { text: lines.join('\n'), pass: ratioOk && p99Ok };
}

export async function runRuntimeBench(args: string[]): Promise<void> {
  const repo = repoRoot();
  const flags = parseRuntimeBenchFlags(args, repo);
  if (process.getuid?.() !== 0) throw new Error('the runtime benchmark needs root (namespaces, mounts, runc)');
  const runc = resolveBinary(flags.ociRuntime);
  const conmon = resolveBinary('conmon');
  for (const p of ['bridge', 'host-local', 'loopback']) {
    if (!existsSync(path.join(CNI_BIN_DIR, p))) throw new Error(`reference CNI plugin ${p} missing from ${CNI_BIN_DIR}`);
  }

  const tag = randomBytes(3).toString('hex');
  const prefix = `tkube-bench-${tag}-`;
  const workDir = await fs.mkdtemp(`/tmp/${prefix}`);
  const stateDir = path.join(workDir, 'state');
  const floorRunc = path.join(workDir, 'floor-runc');
  const bridge = `tkb${tag}`;
  const subnet = `10.${200 + (parseInt(tag.slice(0, 2), 16) % 50)}.${parseInt(tag.slice(2, 4), 16)}.0/24`;
  const cgroupRoot = prefix.replace(/-+$/, '');
  const log = pino({ level: process.env.TKUBE_BENCH_LOG ?? 'warn' }, pino.destination(2));
  let stopRuntime: (() => Promise<void>) | undefined;
  let client: BenchCriClient | undefined;
  const cleanup = async (): Promise<void> => {
    client?.close();
    await stopRuntime?.().catch(() => undefined);
    await cleanupBenchHost({ workDir, stateDir, runc, runcRoots: [path.join(stateDir, 'oci'), floorRunc], netnsPrefix: prefix, bridge, cgroupRoot });
  };
  // Interrupted: clean up all the same, then exit.
  const onSignal = (sig: NodeJS.Signals): void => {
    process.stderr.write(`runtime bench: ${sig}, cleaning up\n`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    process.stderr.write(`runtime bench: work dir ${workDir}, bridge ${bridge}, subnet ${subnet}\n`);
    await run(path.join(repo, 'deploy', 'images', 'build.sh'), [path.join(workDir, 'archives')]);
    const images = new ImageStore({ root: path.join(workDir, 'images'), logger: log });
    await images.importArchive(path.join(workDir, 'archives', 'pause.tar'));
    await images.importArchive(path.join(workDir, 'archives', 'busybox.tar'));

    const conflist = {
      cniVersion: '1.0.0',
      name: `tkube-bench-${tag}`,
      plugins: [
        {
          type: 'bridge',
          bridge,
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: { type: 'host-local', ranges: [[{ subnet }]], dataDir: path.join(workDir, 'ipam') },
        },
        { type: 'loopback' },
      ],
    };
    const confDir = path.join(workDir, 'net.d');
    await fs.mkdir(confDir);
    await fs.writeFile(path.join(confDir, '10-bench.conflist'), JSON.stringify(conflist));

    const rt = await startRuntime({
      socket: path.join(workDir, 'cri.sock'),
      stateDir,
      cniConfDir: confDir,
      cniBinDirs: [CNI_BIN_DIR],
      ociRuntime: runc,
      conmonPath: conmon,
      pauseImage: PAUSE_IMAGE,
      streamingAddr: '127.0.0.1:0',
      imageStore: images,
      logger: log,
      namePrefix: prefix,
    });
    stopRuntime = () => rt.stop();
    client = new BenchCriClient(path.join(workDir, 'cri.sock'));

    const pause = (await images.status(PAUSE_IMAGE))!;
    const busybox = (await images.status(BUSYBOX_IMAGE))!;
    const floorCfg: FloorConfig = {
      conflist,
      cniBinDir: CNI_BIN_DIR,
      runc,
      runcRoot: floorRunc,
      workDir: path.join(workDir, 'floor'),
      netnsPrefix: prefix,
      cgroupRoot,
      cgroupVersion: detectCgroupVersion(),
      pauseLayers: await images.layerDirs(pause.id),
      pauseArgs: resolveArgs([], [], pause.config),
      appLayers: await images.layerDirs(busybox.id),
      appArgs: ['sleep', '3600'],
    };
    const logDir = path.join(workDir, 'logs');
    const loadStart = loadavg()[0]!;
    for (let i = 0; i < flags.warmup; i++) {
      await criPod(client, -1 - i, logDir);
      await floorPod(floorCfg, 1000 + i);
    }
    const cri: CriTimes[] = [];
    const floor: FloorTimes[] = [];
    for (let i = 0; i < flags.pods; i++) {
      cri.push(await criPod(client, i, logDir));
      floor.push(await floorPod(floorCfg, i));
    }
    const { text, pass } = report(flags, cri, floor, [loadStart, loadavg()[0]!]);
    const started = new Date();
    console.log(`\n${text}\n\n${pass ? 'targets met' : 'targets MISSED'}`);
    const header = `Run ${started.toISOString().replace(/\.\d+Z$/, 'Z')}; machine: ${machineDescription()} (shared with other jobs).`;
    recordResult(flags.results, sectionHeading('runtime', started.toISOString().slice(0, 10)), `${header}\n\n${text}`);
    console.log(`recorded in ${flags.results}`);
    // Recorded either way; a miss fails the command (through bench/run.ts too).
    if (!pass) throw new Error('runtime benchmark: targets missed (see the table above)');
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup();
  }
}

// `node dist/bench/runtime.js [flags]` runs it directly too.
if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  runRuntimeBench(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`runtime bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
