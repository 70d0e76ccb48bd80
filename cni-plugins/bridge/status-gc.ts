/**
 * STATUS and GC (spec 1.1.0). STATUS: the store is usable and has a free address.
 * GC: release allocations, host veths and masquerade chains of this network whose
 * attachments are not in `cni.dev/valid-attachments`.
 */
import { z } from 'zod';
import { hasFreeAddress, releaseAllExcept } from '../ipam/allocator.js';
import { IpStore } from '../ipam/store.js';
import { CniError, CniErrorCode } from '../spec/errors.js';
import type { CmdArgs } from '../spec/skel.js';
import { parseBridgeConfig } from './config.js';
import { deleteLink } from './links.js';
import { masqChainsOfNetwork, teardownMasq } from './masq.js';
import { hostVethName, masqChainName } from './names.js';

const ValidAttachments = z.array(z.object({ containerID: z.string(), ifname: z.string() })).default([]);

export async function cmdStatus(args: CmdArgs): Promise<void> {
  const net = parseBridgeConfig(args.config);
  const free = await hasFreeAddress(new IpStore(net.storeDir), net.range).catch((err: unknown) => {
    throw new CniError(CniErrorCode.PluginNotAvailable, `address store ${net.storeDir} is not usable`, String(err));
  });
  if (!free) throw new CniError(CniErrorCode.PluginNotAvailable, `no free address left in network ${net.conf.name}`);
}

export async function cmdGc(args: CmdArgs): Promise<void> {
  const net = parseBridgeConfig(args.config);
  const parsed = ValidAttachments.safeParse(args.config['cni.dev/valid-attachments']);
  if (!parsed.success) {
    throw new CniError(CniErrorCode.InvalidNetworkConfig, 'invalid cni.dev/valid-attachments', parsed.error.message);
  }
  const keep = new Set(parsed.data.map((a) => `${a.containerID}/${a.ifname}`));
  const stale = await releaseAllExcept(new IpStore(net.storeDir), keep);
  for (const a of stale) await deleteLink(hostVethName(net.conf.name, a.containerId, a.ifName));
  if (net.conf.ipMasq) {
    const keepChains = new Set(parsed.data.map((a) => masqChainName(net.conf.name, a.containerID, a.ifname)));
    for (const chain of (await masqChainsOfNetwork(net.conf.name)).keys()) {
      if (!keepChains.has(chain)) await teardownMasq(chain);
    }
  }
}
