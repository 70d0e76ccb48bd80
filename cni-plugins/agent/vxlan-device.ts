/**
 * The VXLAN device `tkube.<vni>`: created with the node's InternalIP as the local
 * tunnel end, the UDP port, no source-address learning (the agent writes every FDB and
 * neighbour entry), a fixed MAC derived from the VTEP address, an MTU 50 bytes under the
 * underlay's (VXLAN's outer headers), and the pod CIDR's .0/32 as its only address.
 * An existing device with the right parameters is adopted as it is, so a restarted
 * agent does not disturb traffic; one with other parameters is re-created.
 */
import type { NetnsHost } from './host.js';
import { isAlreadyGone } from './host.js';

/** Outer IPv4 (20) + UDP (8) + VXLAN (8) + inner Ethernet (14) headers. */
export const VXLAN_OVERHEAD = 50;

export interface VxlanDeviceSpec {
  name: string;
  vni: number;
  port: number;
  localIp: string;
  /** The underlay device the tunnel is bound to; undefined = any. */
  underlay?: string;
  /** MAC for a newly created device. */
  mac: string;
  mtu: number;
  /** "<pod CIDR .0>/32" */
  address: string;
}

interface LinkJson {
  ifname: string;
  address?: string;
  mtu?: number;
  flags?: string[];
  linkinfo?: { info_kind?: string; info_data?: { id?: number; local?: string; port?: number; learning?: boolean; link?: string } };
}

interface AddrJson {
  addr_info?: { family?: string; local?: string; prefixlen?: number }[];
}

async function showLink(host: NetnsHost, name: string): Promise<LinkJson | undefined> {
  try {
    return (await host.ipJson<LinkJson>(['-d', 'link', 'show', 'dev', name]))[0];
  } catch (err) {
    if (isAlreadyGone(err)) return undefined;
    throw err;
  }
}

/** Whether an existing link is a VXLAN device this spec can adopt unchanged. */
export function adoptable(link: LinkJson, spec: VxlanDeviceSpec): boolean {
  const d = link.linkinfo?.info_data;
  return (
    link.linkinfo?.info_kind === 'vxlan' &&
    d?.id === spec.vni &&
    d.local === spec.localIp &&
    d.port === spec.port &&
    d.learning === false &&
    (spec.underlay === undefined || d.link === spec.underlay)
  );
}

/** Ensures the device exists as specified and is up; returns its MAC (the one to publish). */
export async function ensureVxlanDevice(host: NetnsHost, spec: VxlanDeviceSpec): Promise<{ mac: string; created: boolean }> {
  let link = await showLink(host, spec.name);
  let created = false;
  if (link && !adoptable(link, spec)) {
    await host.ip(['link', 'del', spec.name]);
    link = undefined;
  }
  if (!link) {
    await host.ip([
      'link', 'add', spec.name, 'address', spec.mac, 'mtu', String(spec.mtu),
      'type', 'vxlan', 'id', String(spec.vni), 'local', spec.localIp, 'dstport', String(spec.port), 'nolearning',
      ...(spec.underlay ? ['dev', spec.underlay] : []),
    ]);
    created = true;
    link = await showLink(host, spec.name);
    if (!link) throw new Error(`${spec.name} vanished right after it was created`);
  }
  if (link.mtu !== spec.mtu) await host.ip(['link', 'set', 'dev', spec.name, 'mtu', String(spec.mtu)]);
  await ensureOnlyAddress(host, spec.name, spec.address);
  if (!(link.flags ?? []).includes('UP')) await host.ip(['link', 'set', 'dev', spec.name, 'up']);
  if (!link.address) throw new Error(`${spec.name} has no MAC address`);
  return { mac: link.address, created };
}

async function ensureOnlyAddress(host: NetnsHost, dev: string, address: string): Promise<void> {
  const rows = await host.ipJson<AddrJson>(['-4', 'addr', 'show', 'dev', dev]);
  const have = (rows[0]?.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`);
  for (const a of have) if (a !== address) await host.ip(['addr', 'del', a, 'dev', dev]);
  if (!have.includes(address)) await host.ip(['addr', 'add', address, 'dev', dev]);
}

export async function deleteVxlanDevice(host: NetnsHost, name: string): Promise<void> {
  await host.ip(['link', 'del', name]).catch((err: unknown) => {
    if (!isAlreadyGone(err)) throw err;
  });
}

/** Names of every tkube VXLAN device (`tkube.<n>`, kind vxlan) in the namespace. */
export async function listAgentVxlanDevices(host: NetnsHost): Promise<string[]> {
  const links = await host.ipJson<LinkJson>(['-d', 'link', 'show', 'type', 'vxlan']);
  return links.map((l) => l.ifname).filter((n) => /^tkube\.\d+$/.test(n));
}

/** MTU of the underlay: the given device's, or that of the device holding `localIp`. */
export async function underlayMtu(host: NetnsHost, localIp: string, underlay?: string): Promise<{ dev: string; mtu: number }> {
  const rows = await host.ipJson<LinkJson & AddrJson>(['-4', 'addr', 'show', ...(underlay ? ['dev', underlay] : [])]);
  const row = underlay ? rows[0] : rows.find((r) => (r.addr_info ?? []).some((a) => a.local === localIp));
  if (!row || row.mtu === undefined) {
    throw new Error(underlay ? `underlay interface ${underlay} not found` : `no interface holds the node's InternalIP ${localIp}`);
  }
  return { dev: row.ifname, mtu: row.mtu };
}
