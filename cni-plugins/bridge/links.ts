/**
 * The links of one attachment: the bridge (created when missing), a veth pair whose
 * host end joins the bridge and whose container end is created directly inside the
 * pod's netns under CNI_IFNAME, and the container side's address and routes.
 * Each side is one `ip -batch -` exec.
 */
import { existsSync } from 'node:fs';
import { readFile, readlink, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { run, runOk } from '../net/exec.js';
import { ipInNetns } from '../net/netns.js';
import { CniError, CniErrorCode } from '../spec/errors.js';
import type { RouteSpec } from './config.js';

export function linkExists(name: string): boolean {
  return existsSync(`/sys/class/net/${name}`);
}

export async function linkMac(name: string): Promise<string | undefined> {
  const text = await readFile(`/sys/class/net/${name}/address`, 'utf8').catch(() => undefined);
  return text?.trim();
}

/** The bridge a port is enslaved to, if any. */
export async function linkMaster(name: string): Promise<string | undefined> {
  const target = await readlink(`/sys/class/net/${name}/master`).catch(() => undefined);
  return target === undefined ? undefined : basename(target);
}

/**
 * Creates the bridge when it is missing; tolerates a concurrent ADD creating it first.
 * Its MAC is set explicitly: otherwise the kernel gives it the lowest port MAC, which
 * changes as pods come and go and leaves stale gateway entries in the pods' ARP caches.
 */
export async function ensureBridge(name: string, mtu: number | undefined, mac: string): Promise<void> {
  if (!linkExists(name)) {
    const args = ['link', 'add', 'name', name, 'address', mac, ...(mtu !== undefined ? ['mtu', String(mtu)] : []), 'type', 'bridge'];
    const res = await run('ip', args);
    if (res.code !== 0 && !res.stderr.includes('File exists')) {
      throw new CniError(CniErrorCode.CommandFailed, `cannot create bridge ${name}`, res.stderr.trim());
    }
  }
  if (!existsSync(`/sys/class/net/${name}/bridge`)) {
    throw new CniError(CniErrorCode.InvalidNetworkConfig, `${name} already exists and is not a bridge`);
  }
}

export interface HostSide {
  bridge: string;
  hostVeth: string;
  containerIf: string;
  containerMac: string;
  netns: string;
  mtu: number | undefined;
  hairpin: boolean;
  /** "gw/prefix" to put on the bridge (isGateway), or undefined. */
  gatewayCidr: string | undefined;
}

/**
 * `ip -batch` splits lines on blanks and honours quotes, so a token carrying one of
 * those could change the command. Names and paths from the runtime never need them.
 */
export function batchToken(value: string, what: string): string {
  if (value === '' || /["'\\\s#]/.test(value)) {
    throw new CniError(CniErrorCode.InvalidEnvironment, `${what} "${value}" contains characters ip -batch cannot take`);
  }
  return value;
}

export async function setupHostSide(h: HostSide): Promise<void> {
  batchToken(h.bridge, 'bridge name');
  batchToken(h.containerIf, 'CNI_IFNAME');
  batchToken(h.netns, 'CNI_NETNS');
  const mtu = h.mtu !== undefined ? ['mtu', String(h.mtu)] : [];
  const lines: string[] = [];
  // A host end left by an earlier ADD of this same attachment: replace it.
  if (linkExists(h.hostVeth)) lines.push(`link del ${h.hostVeth}`);
  lines.push(
    [
      'link add', h.hostVeth, ...mtu, 'type veth peer name', h.containerIf, ...mtu,
      'address', h.containerMac, 'netns', h.netns,
    ].join(' '),
    `link set ${h.hostVeth} master ${h.bridge}`,
  );
  if (h.hairpin) lines.push(`link set dev ${h.hostVeth} type bridge_slave hairpin on`);
  lines.push(`link set ${h.hostVeth} up`);
  if (h.gatewayCidr !== undefined) lines.push(`address replace ${h.gatewayCidr} dev ${h.bridge}`);
  lines.push(`link set ${h.bridge} up`);
  await runOk('ip', ['-batch', '-'], lines.join('\n') + '\n');
}

export async function setupContainerSide(netns: string, ifName: string, cidr: string, routes: RouteSpec[]): Promise<void> {
  batchToken(ifName, 'CNI_IFNAME');
  const ip = ipInNetns(netns);
  const lines = [`address add ${cidr} dev ${ifName}`, `link set ${ifName} up`];
  for (const r of routes) lines.push(`route add ${r.dst} via ${r.gw} dev ${ifName}`);
  await runOk(ip.cmd, [...ip.args, '-batch', '-'], lines.join('\n') + '\n');
}

/** Deletes a link if present (deleting one veth end removes its peer too). */
export async function deleteLink(name: string): Promise<void> {
  if (!linkExists(name)) return;
  const res = await run('ip', ['link', 'del', name]);
  if (res.code !== 0 && linkExists(name)) {
    throw new CniError(CniErrorCode.CommandFailed, `cannot delete ${name}`, res.stderr.trim());
  }
}

/** Reference behaviour: a gateway bridge routes for its pods, so IPv4 forwarding is on. */
export async function enableIpv4Forwarding(): Promise<void> {
  const path = '/proc/sys/net/ipv4/ip_forward';
  if ((await readFile(path, 'utf8')).trim() !== '1') await writeFile(path, '1');
}
