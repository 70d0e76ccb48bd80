/**
 * tkube components as real child processes (`node dist/cli/tkube.js <component> ...`),
 * for tests and benchmarks that must see a real process crash: each process logs to a
 * file in the group's temp dir, can be killed with SIGKILL and started again with the
 * same flags, and reports its CPU time from /proc. A ProcessGroup owns its processes:
 * `stopAll()` kills every one of them and removes the temp dir, and they are killed too
 * if this process exits without calling it.
 *
 * dist/ must be built (`npx tsc -p tsconfig.build.json`; the test setup does it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { get as httpsGet } from 'node:https';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeClient } from '../../api/client/kube-client.js';
import { isApiError } from '../../api/meta/errors.js';
import { leases as leasesDef, nodes as nodesDef } from '../../api/registry.js';
import type { Lease } from '../../api/types/lease.js';
import type { Node } from '../../api/types/node.js';
import { writeKubeconfig } from '../../cli/kubeconfig.js';
import { freePort } from '../../cli/free-port.js';
import { kubeconfigWriter, type ClusterAccess } from './control-plane.js';
import { secureApiserverFlags, secureControllerManagerFlags, testPki, type Identity, type TestPki } from './test-pki.js';

/** dist/cli/tkube.js, whether this file runs from the sources (vitest) or from dist/ (benchmarks). */
export function tkubeEntry(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', '..', 'dist', 'cli', 'tkube.js'), join(here, '..', '..', 'cli', 'tkube.js')];
  const found = candidates.find((p) => p.includes(`${join('dist', 'cli')}`) && existsSync(p));
  if (!found) throw new Error(`dist/cli/tkube.js is missing: build first (npx tsc -p tsconfig.build.json); looked at ${candidates.join(', ')}`);
  return found;
}

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const CLOCK_TICKS_PER_SECOND = 100;

/** user + system CPU seconds of a live process, from /proc/<pid>/stat (fields 14 and 15). */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces and parentheses: count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so field n is fields[n - 3].
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  return (utime + stime) / CLOCK_TICKS_PER_SECOND;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ComponentSpec {
  /** Unique within the group; names the log file ("<name>.log"). */
  name: string;
  /** Arguments after `tkube`, e.g. ['controller-manager', '--kubeconfig', ...]. */
  args: string[];
  /** Resolves true once the process serves (polled every 100 ms). */
  ready: () => Promise<boolean>;
  /** How long start() waits for ready (default 30 s). */
  readyTimeoutMs?: number;
  /** $TKUBE_LOG_LEVEL of the child (default "info"; the log goes to a file). */
  logLevel?: string;
}

export class ComponentProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);
  /** Set at every start; the log file is appended to across restarts. */
  readonly logFile: string;

  constructor(
    readonly spec: ComponentSpec,
    dir: string,
  ) {
    this.logFile = join(dir, `${spec.name}.log`);
  }

  get pid(): number {
    if (!this.child?.pid) throw new Error(`${this.spec.name} is not running`);
    return this.child.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Exit code once exited (null while running or after a signal). */
  get exitCode(): number | null {
    return this.child?.exitCode ?? null;
  }

  /** Starts the process and waits until it is ready; fails (and kills it) if it exits or times out first. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.spec.name} is already running`);
    const out = openSync(this.logFile, 'a');
    const child = spawn(process.execPath, [tkubeEntry(), ...this.spec.args], {
      stdio: ['ignore', out, out],
      env: { ...process.env, TKUBE_LOG_LEVEL: this.spec.logLevel ?? 'info' },
    });
    closeSync(out);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + (this.spec.readyTimeoutMs ?? 30_000);
    for (;;) {
      if (!this.running) throw new Error(`${this.spec.name} exited during start-up (code ${child.exitCode}, signal ${child.signalCode}); log:\n${this.logTail()}`);
      if (await this.spec.ready().catch(() => false)) return;
      if (Date.now() > deadline) {
        await this.kill9();
        throw new Error(`${this.spec.name} was not ready within ${this.spec.readyTimeoutMs ?? 30_000} ms; log:\n${this.logTail()}`);
      }
      await sleep(100);
    }
  }

  /** SIGKILL, as a crash; resolves once the process is gone. */
  async kill9(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Resolves with the exit code when the process exits by itself. */
  waitExit(): Promise<number | null> {
    return this.exited;
  }

  cpuSeconds(): number {
    return processCpuSeconds(this.pid);
  }

  /** The last lines of the log, for error messages. */
  logTail(lines = 30): string {
    if (!existsSync(this.logFile)) return '(no log)';
    return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  }
}

export interface ApiserverProcess extends ClusterAccess {
  process: ComponentProcess;
  url: string;
  /** The admin's kubeconfig for this apiserver (kubectl, tests). */
  kubeconfig: string;
  /** The kubeconfig of another identity (controller-manager, scheduler, a node, a user). */
  kubeconfigFor(identity: Identity): Promise<string>;
}

export interface ControllerManagerProcess {
  process: ComponentProcess;
  metricsUrl: string;
  /** Whether this process says it holds the leader lease (its leader_election_master_status gauge). */
  isLeader(): Promise<boolean>;
}

async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  await res.arrayBuffer();
  return res.ok;
}

