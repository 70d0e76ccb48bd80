/**
 * IPv4 address and subnet arithmetic on unsigned 32-bit numbers.
 * (tkube's pod networks are IPv4; IPv6 is rejected by config validation.)
 */

export interface Ipv4Subnet {
  /** Network address (host bits zero). */
  network: number;
  prefix: number;
}

const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseIpv4(s: string): number | undefined {
  const m = IPV4_RE.exec(s);
  if (m === null) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return undefined;
    n = n * 256 + octet;
  }
  return n;
}

export function formatIpv4(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parses "a.b.c.d/p"; the address may have host bits set (they are kept in `ip`). */
export function parseCidr(s: string): { ip: number; subnet: Ipv4Subnet } | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIpv4(s.slice(0, slash));
  const prefixText = s.slice(slash + 1);
  if (ip === undefined || !/^\d{1,2}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > 32) return undefined;
  return { ip, subnet: { network: (ip & maskOf(prefix)) >>> 0, prefix } };
}

export function broadcastOf(subnet: Ipv4Subnet): number {
  return (subnet.network | (~maskOf(subnet.prefix) >>> 0)) >>> 0;
}

export function subnetContains(subnet: Ipv4Subnet, ip: number): boolean {
  return ((ip & maskOf(subnet.prefix)) >>> 0) === subnet.network;
}

export function formatSubnet(subnet: Ipv4Subnet): string {
  return `${formatIpv4(subnet.network)}/${subnet.prefix}`;
}

/** A locally administered unicast MAC derived from an IPv4 address (0a:58:a:b:c:d). */
export function macForIpv4(ip: number): string {
  const bytes = [0x0a, 0x58, (ip >>> 24) & 255, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}
