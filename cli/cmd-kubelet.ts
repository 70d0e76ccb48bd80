/** `tkube kubelet`: the node agent, until SIGINT/SIGTERM (containers keep running: they belong to the runtime). */
import os from 'node:os';
import { KubeClient } from '../api/client/kube-client.js';
import { startKubelet } from '../kubelet/kubelet.js';
import { parseLabels, parseTaints } from '../kubelet/node-info.js';
import { onShutdownSignal } from './cmd-apiserver.js';
import { componentLogger } from './logger.js';

export interface KubeletFlags {
  kubeconfig: string;
  nodeName?: string;
  containerRuntimeEndpoint: string;
  rootDir: string;
  podLogsDir: string;
  port: number;
  address: string;
  nodeIp?: string;
  podCidr?: string;
  cniConfDir?: string;
  cniBridge: string;
  nodeLabels?: string;
  registerWithTaints?: string;
  clusterDns?: string;
  clusterDomain: string;
  cgroupRoot?: string;
}

/** The first non-internal IPv4 address of the machine (the kubelet's default --node-ip). */
export function defaultNodeIP(): string {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export async function runKubeletCommand(flags: KubeletFlags): Promise<void> {
  const log = componentLogger('kubelet');
  const client = KubeClient.fromKubeconfig(flags.kubeconfig, undefined, { userAgent: 'tkube-kubelet' });
  const kubelet = await startKubelet({
    client,
    nodeName: (flags.nodeName ?? os.hostname()).toLowerCase(),
    runtimeEndpoint: flags.containerRuntimeEndpoint,
    rootDir: flags.rootDir,
    podLogsDir: flags.podLogsDir,
    port: flags.port,
    address: flags.address,
    nodeIP: flags.nodeIp ?? defaultNodeIP(),
    podCIDR: flags.podCidr,
    cniConfDir: flags.cniConfDir,
    cniBridge: flags.cniBridge,
    nodeLabels: parseLabels(flags.nodeLabels),
    taints: parseTaints(flags.registerWithTaints),
    clusterDNS: flags.clusterDns ? flags.clusterDns.split(',').filter(Boolean) : undefined,
    clusterDomain: flags.clusterDomain,
    cgroupRoot: flags.cgroupRoot,
    logger: log,
  });
  const sig = await onShutdownSignal();
  log.info({ signal: sig }, 'shutting down');
  await kubelet.stop();
  client.close();
  process.exit(0);
}
