/**
 * Address allocation from one IPv4 range, like host-local: round-robin after the last
 * reserved address, skipping the network, broadcast and gateway addresses. An
 * allocation is keyed by (containerId, ifName), so ADD again returns the same address
 * and DEL releases exactly that attachment's address.
 */
import { formatIpv4, parseIpv4, type Ipv4Subnet } from '../net/cidr.js';
import { CniError, CniErrorCode } from '../spec/errors.js';
import type { Allocation, IpStore } from './store.js';

export interface IpRange {
  subnet: Ipv4Subnet;
  /** First and last allocatable addresses (inclusive). */
  start: number;
  end: number;
  gateway: number;
}

function sameAttachment(a: Allocation, containerId: string, ifName: string): boolean {
  return a.containerId === containerId && a.ifName === ifName;
}

export async function allocate(store: IpStore, range: IpRange, containerId: string, ifName: string): Promise<number> {
  return store.withLock(async () => {
    const current = await store.list();
    const mine = current.find((a) => sameAttachment(a, containerId, ifName));
    if (mine !== undefined) {
      const ip = parseIpv4(mine.ip);
      if (ip !== undefined && ip >= range.start && ip <= range.end) return ip;
      await store.release(mine.ip); // the range changed since: move the attachment
    }
    const used = new Set(current.filter((a) => a !== mine).map((a) => a.ip));
    const size = range.end - range.start + 1;
    const last = parseIpv4((await store.lastReserved()) ?? '');
    const first = last !== undefined && last >= range.start && last < range.end ? last + 1 : range.start;
    for (let i = 0; i < size; i++) {
      const ip = range.start + ((first - range.start + i) % size);
      const text = formatIpv4(ip);
      if (ip === range.gateway || used.has(text)) continue;
      if (await store.reserve(text, containerId, ifName)) {
        await store.setLastReserved(text);
        return ip;
      }
    }
    throw new CniError(
      CniErrorCode.RangeExhausted,
      `no free address in ${formatIpv4(range.start)}-${formatIpv4(range.end)}`,
    );
  });
}

/** Releases the attachment's addresses; returns them (empty when there were none). */
export async function release(store: IpStore, containerId: string, ifName: string): Promise<string[]> {
  return store.withLock(async () => {
    const mine = (await store.list()).filter((a) => sameAttachment(a, containerId, ifName));
    await Promise.all(mine.map((a) => store.release(a.ip)));
    return mine.map((a) => a.ip);
  });
}

/** The attachment's current address, if any. */
export async function lookup(store: IpStore, containerId: string, ifName: string): Promise<string | undefined> {
  return (await store.list()).find((a) => sameAttachment(a, containerId, ifName))?.ip;
}

/** GC: releases every allocation whose attachment is not in `keep` ("id/ifName" keys). */
export async function releaseAllExcept(store: IpStore, keep: ReadonlySet<string>): Promise<Allocation[]> {
  return store.withLock(async () => {
    const stale = (await store.list()).filter((a) => !keep.has(`${a.containerId}/${a.ifName}`));
    await Promise.all(stale.map((a) => store.release(a.ip)));
    return stale;
  });
}

/** Whether any address is left (STATUS). */
export async function hasFreeAddress(store: IpStore, range: IpRange): Promise<boolean> {
  const total = range.end - range.start + 1 - (range.gateway >= range.start && range.gateway <= range.end ? 1 : 0);
  return (await store.list()).length < total;
}
