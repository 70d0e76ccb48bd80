/**
 * `tkube up`: a whole local cluster in the foreground, the way k3s does it: etcd and the
 * components as supervised child processes, state under $TKUBE_HOME, a kubeconfig for
 * kubectl, and a clean stop on Ctrl-C.
 *
 * Independent steps run side by side (etcd → apiserver on one track, images → runtime on
 * the other); the kubelet starts once both tracks are done. Each step prints its time.
 *
 * Secure as `tkube init` sets a control plane up (cluster/security.ts): the cluster's
 * certificates under $TKUBE_HOME/pki (kept across runs), the API on HTTPS only with x509,
 * bootstrap-token and service-account authentication and Node,RBAC authorization, the
 * controller-manager and the scheduler with their own certificates, the kubelet as
 * system:node:<name> with an HTTPS API (local-node-credentials.ts), and
 * $TKUBE_HOME/kubeconfig for the admin (O=system:masters). A cluster kept from a run
 * before security simply gets its certificates and a new kubeconfig on the next `up`.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { createServer } from 'node:net';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killContainers } from './cleanup/containers.js';
import { readHomeState } from './cleanup/home-state.js';
import { CLUSTER_HOME_ENV, findHomeProcesses, findUpProcess, upPidFile } from './cleanup/processes.js';
import { sweepHome } from './cleanup/sweep.js';
import { KubeClient } from '../api/client/kube-client.js';
import { nodes } from '../api/registry.js';
import { apiserverSecurityArgs, controllerManagerSecurityArgs, ensureClusterPki, pkiPaths, writeComponentKubeconfigs } from './cluster/security.js';
import { defaultNodeIP } from './cmd-kubelet.js';
import { startEtcd, type EtcdProcess } from './etcd-process.js';
import { componentLogger } from './logger.js';
import { Supervisor } from './supervisor.js';
import { ensureLocalNodeCredentials } from './local-node-credentials.js';
import { localNodeName, localNodePaths, prepareImages, removeAllPods, startKubeletComponent, startRuntimeComponent, waitForSocket } from './local-node.js';

export interface UpFlags {
  home?: string;
  port: number;
  kubeletPort: number;
  reset: boolean;
}

/**
 * Static bearer tokens (kube-apiserver's --token-auth-file CSV: token,user,uid,"group1,group2"),
 * read by the apiserver when the file exists: the simplest way to add a user.
 */
export function tokenAuthFile(home: string): string {
  return join(home, 'tokens.csv');
}

export function tkubeHome(flag?: string): string {
  return flag ?? process.env.TKUBE_HOME ?? join(homedir(), '.tkube');
}

const TKUBE_JS = fileURLToPath(new URL('./tkube.js', import.meta.url));

/** Prints one line per finished step, with its duration (steps may overlap). */
function stepper(): <T>(what: string, fn: () => Promise<T>) => Promise<T> {
  return async (what, fn) => {
    const t0 = performance.now();
    try {
      const r = await fn();
      process.stdout.write(`  ${what} ... done (${Math.round(performance.now() - t0)} ms)\n`);
      return r;
    } catch (err) {
      process.stdout.write(`  ${what} ... FAILED\n`);
      throw err;
    }
  };
}

/** Resolves on the first SIGINT/SIGTERM; installed before anything starts, so Ctrl-C during start-up also cleans up. */
function shutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

