/** Nodes in the API and in-process network agents for the network-agent tests. */
import pino from 'pino';
import type { KubeClient } from '../../api/client/kube-client.js';
import { nodes } from '../../api/registry.js';
import type { Node } from '../../api/types/node.js';
import { NetworkAgent, type NetworkAgentOptions } from '../../cni-plugins/agent/agent.js';
import { run } from '../../cni-plugins/net/exec.js';
import type { TopoNode } from './topology.js';

export const CLUSTER_CIDR = '10.244.0.0/16';

/** Creates the Node with its pod CIDR (as nodeipam would) and InternalIP (as the kubelet would). */
export async function registerNode(client: KubeClient, n: TopoNode): Promise<void> {
  const api = client.resource(nodes);
  await api.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: n.name }, spec: { podCIDR: n.podCidr, podCIDRs: [n.podCidr] } } as Node);
  await api.patchStatus(n.name, 'merge', { status: { addresses: [{ type: 'InternalIP', address: n.ip }, { type: 'Hostname', address: n.name }] } });
}

export interface RunningAgent {
  agent: NetworkAgent;
  stop(): Promise<void>;
}

/** Runs a NetworkAgent for `n`, programming n's netns, until stop(). */
export function startAgent(client: KubeClient, n: TopoNode, opts: Partial<NetworkAgentOptions> & Pick<NetworkAgentOptions, 'mode'>): RunningAgent {
  const agent = new NetworkAgent({
    client,
    nodeName: n.name,
    clusterCidr: CLUSTER_CIDR,
    netns: n.netns,
    resyncMs: 2_000,
    logger: pino({ level: process.env.TKUBE_TEST_LOG ?? 'silent' }),
    ...opts,
  });
  const abort = new AbortController();
  const done = agent.run(abort.signal);
  return {
    agent,
    async stop() {
      abort.abort();
      await done;
    },
  };
}

/** `ip -n <ns> route show <dst>` trimmed ("" when there is none). */
export async function routeTo(netns: string, dst: string): Promise<string> {
  return (await run('ip', ['-n', netns, '-4', 'route', 'show', dst])).stdout.trim();
}

export async function iptablesSave(netns: string, table: string): Promise<string> {
  return (await run('ip', ['netns', 'exec', netns, 'iptables', '-w', '-t', table, '-S'])).stdout;
}
