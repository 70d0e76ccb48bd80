/**
 * tkube-bridge's network configuration (stdin), validated with zod, and the derived
 * values the commands need (address range, gateway, routes, store directory).
 *
 * Fields follow the reference bridge plugin (bridge, isGateway, isDefaultGateway,
 * ipMasq, mtu, hairpinMode) with a built-in host-local-like IPAM: the range comes from
 * `ipam.subnet` (or host-local's `ipam.ranges` with a single range) or, failing that,
 * the top-level `podCIDR` (the node's pod CIDR).
 */
import { z } from 'zod';
import { join } from 'node:path';
import { broadcastOf, formatIpv4, parseCidr, parseIpv4, subnetContains, type Ipv4Subnet } from '../net/cidr.js';
import { CniError, CniErrorCode } from '../spec/errors.js';
import { CniResultSchema, DnsSchema, type CniDns, type CniResult } from '../spec/result.js';
import type { IpRange } from '../ipam/allocator.js';

const IFNAME_RE = /^[^/:\s]{1,15}$/;

const RouteConfigSchema = z.object({ dst: z.string(), gw: z.string().optional() });

const RangeConfigSchema = z.object({
  subnet: z.string().optional(),
  rangeStart: z.string().optional(),
  rangeEnd: z.string().optional(),
  gateway: z.string().optional(),
});

const IpamConfigSchema = RangeConfigSchema.extend({
  /** Only the built-in allocator exists; the reference names are accepted for it. */
  type: z.enum(['tkube', 'host-local']).optional(),
  /** host-local's form; one range only (one IPv4 pod CIDR per node). */
  ranges: z
    .array(z.array(RangeConfigSchema).length(1, 'exactly one range per range set'))
    .length(1, 'exactly one range set (IPv4 only)')
    .optional(),
  routes: z.array(RouteConfigSchema).optional(),
  dataDir: z.string().optional(),
});

export const BridgeConfigSchema = z.object({
  cniVersion: z.string(),
  name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'network name must be alphanumeric with _ . -'),
  type: z.string(),
  bridge: z.string().regex(IFNAME_RE, 'bridge must be a valid interface name').default('tkube0'),
  isGateway: z.boolean().default(false),
  isDefaultGateway: z.boolean().default(false),
  ipMasq: z.boolean().default(false),
  mtu: z.number().int().min(68).max(65535).optional(),
  hairpinMode: z.boolean().default(false),
  podCIDR: z.string().optional(),
  ipam: IpamConfigSchema.default({}),
  dns: DnsSchema.optional(),
  prevResult: CniResultSchema.optional(),
});

export type BridgeConfig = z.infer<typeof BridgeConfigSchema>;

export interface RouteSpec {
  dst: string;
  gw: string;
}

/** The configuration after validation plus everything computed from it. */
export interface BridgeNet {
  conf: BridgeConfig;
  range: IpRange;
  /** The gateway is on the bridge (isGateway, implied by isDefaultGateway). */
  isGateway: boolean;
  routes: RouteSpec[];
  storeDir: string;
  dns: CniDns | undefined;
  prevResult: CniResult | undefined;
}

export const DEFAULT_DATA_DIR = '/var/lib/cni/networks';

function invalid(msg: string, details?: string): CniError {
  return new CniError(CniErrorCode.InvalidNetworkConfig, msg, details);
}

function addressIn(subnet: Ipv4Subnet, text: string | undefined, field: string, fallback: number): number {
  if (text === undefined) return fallback;
  const ip = parseIpv4(text);
  if (ip === undefined) throw invalid(`ipam.${field} "${text}" is not an IPv4 address`);
  if (!subnetContains(subnet, ip)) throw invalid(`ipam.${field} ${text} is outside the subnet`);
  return ip;
}

export function parseBridgeConfig(raw: Record<string, unknown>): BridgeNet {
  const parsed = BridgeConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw invalid('invalid tkube-bridge network configuration', details);
  }
  const conf = parsed.data;
  const r = conf.ipam.ranges?.[0]?.[0] ?? conf.ipam;
  if (conf.ipam.ranges !== undefined && conf.ipam.subnet !== undefined) {
    throw invalid('set either ipam.subnet or ipam.ranges, not both');
  }
  const subnetText = r.subnet ?? conf.podCIDR;
  if (subnetText === undefined) throw invalid('no subnet: set ipam.subnet or podCIDR');
  const cidr = parseCidr(subnetText);
  if (cidr === undefined) throw invalid(`subnet "${subnetText}" is not an IPv4 CIDR (IPv6 is not supported)`);
  const subnet = cidr.subnet;
  if (subnet.prefix > 30) throw invalid(`subnet ${subnetText} is too small (prefix must be /30 or shorter)`);
  const broadcast = broadcastOf(subnet);
  const first = subnet.network + 1;
  const last = broadcast - 1;
  const gateway = addressIn(subnet, r.gateway, 'gateway', first);
  const start = addressIn(subnet, r.rangeStart, 'rangeStart', first);
  const end = addressIn(subnet, r.rangeEnd, 'rangeEnd', last);
  if (start < first || end > last || start > end) {
    throw invalid('ipam range must lie between the network and broadcast addresses, start <= end');
  }
  const gw = formatIpv4(gateway);
  const routes: RouteSpec[] = [];
  for (const r of conf.ipam.routes ?? [{ dst: '0.0.0.0/0' }]) {
    const dst = parseCidr(r.dst);
    if (dst === undefined) throw invalid(`route dst "${r.dst}" is not an IPv4 CIDR`);
    if (r.gw !== undefined && parseIpv4(r.gw) === undefined) throw invalid(`route gw "${r.gw}" is not IPv4`);
    routes.push({ dst: `${formatIpv4(dst.subnet.network)}/${dst.subnet.prefix}`, gw: r.gw ?? gw });
  }
  if (conf.isDefaultGateway && !routes.some((r) => r.dst === '0.0.0.0/0')) {
    routes.push({ dst: '0.0.0.0/0', gw });
  }
  return {
    conf,
    range: { subnet, start, end, gateway },
    isGateway: conf.isGateway || conf.isDefaultGateway,
    routes,
    storeDir: join(conf.ipam.dataDir ?? DEFAULT_DATA_DIR, conf.name),
    dns: conf.dns,
    prevResult: conf.prevResult,
  };
}
