/**
 * The VXLAN device's permanent neighbour (ARP) and forwarding-database entries, one of
 * each per peer: `<peer .0> lladdr <peer VTEP MAC>` and `<peer VTEP MAC> dst <peer
 * InternalIP>`. The device is the agent's own, so every permanent entry on it is the
 * agent's: stale ones (a node gone, a MAC changed) are deleted.
 */
import type { DesiredFdbEntry, DesiredNeighbour } from './desired-state.js';
import { isAlreadyGone, type NetnsHost } from './host.js';

interface NeighJson {
  dst?: string;
  lladdr?: string;
  state?: string[];
}

interface FdbJson {
  mac?: string;
  dst?: string;
  state?: string;
  flags?: string[];
}

export async function listNeighbours(host: NetnsHost, dev: string): Promise<DesiredNeighbour[]> {
  const rows = await host.ipJson<NeighJson>(['-4', 'neigh', 'show', 'dev', dev, 'nud', 'permanent']);
  return rows.filter((r) => r.dst && r.lladdr).map((r) => ({ ip: r.dst!, mac: r.lladdr!.toLowerCase() }));
}

export async function listFdb(host: NetnsHost, dev: string): Promise<DesiredFdbEntry[]> {
  const rows = await host.bridgeJson<FdbJson>(['fdb', 'show', 'dev', dev]);
  return rows
    .filter((r) => r.mac && r.dst && r.state === 'permanent' && r.mac !== '00:00:00:00:00:00')
    .map((r) => ({ mac: r.mac!.toLowerCase(), dst: r.dst! }));
}

/** Entries to delete and to write so that `have` becomes `want`, keyed by `key`. */
export function diffEntries<T>(have: readonly T[], want: readonly T[], key: (t: T) => string, same: (a: T, b: T) => boolean): { put: T[]; del: T[] } {
  const wanted = new Map(want.map((w) => [key(w), w]));
  const del = have.filter((h) => !wanted.has(key(h)));
  const put = want.filter((w) => !have.some((h) => key(h) === key(w) && same(h, w)));
  return { put, del };
}

export async function syncNeighbours(host: NetnsHost, dev: string, want: readonly DesiredNeighbour[]): Promise<void> {
  const { put, del } = diffEntries(await listNeighbours(host, dev), want, (n) => n.ip, (a, b) => a.mac === b.mac);
  for (const n of del) {
    await host.ip(['neigh', 'del', n.ip, 'dev', dev]).catch(ignoreGone);
  }
  for (const n of put) {
    await host.ip(['neigh', 'replace', n.ip, 'lladdr', n.mac, 'dev', dev, 'nud', 'permanent']);
  }
}

/**
 * FDB entries are keyed by MAC: a peer that moved to a new InternalIP keeps its MAC and
 * gets `replace`d; several entries for one MAC (appends by someone else) are all removed
 * but the wanted one.
 */
export async function syncFdb(host: NetnsHost, dev: string, want: readonly DesiredFdbEntry[]): Promise<void> {
  const have = await listFdb(host, dev);
  const wantedKeys = new Set(want.map((w) => `${w.mac}|${w.dst}`));
  for (const f of have) {
    if (!wantedKeys.has(`${f.mac}|${f.dst}`)) {
      await host.bridge(['fdb', 'del', f.mac, 'dev', dev, 'dst', f.dst, 'self']).catch(ignoreGone);
    }
  }
  const haveKeys = new Set(have.map((f) => `${f.mac}|${f.dst}`));
  for (const f of want) {
    if (!haveKeys.has(`${f.mac}|${f.dst}`)) {
      await host.bridge(['fdb', 'replace', f.mac, 'dev', dev, 'dst', f.dst, 'self', 'permanent']);
    }
  }
}

function ignoreGone(err: unknown): void {
  if (!isAlreadyGone(err)) throw err;
}
