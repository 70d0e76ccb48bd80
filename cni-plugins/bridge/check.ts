/**
 * CHECK: the attachment described by prevResult still exists as ADD made it — the
 * allocation in the store, the host veth on the bridge, and inside the pod the
 * interface with its MAC, address and routes.
 */
import { z } from 'zod';
import { lookup } from '../ipam/allocator.js';
import { IpStore } from '../ipam/store.js';
import { runOk } from '../net/exec.js';
import { ipInNetns, netnsExists } from '../net/netns.js';
import { CniError, CniErrorCode } from '../spec/errors.js';
import type { CmdArgs } from '../spec/skel.js';
import { parseBridgeConfig } from './config.js';
import { linkExists, linkMaster } from './links.js';
import { hostVethName } from './names.js';

const IpLinkJson = z.array(
  z.looseObject({
    ifname: z.string(),
    address: z.string().optional(),
    flags: z.array(z.string()).optional(),
    addr_info: z.array(z.looseObject({ family: z.string(), local: z.string(), prefixlen: z.number() })).optional(),
  }),
);
const IpRouteJson = z.array(z.looseObject({ dst: z.string(), gateway: z.string().optional() }));

function fail(msg: string): CniError {
  return new CniError(CniErrorCode.CheckFailed, msg);
}

export async function cmdCheck(args: CmdArgs): Promise<void> {
  const net = parseBridgeConfig(args.config);
  const prev = net.prevResult;
  if (prev === undefined) throw new CniError(CniErrorCode.InvalidNetworkConfig, 'CHECK needs prevResult');
  const ifIndex = (prev.interfaces ?? []).findIndex((i) => i.name === args.ifName && i.sandbox === args.netns);
  if (ifIndex < 0) throw fail(`prevResult has no interface ${args.ifName} in ${args.netns}`);
  const expectedMac = prev.interfaces?.[ifIndex]?.mac;
  const expectedIps = (prev.ips ?? []).filter((ip) => ip.interface === ifIndex).map((ip) => ip.address);
  if (expectedIps.length === 0) throw fail(`prevResult has no address for ${args.ifName}`);

  const allocated = await lookup(new IpStore(net.storeDir), args.containerId, args.ifName);
  if (allocated === undefined || !expectedIps.some((a) => a.split('/')[0] === allocated)) {
    throw fail(`address store has no allocation matching ${expectedIps.join(', ')}`);
  }
  const hostVeth = hostVethName(net.conf.name, args.containerId, args.ifName);
  if (!linkExists(hostVeth)) throw fail(`host interface ${hostVeth} is missing`);
  if ((await linkMaster(hostVeth)) !== net.conf.bridge) throw fail(`${hostVeth} is not a port of ${net.conf.bridge}`);
  if (!netnsExists(args.netns)) throw fail(`network namespace ${args.netns} is missing`);

  const ip = ipInNetns(args.netns);
  const out = await runOk(ip.cmd, [...ip.args, '-j', '-batch', '-'], `address show dev ${args.ifName}\nroute show dev ${args.ifName}\n`).catch(
    (err: unknown) => {
      throw fail(`interface ${args.ifName} is missing in ${args.netns}: ${err instanceof CniError ? (err.details ?? err.message) : String(err)}`);
    },
  );
  const [linkLine = '[]', routeLine = '[]'] = out.split('\n').filter((l) => l.trim() !== '');
  const link = IpLinkJson.parse(JSON.parse(linkLine))[0];
  if (link === undefined) throw fail(`interface ${args.ifName} is missing in ${args.netns}`);
  if (expectedMac !== undefined && link.address?.toLowerCase() !== expectedMac.toLowerCase()) {
    throw fail(`${args.ifName} has MAC ${link.address ?? '?'}, expected ${expectedMac}`);
  }
  if (!(link.flags ?? []).includes('UP')) throw fail(`${args.ifName} is down`);
  const present = new Set((link.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`));
  for (const addr of expectedIps) if (!present.has(addr)) throw fail(`${args.ifName} lacks address ${addr}`);
  const routes = IpRouteJson.parse(JSON.parse(routeLine));
  for (const r of net.routes) {
    const dst = r.dst === '0.0.0.0/0' ? 'default' : r.dst;
    if (!routes.some((x) => x.dst === dst && x.gateway === r.gw)) throw fail(`route ${r.dst} via ${r.gw} is missing`);
  }
}
