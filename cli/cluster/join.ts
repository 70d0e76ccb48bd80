/**
 * `tkube join <server> --token <t>`: makes this machine a node of the cluster. Discovers
 * the cluster through kube-public/cluster-info and trusts it only if its signature
 * verifies with the token, trusts the CA it carries, writes the kubelet's bootstrap
 * kubeconfig (node-credentials.ts: the kubelet trades the token for its node certificate
 * through a CSR), imports tkube's images, and starts the runtime, the kubelet (HTTPS on
 * this machine's own address, where the apiserver reaches its API) and the network agent — as systemd units, or (--foreground) supervised
 * here until Ctrl-C, which stops the kubelet, removes the pods and stops the rest.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import { KubeClient } from '../../api/client/kube-client.js';
import { nodes } from '../../api/registry.js';
import { ANNOTATION_BACKEND_TYPE } from '../../cni-plugins/agent/node-view.js';
import { detectCgroupVersion, removeCgroup } from '../../runtime/cgroups/cgroups.js';
import { onShutdownSignal } from '../cmd-apiserver.js';
import { tkubeHome } from '../cmd-up.js';
import { localNodePaths, prepareImages, removeAllPods, waitForSocket } from '../local-node.js';
import { componentLogger } from '../logger.js';
import { Supervisor } from '../supervisor.js';
import { parseToken, type BootstrapToken } from './bootstrap-token.js';
import { fetchClusterInfo, verifyClusterInfo, type ClusterEndpoint } from './cluster-info.js';
import { nodePlan, nodeStatePaths, type NetworkMode, type TkubeExecutable } from './component-plan.js';
import { thisTkube } from './tkube-executable.js';
import { addressTowards } from './node-address.js';
import { kubeletSecurityOf, nodeCredentialPaths, nodeKubeconfigReady, writeNodeBootstrapCredentials } from './node-credentials.js';
import { pollUntil, step, waitForNodesReady } from './progress.js';
import { SYSTEMD_UNIT_DIR, installUnits, noSystemdMessage, renderUnit, systemdIsRunning, unitName } from './systemd-units.js';

const run = promisify(execFile);

export interface JoinFlags {
  server: string;
  token: string;
  nodeName?: string;
  nodeIp?: string;
  home?: string;
  foreground: boolean;
  networkMode: NetworkMode;
  networkInterface?: string;
  kubeletPort: number;
  /** The runtime's prefix for pod netns and its cgroup root (nodes sharing a kernel need different ones). */
  namePrefix: string;
  /** The CNI bridge the kubelet configures (removed on a foreground stop). */
  cniBridge?: string;
  /** Print the systemd units join would install, and change nothing. */
  dryRun?: boolean;
}

/** Fetches and verifies cluster-info, retrying while the server cannot answer (not when the signature is wrong). */
export async function discoverCluster(server: string, token: BootstrapToken, timeoutMs: number): Promise<ClusterEndpoint> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let cm;
    try {
      cm = await fetchClusterInfo(server);
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`cannot read cluster-info from ${server}: ${(err as Error).message}`);
      await sleep(500);
      continue;
    }
    return verifyClusterInfo(cm.data, token);
  }
}

