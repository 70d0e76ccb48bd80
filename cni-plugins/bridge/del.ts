/**
 * DEL: release the attachment's address, remove its veth pair and masquerade chain.
 * Idempotent: a missing netns, link, allocation or chain is not an error.
 */
import { release } from '../ipam/allocator.js';
import { IpStore } from '../ipam/store.js';
import type { CmdArgs } from '../spec/skel.js';
import { parseBridgeConfig } from './config.js';
import { deleteLink } from './links.js';
import { teardownMasq } from './masq.js';
import { hostVethName, masqChainName } from './names.js';

export async function cmdDel(args: CmdArgs): Promise<void> {
  const net = parseBridgeConfig(args.config);
  // The three are independent (the host end's name is derived from the attachment, so
  // the netns is not needed): run them concurrently, then report the first failure.
  const outcomes = await Promise.allSettled([
    release(new IpStore(net.storeDir), args.containerId, args.ifName),
    deleteLink(hostVethName(net.conf.name, args.containerId, args.ifName)),
    net.conf.ipMasq ? teardownMasq(masqChainName(net.conf.name, args.containerId, args.ifName)) : Promise.resolve(),
  ]);
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}