/** GET over HTTPS trusting `ca` (anonymous: /healthz is public). */
function httpsOk(url: string, ca: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpsGet(url, { ca, timeout: 2_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300));
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

/** Child processes of one test file or benchmark, with their logs in one temp dir. */
export class ProcessGroup {
  readonly dir: string;
  private readonly processes: ComponentProcess[] = [];
  private readonly onExit = () => {
    for (const p of this.processes) if (p.running) process.kill(p.pid, 'SIGKILL');
  };

  constructor(prefix = 'tkube-test-procs-') {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
    // Last resort if the caller never reaches stopAll(): no orphan keeps running.
    process.once('exit', this.onExit);
  }

  /** Starts a component and waits until it is ready. */
  async start(spec: ComponentSpec): Promise<ComponentProcess> {
    if (this.processes.some((p) => p.spec.name === spec.name)) throw new Error(`a process named ${spec.name} exists in this group`);
    const p = new ComponentProcess(spec, this.dir);
    this.processes.push(p);
    await p.start();
    return p;
  }

  /**
   * `tkube apiserver` on a free port, and an admin kubeconfig for it. Secured like
   * startControlPlane (HTTPS, Node,RBAC, service accounts, the test process's PKI) unless
   * `insecure`.
   */
  async startApiserver(etcdEndpoint: string, name = 'apiserver', opts: { insecure?: boolean } = {}): Promise<ApiserverProcess> {
    const port = await freePort();
    const pki: TestPki | undefined = opts.insecure ? undefined : await testPki();
    const url = `${pki ? 'https' : 'http'}://127.0.0.1:${port}`;
    const process = await this.start({
      name,
      args: ['apiserver', '--etcd-servers', etcdEndpoint, '--port', String(port), '--etcd-compaction-interval', '0', ...(pki ? secureApiserverFlags(pki.pki) : [])],
      ready: () => (pki ? httpsOk(`${url}/healthz`, pki.pki.ca.cert) : httpOk(`${url}/healthz`)),
      logLevel: 'warn',
    });
    const kubeconfig = join(this.dir, `${name}.kubeconfig`);
    if (pki) await pki.kubeconfigFor(kubeconfig, url, 'admin');
    else writeKubeconfig(kubeconfig, { server: url });
    return { process, url, kubeconfig, pki, kubeconfigFor: kubeconfigWriter(this.dir, url, pki, kubeconfig) };
  }

  /**
   * `tkube controller-manager` with its metrics endpoint on a free port (kept across
   * restarts). Ready once /healthz answers, which is before it has won the lease. On a
   * secured cluster it runs as system:kube-controller-manager (its own certificate, so its
   * RBAC role is what lets it work) with the root CA and the CSR signing CA.
   */
  async startControllerManager(cluster: ClusterAccess, opts: { name?: string; args?: string[] } = {}): Promise<ControllerManagerProcess> {
    const port = await freePort();
    const metricsUrl = `http://127.0.0.1:${port}`;
    const kubeconfig = await cluster.kubeconfigFor('controller-manager');
    const process = await this.start({
      name: opts.name ?? 'controller-manager',
      args: ['controller-manager', '--kubeconfig', kubeconfig, '--metrics-port', String(port), ...(cluster.pki ? secureControllerManagerFlags(cluster.pki.pki) : []), ...(opts.args ?? [])],
      ready: () => httpOk(`${metricsUrl}/healthz`),
    });
    return {
      process,
      metricsUrl,
      async isLeader() {
        if (!process.running) return false;
        const res = await fetch(`${metricsUrl}/metrics`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
        if (!res?.ok) return false;
        return /^leader_election_master_status\{[^}]*\} 1$/m.test(await res.text());
      },
    };
  }

  /** Kills every process of the group (SIGKILL) and removes the temp dir, logs included unless $TKUBE_KEEP_LOGS is set. */
  async stopAll(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.kill9().catch(() => undefined)));
    process.removeListener('exit', this.onExit);
    if (process.env.TKUBE_KEEP_LOGS) console.error(`tkube process logs kept in ${this.dir}`);
    else rmSync(this.dir, { recursive: true, force: true });
  }
}

/** meta/v1 MicroTime, as a Lease's renewTime. */
function microTime(d = new Date()): string {
  return d.toISOString().replace(/Z$/, '000Z');
}

/**
 * A Node object that stays healthy in the node-lifecycle controller's eyes, as a kubelet
 * keeps it: Ready=True and a Lease in kube-node-lease renewed every `renewMs`. Without it,
 * pods bound to a fake node would be removed as orphans (node missing) or evicted (node
 * silent). Returns a stop function (it does not delete the Node).
 */
export async function keepFakeNodeAlive(client: KubeClient, name: string, renewMs = 10_000): Promise<() => void> {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    spec: {},
  } as unknown as Node;
  try {
    await client.resource(nodesDef).create(node);
  } catch (err) {
    if (!isApiError(err, 'AlreadyExists')) throw err;
  }
  await client.resource(nodesDef).patchStatus(name, 'merge', {
    status: {
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'fake node', lastHeartbeatTime: now, lastTransitionTime: now }],
      capacity: { cpu: '64', memory: '256Gi', pods: '5000' },
      allocatable: { cpu: '64', memory: '256Gi', pods: '5000' },
    },
  });
  const leases = client.resource(leasesDef, 'kube-node-lease');
  const renew = async () => {
    try {
      const lease = await leases.get(name);
      await leases.update({ ...lease, spec: { ...lease.spec, renewTime: microTime() } });
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
      await leases.create({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace: 'kube-node-lease' },
        spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime() },
      } as unknown as Lease);
    }
  };
  await renew();
  const timer = setInterval(() => void renew().catch(() => undefined), renewMs);
  return () => clearInterval(timer);
}
