/**
 * `tkube up --nodes N` (N > 1): a cluster of netns "machines" on this host. The control
 * plane runs in tkube-cp through `tkube init --foreground`, each node in tkube-node-<i>
 * through `tkube join … --foreground` — the very path a VM takes — over its own address
 * on the underlay bridge. The host gets no private address: kubectl reaches the API at
 * https://127.0.0.1:<port>, which this process forwards to the apiserver's unix socket
 * (TLS end to end); $TKUBE_HOME/kubeconfig is the admin's, with the cluster CA.
 * Ctrl-C: every join stops its node (pods removed through the CRI), then the control
 * plane stops, then the namespaces go. host-objects.ts lists what is created.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { KubeClient } from '../../api/client/kube-client.js';
import { CLUSTER_HOME_ENV } from '../cleanup/processes.js';
import { onShutdownSignal } from '../cmd-apiserver.js';
import { tkubeHome } from '../cmd-up.js';
import { writeKubeconfig } from '../kubeconfig.js';
import { componentLogger } from '../logger.js';
import { Supervisor } from '../supervisor.js';
import { forwardTcpToUnix, type Forwarder } from './api-forwarder.js';
import { formatToken, generateToken } from './bootstrap-token.js';
import { netnsExecCommand } from './cgroup-mounts.js';
import type { NetworkMode } from './component-plan.js';
import { thisTkube } from './tkube-executable.js';
import { CP_NETNS, UNDERLAY_GATEWAY, nodeName } from './host-objects.js';
import { pollUntil, step, waitForHealthy, waitForNodesReady } from './progress.js';
import { pkiPaths } from './security.js';
import { createUnderlay, removeUnderlay } from './underlay.js';

export interface MultiNodeUpFlags {
  home?: string;
  port: number;
  nodes: number;
  networkMode: NetworkMode;
  /** Go duration passed to the controller-manager (e.g. 10s). */
  nodeMonitorGracePeriod?: string;
  podNetworkCidr?: string;
  /** Start from an empty cluster (removes the control plane's etcd data). */
  reset?: boolean;
}

const API_PORT_IN_NETNS = 6443;
const KUBELET_PORT = 10250;

export async function runMultiNodeUp(flags: MultiNodeUpFlags): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('tkube up --nodes needs root (it creates network namespaces); run it with sudo');
  const home = tkubeHome(flags.home);
  const logs = join(home, 'logs');
  const kubeconfig = join(home, 'kubeconfig');
  const apiSocket = join(home, 'run', 'apiserver.sock');
  mkdirSync(logs, { recursive: true });
  mkdirSync(join(home, 'run'), { recursive: true });
  const exe = thisTkube();
  const token = formatToken(generateToken());
  const names = Array.from({ length: flags.nodes }, (_, i) => nodeName(i + 1));
  const internalServer = `https://${UNDERLAY_GATEWAY}:${API_PORT_IN_NETNS}`;
  const hostServer = `https://127.0.0.1:${flags.port}`;
  const pki = pkiPaths(join(home, 'cp', 'pki'));
  // The marker env reaches every process below (init, join and their components), so `tkube down` finds them.
  const supervisor = new Supervisor(logs, componentLogger('up'), { [CLUSTER_HOME_ENV]: home });
  let forwarder: Forwarder | undefined;
  const t0 = performance.now();

  const teardown = async () => {
    // Nodes first, all at once (each removes its pods), then the control plane.
    await Promise.all(names.map((_, i) => supervisor.stop(`node-${i + 1}`, 60_000)));
    await supervisor.stopAll(30_000);
    await forwarder?.close();
    await removeUnderlay();
  };

  console.log(`tkube: starting a ${flags.nodes}-node cluster in ${home}`);
  if (flags.reset) rmSync(join(home, 'cp', 'etcd'), { recursive: true, force: true });
  try {
    const underlay = await step(`creating the network namespaces (${CP_NETNS}, ${names.join(', ')})`, () => createUnderlay(flags.nodes));
    await step(`starting the control plane in ${CP_NETNS} (tkube init)`, async () => {
      supervisor.start({
        name: 'control-plane',
        ...netnsExecCommand(CP_NETNS, exe.node, [
          exe.tkubeJs, 'init', '--foreground',
          '--advertise-address', UNDERLAY_GATEWAY,
          '--port', String(API_PORT_IN_NETNS),
          '--home', join(home, 'cp'),
          '--token', token,
          '--unix-socket', apiSocket,
          ...(flags.podNetworkCidr ? ['--pod-network-cidr', flags.podNetworkCidr] : []),
          ...(flags.nodeMonitorGracePeriod ? ['--node-monitor-grace-period', flags.nodeMonitorGracePeriod] : []),
        ]),
      });
      forwarder = await forwardTcpToUnix('127.0.0.1', flags.port, apiSocket);
      // init writes the PKI first; the forwarded port serves the same TLS (127.0.0.1 is in the certificate).
      await pollUntil(async () => existsSync(pki.admin.key), 30_000, `tkube init wrote no certificates; see ${logs}/control-plane.log`, 100);
      const caCert = readFileSync(pki.ca.cert, 'utf8');
      await waitForHealthy(`${hostServer}/readyz`, 60_000, `the apiserver did not become ready; see ${logs}/control-plane.log and ${home}/cp/logs`, caCert);
      writeKubeconfig(kubeconfig, {
        server: hostServer,
        user: 'kubernetes-admin',
        caCert,
        clientCert: readFileSync(pki.admin.cert, 'utf8'),
        clientKey: readFileSync(pki.admin.key, 'utf8'),
      });
      // cluster-info is readable without credentials (what a joining node does first).
      await waitForHealthy(
        `${hostServer}/api/v1/namespaces/kube-public/configmaps/cluster-info`,
        30_000,
        `tkube init did not publish cluster-info; see ${logs}/control-plane.log`,
        caCert,
      );
    });
    await step(`starting ${flags.nodes} nodes (tkube join ${internalServer})`, async () => {
      for (const node of underlay.nodes) {
        supervisor.start({
          name: `node-${node.index}`,
          ...netnsExecCommand(node.netns, exe.node, [
            exe.tkubeJs, 'join', internalServer,
            '--token', token,
            '--foreground',
            '--home', join(home, 'nodes', `node-${node.index}`),
            '--node-name', nodeName(node.index),
            '--node-ip', node.address,
            '--kubelet-port', String(KUBELET_PORT),
            '--name-prefix', `${nodeName(node.index)}-`,
            '--network-mode', flags.networkMode,
            '--network-interface', node.interface,
          ]),
        });
      }
    });
    const client = KubeClient.fromKubeconfig(kubeconfig, undefined, { maxRetries: 0 });
    try {
      await step(`waiting for ${names.join(', ')} to be Ready`, () =>
        waitForNodesReady(client, names, 180_000, `not every node became Ready; see ${logs}/node-<i>.log and ${home}/nodes/node-<i>/logs`),
      );
    } finally {
      client.close();
    }
  } catch (err) {
    await teardown();
    throw err;
  }

  console.log(`
tkube is up: ${flags.nodes} nodes in ${Math.round(performance.now() - t0)} ms. Logs: ${logs}
  export KUBECONFIG=${kubeconfig}
  kubectl get nodes -o wide
Press Ctrl-C to stop the cluster.`);
  await onShutdownSignal();
  console.log('\ntkube: stopping');
  await teardown();
  console.log('tkube: stopped');
  process.exit(0);
}
