/**
 * Removes everything the network agent creates in a network namespace: its routes
 * (marked proto 77), its VXLAN devices (which takes their neighbour and FDB entries
 * along) and its iptables chains with their jumps. For `tkube down` and for
 * `--cleanup-on-exit`. ip_forward is left on: other things on the node may rely on it.
 */
import { NetnsHost } from './host.js';
import { removeIptablesRules } from './iptables-rules.js';
import { removeAgentRoutes } from './routes.js';
import { deleteVxlanDevice, listAgentVxlanDevices } from './vxlan-device.js';

export interface CleanupOptions {
  /** iproute2 named netns; undefined = this process's own. */
  netns?: string;
}

export async function cleanupNetworkAgent(opts: CleanupOptions = {}): Promise<void> {
  const host = new NetnsHost(opts.netns);
  await removeAgentRoutes(host);
  for (const dev of await listAgentVxlanDevices(host)) await deleteVxlanDevice(host, dev);
  await removeIptablesRules(host);
}
