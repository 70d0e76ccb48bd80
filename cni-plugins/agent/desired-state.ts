/**
 * From the own node and its peers, the kernel state the agent wants: pure functions,
 * so the programming code only diffs and applies.
 *
 * host-gw: `<peer podCIDR> via <peer InternalIP>` — every node must be on one L2 segment.
 * vxlan:   `<peer podCIDR> via <peer .0> dev tkube.<vni> onlink`, a permanent neighbour
 *          entry `<peer .0> → <peer VTEP MAC>` and an FDB entry
 *          `<peer VTEP MAC> → dst <peer InternalIP>`, so the kernel never floods or asks.
 */
import { vtepAddress, type BackendMode, type NodeNetInfo } from './node-view.js';

export interface DesiredRoute {
  dst: string;
  gateway: string;
  /** Only set in vxlan mode (the VXLAN device); host-gw lets the kernel pick the device. */
  dev?: string;
  onlink: boolean;
}

export interface DesiredNeighbour {
  ip: string;
  mac: string;
}

export interface DesiredFdbEntry {
  mac: string;
  dst: string;
}

export interface DesiredState {
  routes: DesiredRoute[];
  neighbours: DesiredNeighbour[];
  fdb: DesiredFdbEntry[];
}

export function vxlanDeviceName(vni: number): string {
  return `tkube.${vni}`;
}

/**
 * Peers are the other nodes with a pod CIDR and an InternalIP (vxlan: and a published
 * VTEP MAC). A peer whose pod CIDR overlaps ours is skipped: a route to it would
 * shadow our own pods.
 */
export function desiredState(mode: BackendMode, self: NodeNetInfo, nodes: readonly NodeNetInfo[], vni: number, hostGwDev?: string): DesiredState {
  const state: DesiredState = { routes: [], neighbours: [], fdb: [] };
  const dev = vxlanDeviceName(vni);
  const seen = new Set<string>([self.podCidr]);
  const peers = nodes.filter((n) => n.name !== self.name).sort((a, b) => a.name.localeCompare(b.name));
  for (const peer of peers) {
    if (seen.has(peer.podCidr) || overlaps(peer, self)) continue;
    if (mode === 'host-gw') {
      seen.add(peer.podCidr);
      state.routes.push({ dst: peer.podCidr, gateway: peer.internalIp, ...(hostGwDev ? { dev: hostGwDev } : {}), onlink: false });
      continue;
    }
    if (peer.vtepMac === undefined) continue; // its agent has not published a VTEP yet
    seen.add(peer.podCidr);
    const vtep = vtepAddress(peer);
    state.routes.push({ dst: peer.podCidr, gateway: vtep, dev, onlink: true });
    state.neighbours.push({ ip: vtep, mac: peer.vtepMac });
    state.fdb.push({ mac: peer.vtepMac, dst: peer.internalIp });
  }
  return state;
}

function overlaps(a: NodeNetInfo, b: NodeNetInfo): boolean {
  const prefix = Math.min(a.podSubnet.prefix, b.podSubnet.prefix);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return ((a.podSubnet.network & mask) >>> 0) === ((b.podSubnet.network & mask) >>> 0);
}
