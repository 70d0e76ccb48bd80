/**
 * Names derived from the attachment, so DEL and CHECK find what ADD made without any
 * state: the host end of the veth and the per-attachment masquerade chain.
 */
import { createHash } from 'node:crypto';

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex');
}

/**
 * "veth" + 11 hex digits: 15 characters, the kernel's limit. The network is part of the
 * key so that two networks never fight over one name, even for reused container ids.
 */
export function hostVethName(network: string, containerId: string, ifName: string): string {
  return `veth${digest(network, containerId, ifName).slice(0, 11)}`;
}

/** iptables chain names are limited to 28 characters: "TKUBE-MASQ-" + 16 hex. */
export function masqChainName(network: string, containerId: string, ifName: string): string {
  return `TKUBE-MASQ-${digest(network, containerId, ifName).slice(0, 16)}`;
}

export function masqComment(network: string, containerId: string): string {
  return `name: "${network}" id: "${containerId}"`;
}
