/**
 * What the network agent needs to know about a Node: its pod CIDR, the address other
 * nodes reach it at (the InternalIP), and what its own agent published in annotations.
 */
import type { Node } from '../../api/types/node.js';
import { formatIpv4, formatSubnet, parseCidr, parseIpv4, type Ipv4Subnet } from '../net/cidr.js';

/** Annotations the agent writes on its own Node (flannel's backend-data, split in keys). */
export const ANNOTATION_VTEP_MAC = 'tkube.io/vtep-mac';
export const ANNOTATION_BACKEND_TYPE = 'tkube.io/backend-type';
export const ANNOTATION_PUBLIC_IP = 'tkube.io/public-ip';

export type BackendMode = 'host-gw' | 'vxlan';

export interface NodeNetInfo {
  name: string;
  /** Normalised ("10.244.1.0/24") pod subnet. */
  podCidr: string;
  podSubnet: Ipv4Subnet;
  internalIp: string;
  /** The VTEP MAC the node's agent published, if it runs VXLAN. */
  vtepMac?: string;
  backendType?: string;
}

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** The Node's network facts, or undefined while it lacks a valid podCIDR or InternalIP. */
export function nodeNetInfo(node: Node): NodeNetInfo | undefined {
  const name = node.metadata.name;
  const parsed = node.spec.podCIDR ? parseCidr(node.spec.podCIDR) : undefined;
  const internalIp = node.status?.addresses?.find((a) => a.type === 'InternalIP' && parseIpv4(a.address) !== undefined)?.address;
  if (!name || !parsed || internalIp === undefined) return undefined;
  const annotations = node.metadata.annotations ?? {};
  const mac = annotations[ANNOTATION_VTEP_MAC]?.toLowerCase();
  return {
    name,
    podCidr: formatSubnet(parsed.subnet),
    podSubnet: parsed.subnet,
    internalIp,
    ...(mac !== undefined && MAC_RE.test(mac) ? { vtepMac: mac } : {}),
    ...(annotations[ANNOTATION_BACKEND_TYPE] ? { backendType: annotations[ANNOTATION_BACKEND_TYPE] } : {}),
  };
}

/** The VTEP address of a node: the network address (.0) of its pod CIDR, as flannel. */
export function vtepAddress(info: Pick<NodeNetInfo, 'podSubnet'>): string {
  return formatIpv4(info.podSubnet.network);
}

/**
 * A stable, locally administered MAC for our VXLAN device, derived from the VTEP
 * address: a device re-created after a reboot keeps the MAC its peers already have.
 * (0e: differs from the CNI bridge's and pods' 0a:58: MACs.)
 */
export function vtepMacFor(vtepIp: string): string {
  const ip = parseIpv4(vtepIp);
  if (ip === undefined) throw new Error(`not an IPv4 address: ${vtepIp}`);
  const bytes = [0x0e, 0x6b, (ip >>> 24) & 255, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** The annotations a node's agent publishes; compare before patching to avoid churn. */
export function desiredAnnotations(mode: BackendMode, publicIp: string, vtepMac: string | undefined): Record<string, string | null> {
  return {
    [ANNOTATION_BACKEND_TYPE]: mode,
    [ANNOTATION_PUBLIC_IP]: publicIp,
    [ANNOTATION_VTEP_MAC]: mode === 'vxlan' && vtepMac !== undefined ? vtepMac : null,
  };
}

/** The subset of `wanted` that differs from the Node's annotations (null = remove). */
export function annotationPatch(node: Node, wanted: Record<string, string | null>): Record<string, string | null> | undefined {
  const have = node.metadata.annotations ?? {};
  const patch: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(wanted)) {
    if (v === null ? k in have : have[k] !== v) patch[k] = v;
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}