export async function runUp(flags: UpFlags): Promise<void> {
  const startedAt = Date.now();
  const log = componentLogger('up');
  const home = tkubeHome(flags.home);
  const logs = join(home, 'logs');
  const pkiDir = join(home, 'pki');
  const isRoot = process.getuid?.() === 0;
  const step = stepper();
  const signal = shutdownSignal();
  let signalled = false;
  void signal.then(() => (signalled = true));

  const running = findUpProcess(home);
  if (running) throw new Error(`a tkube up (pid ${running.pid}) is already running on ${home}; stop it (Ctrl-C) or run \`tkube down\``);
  mkdirSync(logs, { recursive: true });

  console.log(`tkube: starting a local cluster in ${home}`);
  // A crashed run's processes hold the ports and its pods the names: remove them first.
  if (isRoot && (findHomeProcesses(home, []).length > 0 || readHomeState(home).runtimes.some((rt) => rt.sandboxes.length > 0))) {
    await step('removing what a previous run left behind', () => sweepHome(home, { upGraceMs: 0, onRemoved: (w) => console.log(`    removed ${w}`) }));
  }
  await assertPortFree(flags.port, '--port');
  if (isRoot) await assertPortFree(flags.kubeletPort, '--kubelet-port');
  mkdirSync(join(home, 'run'), { recursive: true });
  writeFileSync(upPidFile(home), `${process.pid}\n`);
  if (flags.reset && existsSync(join(home, 'etcd'))) {
    await step('removing the previous cluster state (--reset)', async () => rmSync(join(home, 'etcd'), { recursive: true, force: true }));
  }

  const marker = { [CLUSTER_HOME_ENV]: home };
  const supervisor = new Supervisor(logs, log, marker);
  const node = localNodePaths(home);
  const apiserverUrl = `https://127.0.0.1:${flags.port}`;
  const tokens = tokenAuthFile(home);
  // Pods reach the apiserver at the host's own address (a pod's 127.0.0.1 is its own
  // loopback): the kubelet's kubeconfig names it, and the kubelet hands it to containers
  // as KUBERNETES_SERVICE_HOST/PORT. So the apiserver listens on every address, like k3s.
  const podReachable = defaultNodeIP();
  let etcd: EtcdProcess | undefined;

  /** The kubelet first (so it restarts nothing), then every pod through the CRI, before the runtime stops. */
  const stopAll = async (): Promise<void> => {
    if (isRoot) {
      // A short grace: the pods it may be stopping are removed through the runtime right after.
      await step('stopping kubelet', () => supervisor.stop('kubelet', 3000));
      // SIGKILL first: a stop the kubelet began (with the pod's grace period) holds the
      // container in the runtime and would make the removal below wait for it.
      await killContainers(join(home, 'runtime', 'oci'));
      const removed = await step('removing pods through the runtime', () =>
        removeAllPods(node.socket, log).catch((err: Error) => {
          log.warn({ err: err.message }, 'could not remove pods through the runtime');
          return 0;
        }),
      );
      if (removed) console.log(`  removed ${removed} pod sandbox(es)`);
    }
    await step('stopping the components', () => supervisor.stopAll());
    await step('stopping etcd', async () => etcd?.stop());
    if (isRoot) {
      // What the node leaves once its pods are gone (the bridge, the empty cgroup root, the
      // volumes the stopped kubelet left mounted) and anything the runtime could not remove.
      await sweepHome(home, { upGraceMs: 0, onRemoved: (w) => console.log(`  removed ${w}`), onWarning: (w) => console.log(`  warning: ${w}`) });
    }
    rmSync(upPidFile(home), { force: true });
  };

  let nodeName: string | undefined;
  try {
    // Certificates first (they are kept: a warm start only reads and checks them), beside etcd.
    const certificates = step(`certificates in ${pkiDir}`, async () => {
      await ensureClusterPki(home, { ipAddresses: podReachable === '127.0.0.1' ? [] : [podReachable] });
      return writeComponentKubeconfigs(home, apiserverUrl, pkiDir);
    });
    const nodeCredentials = isRoot
      ? certificates.then(() =>
          ensureLocalNodeCredentials({
            home,
            nodeName: localNodeName(),
            server: `https://${podReachable}:${flags.port}`,
            ca: pkiPaths(pkiDir).ca,
            servingSans: { dnsNames: [hostname().toLowerCase(), 'localhost'], ipAddresses: ['127.0.0.1'] },
          }),
        )
      : undefined;
    const controlPlane = (async () => {
      const [kubeconfigs] = await Promise.all([
        certificates,
        (async () => {
          etcd = await step('starting etcd', () =>
            startEtcd({ dataDir: join(home, 'etcd'), logFile: join(logs, 'etcd.log'), env: marker, detached: true }),
          );
        })(),
      ]);
      await step('starting apiserver (HTTPS)', async () => {
        supervisor.start({
          name: 'apiserver',
          command: process.execPath,
          args: [
            TKUBE_JS, 'apiserver',
            '--etcd-servers', etcd!.endpoint,
            '--bind-address', '0.0.0.0',
            '--port', String(flags.port),
            ...apiserverSecurityArgs(pkiDir),
            ...(existsSync(tokens) ? ['--token-auth-file', tokens] : []),
          ],
        });
        const ca = readFileSync(pkiPaths(pkiDir).ca.cert, 'utf8');
        await waitForReady(apiserverUrl, ca, 30_000, join(logs, 'apiserver.log'), () => signalled);
      });
      await step('starting controller-manager and scheduler', async () => {
        supervisor.start({
          name: 'controller-manager',
          command: process.execPath,
          args: [TKUBE_JS, 'controller-manager', '--kubeconfig', kubeconfigs.controllerManager, '--metrics-port', '0', ...controllerManagerSecurityArgs(pkiDir)],
        });
        supervisor.start({ name: 'scheduler', command: process.execPath, args: [TKUBE_JS, 'scheduler', '--kubeconfig', kubeconfigs.scheduler] });
      });
      return kubeconfigs;
    })();
    const nodeRuntime = isRoot
      ? (async () => {
          await step('preparing images (pause, busybox)', () => prepareImages(node, log));
          await step('starting runtime', async () => {
            startRuntimeComponent(supervisor, node);
            await waitForSocket(node.socket, 30_000);
          });
        })()
      : Promise.resolve();
    const results = await Promise.allSettled([controlPlane, nodeRuntime, nodeCredentials]);
    for (const r of results) if (r.status === 'rejected') throw r.reason;
    const adminKubeconfig = (await controlPlane).admin;

    if (isRoot) {
      const credentials = (await nodeCredentials)!;
      nodeName = await step('starting kubelet', async () => startKubeletComponent(supervisor, node, credentials, flags.kubeletPort));
      await step(`waiting for node ${nodeName} to be Ready`, () => waitForNodeReady(adminKubeconfig, nodeName!, startedAt, 60_000, logs, () => signalled));
    } else {
      console.log('  (not root: no node is started; the runtime needs root for namespaces, mounts and iptables)');
    }
  } catch (err) {
    await stopAll();
    throw err;
  }

  if (!signalled) {
    console.log(`
tkube is up in ${((Date.now() - startedAt) / 1000).toFixed(1)} s at ${apiserverUrl}. Logs: ${logs}
  export KUBECONFIG=${join(home, 'kubeconfig')}    # the admin's (system:masters) credentials
  kubectl get nodes        # or: bin/tkctl get nodes
Press Ctrl-C to stop the cluster (\`tkube down\` cleans up after a crash).`);
  }

  await signal;
  console.log('\ntkube: stopping');
  await stopAll();
  console.log('tkube: stopped');
  process.exit(0);
}