/** Whether this build of tkube has the `network-agent` command. */
function networkAgentAvailable(exe: TkubeExecutable): boolean {
  return spawnSync(exe.node, [exe.tkubeJs, 'network-agent', '--help'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

export async function runJoin(flags: JoinFlags): Promise<void> {
  const token = parseToken(flags.token);
  let server: URL;
  try {
    server = new URL(flags.server);
  } catch {
    throw new Error(`"${flags.server}" is not a server URL (like https://192.168.56.10:6443)`);
  }
  if (flags.dryRun) {
    await printNodeUnits(flags, server);
    return;
  }
  if (!flags.foreground && !systemdIsRunning()) throw new Error(noSystemdMessage('join'));
  if (process.getuid?.() !== 0) throw new Error('tkube join must run as root (the runtime creates namespaces, mounts and iptables rules)');
  const log = componentLogger('join');
  const home = tkubeHome(flags.home);
  const logs = join(home, 'logs');
  mkdirSync(logs, { recursive: true });
  const nodeName = (flags.nodeName ?? hostname()).toLowerCase();
  const kubeconfig = nodeCredentialPaths(home).kubeconfig;
  console.log(`tkube join: joining ${server.origin} as node ${nodeName}, state in ${home}`);

  const endpoint = await step('discovering the cluster (cluster-info, signed with the token)', () => discoverCluster(server.origin, token, 120_000));
  const nodeIp = flags.nodeIp ?? (await addressTowards(endpoint.server));
  await step('writing the cluster CA and the bootstrap kubeconfig', async () => writeNodeBootstrapCredentials(home, endpoint, token));
  await step('preparing images (pause, busybox)', () => prepareImages(localNodePaths(home), log));

  const exe = thisTkube();
  const plan = nodePlan({
    ...exe,
    home,
    kubeconfig,
    kubeletSecurity: kubeletSecurityOf(home),
    nodeName,
    nodeIp,
    kubeletPort: flags.kubeletPort,
    namePrefix: flags.namePrefix,
    networkMode: flags.networkMode,
    networkInterface: flags.networkInterface,
    networkAgent: networkAgentAvailable(exe),
  });
  if (!plan.some((c) => c.name === 'network-agent')) console.log('  (this tkube has no network-agent: pods reach pods on this node only)');
  const paths = nodeStatePaths(home);
  mkdirSync(join(home, 'run'), { recursive: true });
  mkdirSync(paths.cniConfDir, { recursive: true });

  if (!flags.foreground) {
    await step('installing and starting systemd units', async () => {
      const units = await installUnits(plan);
      console.log(`\n    ${units.join(' ')}`);
    });
    console.log(`\nNode ${nodeName} (${nodeIp}) is joining; on the control plane: kubectl get nodes`);
    return;
  }

  const supervisor = new Supervisor(logs, log);
  const stopNode = () => stopForegroundNode(supervisor, paths.socket, flags, log);
  try {
    await step('starting runtime', async () => {
      supervisor.start(plan.find((c) => c.name === 'runtime')!);
      await waitForSocket(paths.socket, 30_000);
    });
    await step('starting kubelet (TLS bootstrap: the node certificate through a CSR)', async () => {
      supervisor.start(plan.find((c) => c.name === 'kubelet')!);
      await pollUntil(async () => nodeKubeconfigReady(home), 60_000, `the kubelet got no node certificate; see ${logs}/kubelet.log (is the controller-manager running?)`, 100);
    });
    const agent = plan.find((c) => c.name === 'network-agent');
    if (agent) await step('starting network agent', async () => supervisor.start(agent));
    const client = KubeClient.fromKubeconfig(kubeconfig, undefined, { maxRetries: 0 });
    try {
      await step(`waiting for node ${nodeName} to be Ready`, () =>
        waitForNodesReady(client, [nodeName], 90_000, `node ${nodeName} did not become Ready; see ${logs}/kubelet.log and ${logs}/runtime.log`),
      );
      // The agent publishes its backend on the Node once its device and routes are set up: only then do pods here reach other nodes.
      if (agent) {
        await step('waiting for the network agent', () =>
          pollUntil(
            async () => (await client.resource(nodes).get(nodeName)).metadata.annotations?.[ANNOTATION_BACKEND_TYPE] === flags.networkMode,
            60_000,
            `the network agent did not set up ${flags.networkMode}; see ${logs}/network-agent.log`,
            200,
          ),
        );
      }
    } finally {
      client.close();
    }
  } catch (err) {
    await stopNode();
    throw err;
  }
  console.log(`\nNode ${nodeName} (${nodeIp}) joined the cluster. Logs: ${logs}\nPress Ctrl-C to stop it.`);
  await onShutdownSignal();
  console.log(`\ntkube join: stopping node ${nodeName}`);
  await stopNode();
  console.log('tkube join: stopped');
  process.exit(0);
}

/** The units join would install (discovery and credentials are not run: the kubeconfig path is where they would write). */
async function printNodeUnits(flags: JoinFlags, server: URL): Promise<void> {
  const home = tkubeHome(flags.home);
  const exe = thisTkube();
  const plan = nodePlan({
    ...exe,
    home,
    kubeconfig: nodeCredentialPaths(home).kubeconfig,
    kubeletSecurity: kubeletSecurityOf(home),
    nodeName: (flags.nodeName ?? hostname()).toLowerCase(),
    nodeIp: flags.nodeIp ?? (await addressTowards(server.origin)),
    kubeletPort: flags.kubeletPort,
    namePrefix: flags.namePrefix,
    networkMode: flags.networkMode,
    networkInterface: flags.networkInterface,
    networkAgent: networkAgentAvailable(exe),
  });
  for (const c of plan) console.log(`# ${SYSTEMD_UNIT_DIR}/${unitName(c.name)}\n${renderUnit(c)}`);
}

/** The kubelet first (so it restarts nothing), then every pod through the CRI, then the rest, then what the node left on the host. */
async function stopForegroundNode(supervisor: Supervisor, socket: string, flags: JoinFlags, log: Logger): Promise<void> {
  await supervisor.stop('kubelet');
  const removed = await removeAllPods(socket, log).catch((err: Error) => {
    log.warn({ err: err.message }, 'could not remove pods through the runtime');
    return 0;
  });
  if (removed) console.log(`  removed ${removed} pod sandbox(es)`);
  await supervisor.stopAll();
  const cgroupRoot = flags.namePrefix.replace(/-+$/, '');
  if (cgroupRoot) await removeCgroup(`/${cgroupRoot}`, detectCgroupVersion()).catch((err: Error) => log.warn({ err: err.message }, 'could not remove the pod cgroups'));
  await run('ip', ['link', 'del', flags.cniBridge ?? 'tkube0']).catch(() => undefined); // absent: nothing to do
}
