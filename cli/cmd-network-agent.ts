/**
 * `tkube network-agent`: routes this node's network namespace to every other node's pod
 * CIDR (host-gw routes or a VXLAN overlay), until SIGINT/SIGTERM. Runs as root on every
 * node, in the node's network namespace. On exit it leaves routes and device in place
 * (a restart must not cut pod traffic) unless --cleanup-on-exit is given.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { reloadClientCertificate } from '../api/client/client-certificate-reload.js';
import { KubeClient } from '../api/client/kube-client.js';
import { NetworkAgent, DEFAULT_VNI, DEFAULT_VXLAN_PORT } from '../cni-plugins/agent/agent.js';
import type { BackendMode } from '../cni-plugins/agent/node-view.js';
import { formatSubnet, parseCidr } from '../cni-plugins/net/cidr.js';
import { defaultNodeIpamOptions } from '../controllers/nodeipam/node-ipam-controller.js';
import { onShutdownSignal } from './cmd-apiserver.js';
import { componentLogger } from './logger.js';

export interface NetworkAgentFlags {
  kubeconfig: string;
  nodeName: string;
  mode: BackendMode;
  interface?: string;
  vxlanId: number;
  vxlanPort: number;
  clusterCidr: string;
  cleanupOnExit: boolean;
}

function integerIn(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) throw new InvalidArgumentError(`"${value}" is not a whole number in ${min}-${max}`);
    return n;
  };
}

function cidr(value: string): string {
  const c = parseCidr(value);
  if (!c) throw new InvalidArgumentError(`"${value}" is not an IPv4 CIDR`);
  return formatSubnet(c.subnet);
}

export function networkAgentCommand(): Command {
  return new Command('network-agent')
    .description("route pods between nodes: host-gw routes or a VXLAN overlay to every node's pod CIDR (run on every node, as root)")
    .requiredOption('--kubeconfig <path>', 'kubeconfig of the cluster')
    .requiredOption('--node-name <name>', 'name of this Node')
    .addOption(new Option('--mode <mode>', 'backend').choices(['host-gw', 'vxlan']).default('vxlan'))
    .option('--interface <dev>', 'underlay device (default: the one holding the InternalIP)')
    .option('--vxlan-id <vni>', 'VXLAN network identifier; the device is tkube.<vni>', integerIn(1, 16_777_215), DEFAULT_VNI)
    .option('--vxlan-port <port>', 'UDP port of the VXLAN tunnel', integerIn(1, 65_535), DEFAULT_VXLAN_PORT)
    .option('--cluster-cidr <cidr>', 'pod network of the whole cluster (not masqueraded within)', cidr, defaultNodeIpamOptions.clusterCidr)
    .option('--cleanup-on-exit', 'remove the routes, VXLAN device and iptables chains on SIGTERM', false)
    .action(async (flags: NetworkAgentFlags) => {
      await runNetworkAgentCommand(flags);
    });
}

export async function runNetworkAgentCommand(flags: NetworkAgentFlags): Promise<void> {
  const log = componentLogger('network-agent');
  const client = KubeClient.fromKubeconfig(flags.kubeconfig, undefined, { userAgent: 'tkube-network-agent' });
  // The agent shares the kubelet's kubeconfig, whose certificate files the kubelet rotates.
  const certificates = reloadClientCertificate(client, flags.kubeconfig, { logger: log });
  const agent = new NetworkAgent({
    client,
    nodeName: flags.nodeName,
    mode: flags.mode,
    clusterCidr: flags.clusterCidr,
    vni: flags.vxlanId,
    vxlanPort: flags.vxlanPort,
    ...(flags.interface ? { interface: flags.interface } : {}),
    cleanupOnExit: flags.cleanupOnExit,
    logger: log,
  });
  const abort = new AbortController();
  void onShutdownSignal().then((sig) => {
    log.info({ signal: sig }, 'shutting down');
    abort.abort();
  });
  await agent.run(abort.signal);
  certificates.stop();
  client.close();
  process.exit(0);
}