/**
 * Fails before anything starts when a port is taken (another cluster's apiserver would
 * answer our readiness checks). Checked on every address: a listener on any one of them
 * keeps the apiserver from binding 0.0.0.0.
 */
async function assertPortFree(port: number, flag: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(err.code === 'EADDRINUSE' ? `port ${port} is in use: stop what listens there or pass ${flag} <another port>` : `cannot use port ${port}: ${err.message}`)),
    );
    srv.listen(port, '0.0.0.0', () => srv.close(() => resolve()));
  });
}

type Condition = { type: string; status: string; lastHeartbeatTime?: string };

/**
 * Ready as posted by this run's kubelet: a Node kept from a previous run still shows
 * its old Ready condition, so the heartbeat must be from after `up` started.
 */
async function waitForNodeReady(adminKubeconfig: string, name: string, since: number, timeoutMs: number, logs: string, interrupted: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const sinceSecond = Math.floor(since / 1000) * 1000; // heartbeats have one-second precision
  const client = KubeClient.fromKubeconfig(adminKubeconfig, undefined, { userAgent: 'tkube-up' });
  try {
    for (;;) {
      try {
        const node = (await client.resource(nodes).get(name, { signal: AbortSignal.timeout(2000) })) as { status?: { conditions?: Condition[] } };
        const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
        if (ready?.status === 'True' && Date.parse(ready.lastHeartbeatTime ?? '') >= sinceSecond) return;
      } catch {
        /* not registered yet, or apiserver busy */
      }
      if (interrupted()) throw new Error('interrupted (Ctrl-C) while waiting for the node');
      if (Date.now() > deadline) throw new Error(`node ${name} did not become Ready within ${timeoutMs / 1000} s; see ${logs}/kubelet.log and ${logs}/runtime.log`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    client.close();
  }
}

/** GET <url>/readyz over HTTPS (anonymous may ask), trusting only the cluster CA; true on 200. */
function readyz(url: string, ca: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpsGet(`${url}/readyz`, { ca, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

async function waitForReady(url: string, ca: string, timeoutMs: number, logFile: string, interrupted: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await readyz(url, ca)) return;
    if (interrupted()) throw new Error('interrupted (Ctrl-C) while waiting for the apiserver');
    if (Date.now() > deadline) throw new Error(`the apiserver did not become ready at ${url} within ${timeoutMs / 1000} s; see ${logFile} (is the port in use?)`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
