/** ADD: address from the store, links on the host and in the pod, masquerade, result. */
import { formatIpv4, formatSubnet, macForIpv4 } from '../net/cidr.js';
import { allocate, release } from '../ipam/allocator.js';
import { IpStore } from '../ipam/store.js';
import { CniError, CniErrorCode } from '../spec/errors.js';
import { mergeResults, type CniResult } from '../spec/result.js';
import type { CmdArgs } from '../spec/skel.js';
import { netnsExists } from '../net/netns.js';
import { parseBridgeConfig } from './config.js';
import { deleteLink, enableIpv4Forwarding, ensureBridge, linkMac, setupContainerSide, setupHostSide } from './links.js';
import { setupMasq, teardownMasq } from './masq.js';
import { hostVethName, masqChainName, masqComment } from './names.js';

export async function cmdAdd(args: CmdArgs): Promise<CniResult> {
  const net = parseBridgeConfig(args.config);
  const { conf, range } = net;
  if (!netnsExists(args.netns)) {
    throw new CniError(CniErrorCode.InvalidEnvironment, `network namespace ${args.netns} does not exist`);
  }
  const store = new IpStore(net.storeDir);
  const ip = await allocate(store, range, args.containerId, args.ifName);
  const hostVeth = hostVethName(conf.name, args.containerId, args.ifName);
  const prefix = range.subnet.prefix;
  const podCidr = `${formatIpv4(ip)}/${prefix}`;
  const gateway = formatIpv4(range.gateway);
  const containerMac = macForIpv4(ip);
  const masq = conf.ipMasq
    ? {
        chain: masqChainName(conf.name, args.containerId, args.ifName),
        comment: masqComment(conf.name, args.containerId),
        podIp: formatIpv4(ip),
        subnet: formatSubnet(range.subnet),
      }
    : undefined;
  const links = async () => {
    await ensureBridge(conf.bridge, conf.mtu, macForIpv4(range.gateway));
    await setupHostSide({
      bridge: conf.bridge,
      hostVeth,
      containerIf: args.ifName,
      containerMac,
      netns: args.netns,
      mtu: conf.mtu,
      hairpin: conf.hairpinMode,
      gatewayCidr: net.isGateway ? `${gateway}/${prefix}` : undefined,
    });
    await setupContainerSide(args.netns, args.ifName, podCidr, net.routes);
    if (net.isGateway) await enableIpv4Forwarding();
  };
  // Links and iptables are independent: do them concurrently (ADD latency).
  const outcomes = await Promise.allSettled([links(), masq !== undefined ? setupMasq(masq) : Promise.resolve()]);
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed !== undefined) {
    // Leave nothing half-made: the runtime may never call DEL for a failed ADD.
    await deleteLink(hostVeth).catch(() => undefined);
    if (masq !== undefined) await teardownMasq(masq.chain).catch(() => undefined);
    await release(store, args.containerId, args.ifName).catch(() => undefined);
    throw failed.reason;
  }
  const [bridgeMac, hostMac] = await Promise.all([linkMac(conf.bridge), linkMac(hostVeth)]);
  const own: CniResult = {
    cniVersion: args.cniVersion,
    interfaces: [
      { name: conf.bridge, ...(bridgeMac !== undefined ? { mac: bridgeMac } : {}) },
      { name: hostVeth, ...(hostMac !== undefined ? { mac: hostMac } : {}) },
      { name: args.ifName, mac: containerMac, sandbox: args.netns },
    ],
    ips: [{ address: podCidr, gateway, interface: 2 }],
    routes: net.routes.map((r) => ({ dst: r.dst, gw: r.gw })),
    dns: net.dns ?? {},
  };
  return mergeResults(net.prevResult, own);
}
