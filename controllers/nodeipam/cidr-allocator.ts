/**
 * Carves a cluster CIDR (10.244.0.0/16) into per-node subnets (/24) and hands them out
 * without collisions, as Kubernetes' cidrset: subnet i is the i-th block of the mask
 * size; the search for a free one starts after the last one allocated, so a subnet just
 * released is not immediately reused. IPv4 only.
 */

export interface Ipv4Cidr {
  base: number; // network address as an unsigned 32-bit integer
  prefix: number;
}

export function parseIpv4(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) throw new Error(`invalid IPv4 address "${ip}"`);
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** Parses "a.b.c.d/n"; the address is reduced to its network address. */
export function parseCidr(cidr: string): Ipv4Cidr {
  const [ip, bits, extra] = cidr.split('/');
  const prefix = Number(bits);
  if (!ip || bits === undefined || extra !== undefined || !/^\d{1,2}$/.test(bits) || prefix > 32) throw new Error(`invalid CIDR "${cidr}"`);
  const size = 2 ** (32 - prefix);
  return { base: Math.floor(parseIpv4(ip) / size) * size, prefix };
}

export function formatCidr(c: Ipv4Cidr): string {
  return `${formatIpv4(c.base)}/${c.prefix}`;
}

export class CidrAllocator {
  private readonly cluster: Ipv4Cidr;
  private readonly subnetSize: number;
  private readonly count: number;
  private readonly used = new Set<number>();
  private next = 0;

  constructor(clusterCidr: string, readonly maskSize: number) {
    this.cluster = parseCidr(clusterCidr);
    if (!Number.isInteger(maskSize) || maskSize < this.cluster.prefix || maskSize > 32) {
      throw new Error(`node CIDR mask size ${maskSize} does not fit in cluster CIDR ${clusterCidr}`);
    }
    if (maskSize - this.cluster.prefix > 24) throw new Error(`cluster CIDR ${clusterCidr} split by /${maskSize} gives too many subnets`);
    this.subnetSize = 2 ** (32 - maskSize);
    this.count = 2 ** (maskSize - this.cluster.prefix);
  }

  get capacity(): number {
    return this.count;
  }

  get allocatedCount(): number {
    return this.used.size;
  }

  /** The next free subnet, or undefined when the cluster CIDR is full. */
  allocate(): string | undefined {
    for (let i = 0; i < this.count; i++) {
      const candidate = (this.next + i) % this.count;
      if (this.used.has(candidate)) continue;
      this.used.add(candidate);
      this.next = (candidate + 1) % this.count;
      return this.subnet(candidate);
    }
    return undefined;
  }

  /**
   * Marks a subnet as taken (a node that already has one, seen at start-up). A CIDR
   * outside the cluster CIDR is ignored (false); one wider than the mask size takes
   * every subnet it covers.
   */
  occupy(cidr: string): boolean {
    const range = this.indexRange(cidr);
    if (!range) return false;
    for (let i = range.first; i <= range.last; i++) this.used.add(i);
    return true;
  }

  release(cidr: string): void {
    const range = this.indexRange(cidr);
    if (!range) return;
    for (let i = range.first; i <= range.last; i++) this.used.delete(i);
  }

  isAllocated(cidr: string): boolean {
    const range = this.indexRange(cidr);
    if (!range) return false;
    for (let i = range.first; i <= range.last; i++) if (!this.used.has(i)) return false;
    return true;
  }

  private subnet(index: number): string {
    return formatCidr({ base: this.cluster.base + index * this.subnetSize, prefix: this.maskSize });
  }

  /** The subnet indexes a CIDR spans, if it lies inside the cluster CIDR. */
  private indexRange(cidr: string): { first: number; last: number } | undefined {
    let c: Ipv4Cidr;
    try {
      c = parseCidr(cidr);
    } catch {
      return undefined;
    }
    const clusterEnd = this.cluster.base + 2 ** (32 - this.cluster.prefix);
    if (c.prefix < this.cluster.prefix || c.base < this.cluster.base || c.base >= clusterEnd) return undefined;
    const first = Math.floor((c.base - this.cluster.base) / this.subnetSize);
    const span = c.prefix >= this.maskSize ? 1 : 2 ** (this.maskSize - c.prefix);
    return { first, last: first + span - 1 };
  }
}
