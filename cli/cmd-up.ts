/**
 * `tkube up`: a whole local cluster in the foreground, the way k3s does it: etcd and the
 * components as supervised child processes, state under $TKUBE_HOME, a kubeconfig for
 * kubectl, and a clean stop on Ctrl-C.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEtcd } from './etcd-process.js';
import { writeKubeconfig } from './kubeconfig.js';
import { componentLogger } from './logger.js';
import { onShutdownSignal } from './cmd-apiserver.js';
import { Supervisor } from './supervisor.js';
import { localNodePaths, prepareImages, removeAllPods, removeNodeLeftovers, startNodeComponents, waitForSocket } from './local-node.js';

export interface UpFlags {
  home?: string;
  port: number;
  kubeletPort: number;
  reset: boolean;
}

export function tkubeHome(flag?: string): string {
  return flag ?? process.env.TKUBE_HOME ?? join(homedir(), '.tkube');
}

const TKUBE_JS = fileURLToPath(new URL('./tkube.js', import.meta.url));

export async function runUp(flags: UpFlags): Promise<void> {
  const log = componentLogger('up');
  const home = tkubeHome(flags.home);
  const logs = join(home, 'logs');
  const kubeconfig = join(home, 'kubeconfig');
  mkdirSync(logs, { recursive: true });
  const step = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    process.stdout.write(`  ${what} ... `);
    try {
      const r = await fn();
      process.stdout.write(`done (${Math.round(performance.now() - t0)} ms)\n`);
      return r;
    } catch (err) {
      process.stdout.write('FAILED\n');
      throw err;
    }
  };

  console.log(`tkube: starting a local cluster in ${home}`);
  if (flags.reset && existsSync(join(home, 'etcd'))) {
    await step('removing the previous cluster state (--reset)', async () => rmSync(join(home, 'etcd'), { recursive: true, force: true }));
  }
  const etcd = await step('starting etcd', () =>
    startEtcd({ dataDir: join(home, 'etcd'), logFile: join(logs, 'etcd.log') }),
  );
  const supervisor = new Supervisor(logs, log);
  const isRoot = process.getuid?.() === 0;
  const node = localNodePaths(home);
  let nodeName: string | undefined;
  /** The kubelet first (so it restarts nothing), then every pod through the CRI, before the runtime stops. */
  const stopNode = async () => {
    if (!isRoot) return;
    await supervisor.stop('kubelet');
    const removed = await removeAllPods(node.socket, log).catch((err: Error) => {
      log.warn({ err: err.message }, 'could not remove pods through the runtime');
      return 0;
    });
    if (removed) console.log(`  removed ${removed} pod sandbox(es)`);
  };
  const apiserverUrl = `http://127.0.0.1:${flags.port}`;
  try {
    await step('starting apiserver', async () => {
      supervisor.start({
        name: 'apiserver',
        command: process.execPath,
        args: [TKUBE_JS, 'apiserver', '--etcd-servers', etcd.endpoint, '--port', String(flags.port)],
      });
      await waitForReady(apiserverUrl, 30_000, join(logs, 'apiserver.log'));
    });
    writeKubeconfig(kubeconfig, { server: apiserverUrl });
    await step('starting controller-manager', async () => {
      supervisor.start({
        name: 'controller-manager',
        command: process.execPath,
        args: [TKUBE_JS, 'controller-manager', '--kubeconfig', kubeconfig, '--metrics-port', '0'],
      });
    });
    await step('starting scheduler', async () => {
      supervisor.start({ name: 'scheduler', command: process.execPath, args: [TKUBE_JS, 'scheduler', '--kubeconfig', kubeconfig] });
    });
    if (isRoot) {
      await step('preparing images (pause, busybox)', () => prepareImages(node, log));
      nodeName = await step('starting runtime and kubelet', async () => {
        const name = startNodeComponents(supervisor, node, kubeconfig, flags.kubeletPort);
        await waitForSocket(node.socket, 30_000);
        return name;
      });
      await step(`waiting for node ${nodeName} to be Ready`, () => waitForNodeReady(apiserverUrl, nodeName!, 60_000, logs));
    } else {
      console.log('  (not root: no node is started; the runtime needs root for namespaces, mounts and iptables)');
    }
  } catch (err) {
    await stopNode();
    await supervisor.stopAll();
    await etcd.stop();
    throw err;
  }

  console.log(`
tkube is up. Logs: ${logs}
  export KUBECONFIG=${kubeconfig}
  kubectl get namespaces
Press Ctrl-C to stop the cluster.`);

  await onShutdownSignal();
  console.log('\ntkube: stopping');
  await stopNode();
  await supervisor.stopAll();
  if (isRoot) await removeNodeLeftovers('tkube0', log);
  await etcd.stop();
  console.log('tkube: stopped');
  process.exit(0);
}

async function waitForNodeReady(url: string, name: string, timeoutMs: number, logs: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${url}/api/v1/nodes/${encodeURIComponent(name)}`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) {
        const node = (await res.json()) as { status?: { conditions?: { type: string; status: string }[] } };
        if (node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return;
      }
    } catch {
      /* apiserver busy */
    }
    if (Date.now() > deadline) throw new Error(`node ${name} did not become Ready within ${timeoutMs / 1000} s; see ${logs}/kubelet.log and ${logs}/runtime.log`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function waitForReady(url: string, timeoutMs: number, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`the apiserver did not become ready at ${url} within ${timeoutMs / 1000} s; see ${logFile} (is the port in use?)`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
